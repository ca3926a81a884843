/// An error raised by PGLite: a failure to connect, or a statement the server rejected.
///
/// ``code`` tells connection failures from statement failures; the server's own diagnostics
/// (``sqlState``, ``severity``, ``detail``, ``hint``, ``position``) are kept as the server sent
/// them. No error ever contains a password. New codes may be added in any release.
public struct PGError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``PGError``. Codes are compared by identity; new ones may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// The connection could not be established, or was lost while in use.
        public static let connectionFailed = Code("connectionFailed")
        /// The connection was closed by ``PGConnection/close()`` before the call.
        public static let connectionClosed = Code("connectionClosed")
        /// The server rejected a statement; ``PGError/sqlState`` says why.
        public static let statementFailed = Code("statementFailed")
        /// The connection string or another argument could not be used.
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A result value could not be read as asked: no such column, wrong type, unexpected NULL.
        public static let decodingFailed = Code("decodingFailed")
        /// A migration failed, or one already applied has changed since.
        public static let migrationFailed = Code("migrationFailed")
        /// The calling task was cancelled: the statement was not sent, or the server cancelled it
        /// (`PQcancel`, SQLSTATE 57014). The connection stays usable.
        public static let cancelled = Code("cancelled")

        /// The code's name (`statementFailed`), as ``PGError/description`` prints it.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human-readable explanation: the server's primary message, or what failed on our side.
    public var message: String
    /// The SQLSTATE code (for example `23505` for a unique violation), when the server sent one.
    public var sqlState: String?
    /// The severity the server reported (`ERROR`, `FATAL`, `PANIC`).
    public var severity: String?
    /// The server's optional detail message.
    public var detail: String?
    /// The server's optional suggestion of what to do.
    public var hint: String?
    /// The 1-based character position in the statement that the error refers to.
    public var position: Int?
    /// Where it happened, as the server says (`COPY sales, line 3, column quantity: "x"`), when
    /// it said.
    public var context: String?

    /// Creates an error.
    public init(
        code: Code, message: String, sqlState: String? = nil, severity: String? = nil,
        detail: String? = nil, hint: String? = nil, position: Int? = nil, context: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.position = position
        self.context = context
    }

    /// The code, severity, SQLSTATE and message, then the server's detail, hint, position and context, on one
    /// line, as logs print it.
    public var description: String {
        var text = "PGError.\(code)"
        if let severity { text += " \(severity)" }
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let detail { text += " DETAIL: \(detail)" }
        if let hint { text += " HINT: \(hint)" }
        if let position { text += " (at character \(position))" }
        if let context { text += " CONTEXT: \(context)" }
        return text
    }
}
