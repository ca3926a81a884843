import CLibPQ
import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One connection to a PostgreSQL server.
///
/// libpq blocks, so every call runs on the connection's own serial dispatch queue, never on
/// Swift's cooperative thread pool. A connection serves one operation at a time, whichever task
/// calls it: calls wait their turn in arrival order, and a transaction, COPY or advisory-lock
/// block holds the connection until it ends, so no other task's statement slips into it.
/// Close the connection with ``close()`` when done; a connection that is released without being
/// closed is closed by its deinitialiser.
///
/// Cancelling the task that waits for a statement cancels the statement on the server
/// (`PQcancel`): the call throws ``PGError/Code/cancelled`` and the connection stays usable. A
/// cancelled task's later calls throw the same at once, except the clean-up the connection does
/// itself (a block's ROLLBACK, the release of an advisory lock, the end of an aborted COPY).
public final class PGConnection: @unchecked Sendable {
    // Safety: `handle`, `isClosed`, `preparedNames` are read and written only on `queue`.
    private let queue: DispatchQueue
    private var handle: OpaquePointer?
    private var isClosed = false
    private var preparedNames: [String: String] = [:]
    let logger: Logger
    private let target: String
    /// Serialises operations; a block (transaction, COPY) holds it for its whole length.
    private let turn = PGAsyncLock()

    /// What cancelling a statement needs: libpq's cancel object, and whether a statement of this
    /// connection is on the server now.
    private let inFlight = Mutex(InFlight())

    /// A connection's statements as cancellation sees them: calls are numbered; the one on the
    /// server now, a call cancelled before it was sent, and a `PQcancel` still on its way.
    private struct InFlight {
        var cancel: PGCancelRequest?
        var lastCall = 0
        /// The call whose statement is on the server now.
        var running: Int?
        /// A call cancelled before its statement was sent: it is not sent.
        var cancelledBeforeSending: Int?
        /// Signalled when the `PQcancel` sent for an earlier call has returned: until then the
        /// server could still cancel whatever runs next, so the next statement waits for it.
        var cancelling: DispatchGroup?
    }

    /// Set while the connection cleans up after a block: such statements run even in a
    /// cancelled task, and are not cancelled.
    @TaskLocal static var cleaningUp = false

    /// The connection whose turn the current task holds, so that calls inside a transaction or
    /// COPY block do not wait for themselves.
    @TaskLocal private static var turnHolder: ObjectIdentifier?

    /// How a connection is opened.
    public struct Configuration: Sendable {
        /// What to connect to; see ``PGConnectionString`` for the accepted forms.
        public var connectionString: PGConnectionString
        /// How long to wait for the server before giving up. Default: 10 seconds.
        /// A `connect_timeout` in the connection string takes precedence.
        public var connectTimeout: Duration
        /// The `application_name` the server shows in `pg_stat_activity`. Default: `PGLite`.
        /// An `application_name` in the connection string takes precedence.
        public var applicationName: String
        /// Server settings for the session, sent when it opens (libpq's `options`, as `-c
        /// name=value`): for example `["default_transaction_read_only": "on",
        /// "statement_timeout": "5000"]`. They are added after any `options` of the connection
        /// string (or of `PGOPTIONS`), so they win over it. Names are setting names (letters, digits, `_` and `.`);
        /// ``PGConnection/connect(configuration:logger:)`` refuses others. Default: none.
        public var runtimeParameters: [String: String] = [:]

        /// Creates a configuration.
        public init(
            connectionString: PGConnectionString,
            connectTimeout: Duration = .seconds(10),
            applicationName: String = "PGLite"
        ) {
            self.connectionString = connectionString
            self.connectTimeout = connectTimeout
            self.applicationName = applicationName
        }

        /// Creates a configuration from a connection string (URL or key-value pairs).
        ///
        /// - Throws: ``PGError`` with ``PGError/Code/invalidConfiguration`` if it cannot be parsed.
        public init(_ connectionString: String) throws {
            self.init(connectionString: try PGConnectionString(connectionString))
        }
    }

