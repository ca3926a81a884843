/// An error raised by DeltaLite (errors from AWSLite and ParquetLite, reading or writing the
/// table's objects, pass through unchanged).
///
/// New codes may be added in any release; match the ones you handle.
public struct DeltaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``DeltaError``.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// The table's log cannot be read or written: a commit or checkpoint that is not valid
        /// (the message names the object), a version missing from the sequence, a protocol this
        /// reader does not support, or an action holding a value JSON cannot encode.
        public static let invalidLog = Code("invalidLog")
        /// A commit could not be made: other writers kept taking the next version, or committed
        /// a change that conflicts with this one. Read a new snapshot and try again.
        public static let commitConflict = Code("commitConflict")

        /// The code's name, as written here (`invalidLog`).
        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What failed, on what object of the table, and what to do.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `DeltaError.<code>: <message>`, as logs and terminals show it.
    public var description: String { "DeltaError.\(code): \(message)" }
}