    private init(queue: DispatchQueue, logger: Logger, target: String) {
        self.queue = queue
        self.logger = logger
        self.target = target
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - configuration: where to connect and how long to wait.
    ///   - logger: receives connection events with `pg.*` metadata; never a password.
    /// - Throws: ``PGError`` with ``PGError/Code/connectionFailed`` carrying libpq's reason.
    public static func connect(configuration: Configuration, logger: Logger) async throws -> PGConnection {
        let connectionString = configuration.connectionString
        let target = connectionString.description
        let queue = DispatchQueue(label: "PGLite.PGConnection")
        let timeoutSeconds = max(1, Int(configuration.connectTimeout.components.seconds))
        // Our defaults come first so that the same keyword in the connection string (expanded in
        // place of `dbname`) overrides them.
        // TCP keepalives and a user timeout, so that a server that vanished without closing the
        // connection (a host lost, a failover) fails a call within about a minute, not the
        // kernel's 15.
        var keywords = [
            "connect_timeout", "application_name", "keepalives", "keepalives_idle", "keepalives_interval",
            "keepalives_count", "tcp_user_timeout", "dbname",
        ]
        var values = [
            String(timeoutSeconds), configuration.applicationName, "1", "30", "10", "3", "60000",
            connectionString.rawValue,
        ]
        if let options = try sessionOptions(configuration) {
            keywords.append("options")
            values.append(options)
        }
        let (allKeywords, allValues) = (keywords, values)
        logger.debug("connecting to PostgreSQL", metadata: ["pg.target": "\(target)"])
        let connection = PGConnection(queue: queue, logger: logger, target: target)
        let serverVersion = try await run(on: queue) {
            let handle = withCStringArray(allKeywords) { keywordPointers in
                withCStringArray(allValues) { valuePointers in
                    PQconnectdbParams(keywordPointers, valuePointers, 1)
                }
            }
            guard let handle else {
                throw PGError(code: .connectionFailed, message: "libpq could not allocate a connection")
            }
            guard PQstatus(handle) == CONNECTION_OK else {
                let reason = lastError(of: handle)
                PQfinish(handle)
                throw PGError(
                    code: .connectionFailed, message: "could not connect to PostgreSQL (\(target)): \(reason)")
            }
            connection.handle = handle
            if let cancel = PQgetCancel(handle) {
                connection.inFlight.withLock { $0.cancel = PGCancelRequest(cancel) }
            }
            // Results are parsed in the ISO date style; set it unless the server already uses it.
            let dateStyle = PQparameterStatus(handle, "DateStyle").map { String(cString: $0) } ?? ""
            if !dateStyle.hasPrefix("ISO") {
                _ = try consume(PQexec(handle, "SET DateStyle TO ISO"), of: handle)
            }
            return PQserverVersion(handle)
        }
        logger.debug(
            "connected to PostgreSQL", metadata: ["pg.target": "\(target)", "pg.server_version": "\(serverVersion)"])
        return connection
    }

    /// libpq's `options` for `configuration`: the connection string's own (or else `environment`,
    /// `PGOPTIONS`),
    /// then each runtime
    /// parameter as `-c name=value`, with spaces and backslashes in values escaped as libpq
    /// reads them; `nil` when there is none.
    static func sessionOptions(
        _ configuration: Configuration, environment: String? = getenv("PGOPTIONS").map { String(cString: $0) }
    ) throws -> String? {
        guard !configuration.runtimeParameters.isEmpty else { return nil }
        // libpq takes the `options` keyword instead of `PGOPTIONS`, so keep either, whichever applies.
        let given = configuration.connectionString.settings["options"] ?? environment
        var options = given.map { [$0] } ?? []
        for (name, value) in configuration.runtimeParameters.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.".contains($0)) })
            else {
                throw PGError(
                    code: .invalidConfiguration,
                    message: "runtime parameter name \"\(name)\" is not a setting name (letters, digits, _ and .)")
            }
            // The server splits `options` at any white space and reads a backslash as "the next
            // character as it is".
            var escaped = String.UnicodeScalarView()
            for scalar in value.unicodeScalars {
                if scalar == "\\" || scalar.properties.isWhitespace { escaped.append("\\") }
                escaped.append(scalar)
            }
            options.append("-c \(name)=\(String(escaped))")
        }
        return options.joined(separator: " ")
    }

    /// The server's version as an integer, for example `150018` for 15.18.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/connectionClosed`` after ``close()``.
    public func serverVersion() async throws -> Int {
        try await withHandle { Int(PQserverVersion($0)) }
    }

    /// Runs one statement with parameters `$1…$n` sent separately from the SQL text.
    ///
    /// Parameters are sent in PostgreSQL's text format with their types (a `String` lets the
    /// server infer the type); `nil` is SQL NULL. Values are never spliced into the SQL.
    ///
    /// - Parameters:
    ///   - sql: a single statement.
    ///   - parameters: the values of `$1…$n`, in order.
    /// - Returns: the rows (if any) and the command tag.
    /// - Throws: ``PGError`` with ``PGError/Code/statementFailed`` and the server's SQLSTATE, or
    ///   ``PGError/Code/connectionFailed`` if the connection was lost.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PGEncodable)?] = []) async throws -> PGQueryResult {
        try await query(sql, parameters, results: .text)
    }

    /// Runs one statement with parameters `$1…$n`, as ``query(_:_:)`` does, with its result
    /// values in `format`: ``PGResultFormat/binary`` spares formatting and parsing each value,
    /// which counts when a result has many rows of numbers.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PGEncodable)?] = [], results format: PGResultFormat)
        async throws -> PGQueryResult
    {
        logger.trace("running statement", metadata: ["pg.parameters": "\(parameters.count)"])
        let encoded = PGEncodedParameters(parameters)
        let resultFormat: Int32 = format == .binary ? 1 : 0
        return try await withHandle { handle in
            let result = encoded.withPointers { types, values in
                PQexecParams(handle, sql, Int32(encoded.count), types, values, nil, nil, resultFormat)
            }
            return try Self.consume(result, of: handle)
        }
    }

    /// Prepares `sql` as a named statement on this connection, or returns the one already
    /// prepared for the same text. Parameter types are inferred by the server.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/statementFailed`` when the server rejects it.
    public func prepare(_ sql: String) async throws -> PGPreparedStatement {
        try await withHandle { handle in PGPreparedStatement(sql: sql, name: try self.preparedName(for: sql, handle)) }
    }

    /// Runs a prepared statement with parameters `$1…$n`. A statement prepared on another
    /// connection is prepared on this one first (once).
    @discardableResult
    public func query(_ statement: PGPreparedStatement, _ parameters: [(any PGEncodable)?] = []) async throws
        -> PGQueryResult
    {
        let encoded = PGEncodedParameters(parameters)
        return try await withHandle { handle in
            let name = try self.preparedName(for: statement.sql, handle)
            let result = encoded.withPointers { _, values in
                PQexecPrepared(handle, name, Int32(encoded.count), values, nil, nil, 0)
            }
            return try Self.consume(result, of: handle)
        }
    }

    /// Runs on `queue`: the name of the statement prepared for `sql`, preparing it if needed.
    private func preparedName(for sql: String, _ handle: OpaquePointer) throws -> String {
        if let name = preparedNames[sql] { return name }
        let name = "pglite_\(preparedNames.count + 1)"
        _ = try Self.consume(PQprepare(handle, name, sql, 0, nil), of: handle)
        preparedNames[sql] = name
        return name
    }

    /// Runs one or more statements separated by semicolons, without parameters, as one
    /// implicit transaction (libpq's simple query protocol). Useful for DDL scripts.
    ///
    /// - Returns: the result of the last statement.
    /// - Throws: as ``query(_:_:)``.
    @discardableResult
    public func execute(_ sql: String) async throws -> PGQueryResult {
        try await withHandle { handle in try Self.consume(PQexec(handle, sql), of: handle) }
    }

    /// Closes the connection. Later calls fail with ``PGError/Code/connectionClosed``;
    /// closing twice does nothing.
    public func close() async {
        _ = try? await exclusive {
            try await Self.run(on: queue) {
                if let handle = self.handle { PQfinish(handle) }
                self.handle = nil
                self.inFlight.withLock { $0.cancel = nil }
                self.isClosed = true
                self.preparedNames = [:]
            }
        }
        logger.debug("closed PostgreSQL connection", metadata: ["pg.target": "\(target)"])
    }

    /// Runs `body` with exclusive use of the connection: waits for the turn unless this task
    /// already holds it (inside a transaction, COPY or lock block).
    func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        let me = ObjectIdentifier(self)
        if Self.turnHolder == me { return try await body() }
        await turn.lock()
        defer { turn.unlock() }
        return try await Self.$turnHolder.withValue(me) { try await body() }
    }

    /// Runs `body` on the connection's queue with the libpq handle, in the caller's turn.
    ///
    /// A cancelled task gets ``PGError/Code/cancelled`` without the statement being sent; a task
    /// cancelled while the statement runs cancels it on the server. Clean-up (``cleanUp(_:)``)
    /// runs regardless.
    func withHandle<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await exclusive {
            if Self.cleaningUp { return try await onQueue(call: nil, body) }
            guard !Task.isCancelled else {
                throw PGError(code: .cancelled, message: "the task was cancelled; the statement was not sent")
            }
            let call = inFlight.withLock { state in
                state.lastCall += 1
                return state.lastCall
            }
            do {
                return try await withTaskCancellationHandler {
                    try await onQueue(call: call, body)
                } onCancel: {
                    cancel(call)
                }
            } catch let error as PGError where error.sqlState == "57014" && Task.isCancelled {
                var cancelled = error
                cancelled.code = .cancelled
                cancelled.message = "the task was cancelled; the server cancelled the statement: \(error.message)"
                throw cancelled
            }
        }
    }

    /// Runs `body` on the queue with the open handle, as `call` (`nil`: clean-up, which no
    /// cancellation reaches). It first waits for a `PQcancel` still on its way, so that a cancel
    /// meant for an earlier statement cannot reach this one.
    private func onQueue<T: Sendable>(call: Int?, _ body: @escaping @Sendable (OpaquePointer) throws -> T)
        async throws -> T
    {
        try await Self.run(on: queue) {
            guard let handle = self.handle, !self.isClosed else {
                throw PGError(code: .connectionClosed, message: "the connection was closed; open a new one")
            }
            self.inFlight.withLock { $0.cancelling }?.wait()
            let refused = self.inFlight.withLock { state -> Bool in
                state.cancelling = nil
                if let call, state.cancelledBeforeSending == call { return true }
                state.running = call
                return false
            }
            if refused {
                throw PGError(code: .cancelled, message: "the task was cancelled; the statement was not sent")
            }
            defer { self.inFlight.withLock { $0.running = nil } }
            return try body(handle)
        }
    }

    /// Cancels `call`: on the server (`PQcancel`, from another thread: it opens a connection of
    /// its own) when its statement runs, else before it is sent.
    private func cancel(_ call: Int) {
        let (request, group) = inFlight.withLock { state -> (PGCancelRequest?, DispatchGroup?) in
            guard state.running == call, let request = state.cancel else {
                state.cancelledBeforeSending = call
                return (nil, nil)
            }
            let group = DispatchGroup()
            group.enter()
            state.cancelling = group
            return (request, group)
        }
        guard let request, let group else { return }
        let (logger, target) = (logger, target)
        DispatchQueue.global().async {
            if let failure = request.send() {
                logger.debug("PQcancel failed", metadata: ["pg.target": "\(target)", "pg.error": "\(failure)"])
            }
            group.leave()
        }
    }

    /// Runs `body` as the connection's own clean-up after a block: its statements run even when
    /// the task is cancelled, and are never cancelled.
    @discardableResult
    func cleanUp<T>(_ body: () async throws -> T) async rethrows -> T {
        try await Self.$cleaningUp.withValue(true) { try await body() }
    }

    /// Whether the connection is open and its link to the server is up (in a transaction or not).
    func isOpenAndConnected() async -> Bool {
        // Local checks: a cancelled task may still ask (clean-up), and they are never cancelled.
        await cleanUp { (try? await withHandle { handle in PQstatus(handle) == CONNECTION_OK }) ?? false }
    }

    /// Whether the connection can take work: open, not broken, and not inside a transaction.
    /// Reads whatever the server sent meanwhile (a shutdown notice) without waiting.
    public func isHealthy() async -> Bool {
        await cleanUp { await checkHealth() }
    }

    /// ``isHealthy()``'s checks.
    private func checkHealth() async -> Bool {
        (try? await withHandle { handle in
            guard PQconsumeInput(handle) != 0, PQstatus(handle) == CONNECTION_OK,
                PQtransactionStatus(handle) == PQTRANS_IDLE
            else { return false }
            // A server that shut down sends a notice, then closes: libpq may have read the
            // notice but not yet the end of the stream, so look for the hang-up directly.
            var byte: UInt8 = 0
            let peeked = recv(PQsocket(handle), &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            if peeked == 0 { return false }  // the server closed the connection
            if peeked < 0 { return errno == EAGAIN || errno == EWOULDBLOCK }
            // Unread data on an idle connection: let libpq read it, and see what state it leaves.
            return PQconsumeInput(handle) != 0 && PQstatus(handle) == CONNECTION_OK
                && recv(PQsocket(handle), &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) != 0
        }) ?? false
    }

    static func run<T: Sendable>(
        on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Turns a libpq result into a ``PGQueryResult`` or a ``PGError``, and frees it.
    static func consume(_ result: OpaquePointer?, of handle: OpaquePointer) throws -> PGQueryResult {
        guard let result else {
            throw PGError(code: .connectionFailed, message: "PostgreSQL returned no result: \(lastError(of: handle))")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT:
            return copyRows(of: result)
        default:
            throw error(from: result, connection: handle)
        }
    }

    private static func copyRows(of result: OpaquePointer) -> PGQueryResult {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<columnCount).map { PGDataType(rawValue: PQftype(result, Int32($0))) }
        let layout = PGRowLayout(names: columns, types: types)
        let text = PGResultValues(copying: result, rows: rowCount, columns: columnCount)
        let rows = (0..<rowCount).map { PGRow(layout: layout, text: text, row: $0) }
        let tuples = String(cString: PQcmdTuples(result))
        return PGQueryResult(
            columns: columns, columnTypes: types, rows: rows, commandTag: String(cString: PQcmdStatus(result)),
            affectedRows: Int(tuples)
        )
    }

    static func error(from result: OpaquePointer, connection: OpaquePointer) -> PGError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let sqlState = field("C")
        guard PQstatus(connection) == CONNECTION_OK || sqlState != nil else {
            return PGError(
                code: .connectionFailed, message: "lost the connection to PostgreSQL: \(lastError(of: connection))")
        }
        return PGError(
            code: .statementFailed,
            message: field("M") ?? lastError(of: connection),
            sqlState: sqlState,
            severity: field("V") ?? field("S"),
            detail: field("D"),
            hint: field("H"),
            position: field("P").flatMap { Int($0) },
            context: field("W")
        )
    }

    static func lastError(of connection: OpaquePointer) -> String {
        guard let message = PQerrorMessage(connection) else { return "unknown error" }
        return String(cString: message).trimmingTrailingNewlines()
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}

/// libpq's cancel object for one connection: `PQcancel` on it asks the server, over a
/// connection of its own, to cancel whatever the connection runs. Safe from any thread.
final class PGCancelRequest: @unchecked Sendable {
    // Safety: libpq documents PQcancel as thread-safe; the object is freed only in deinit.
    private let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { PQfreeCancel(pointer) }

    /// Sends the request; libpq's reason when it could not be sent.
    func send() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard PQcancel(pointer, &buffer, Int32(buffer.count)) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
