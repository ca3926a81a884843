/// An error raised by LakehouseCore itself (errors from AWSLite, ParquetLite and PGLite pass
/// through unchanged).
///
/// New codes may be added in any release; match the ones you handle.
public struct LakehouseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``LakehouseError``.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// A setting is missing or has a value that cannot be used.
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A `.env` file could not be read or parsed.
        public static let invalidDotEnvFile = Code("invalidDotEnvFile")
        /// A record that is not a valid event; ``LakehouseError/reason`` says why, in the
        /// quarantine's terms (`malformed:json`, `null:<field>`, `invalid:<field>`,
        /// `unknown:event_type`).
        public static let invalidEvent = Code("invalidEvent")
        /// Records could not be delivered (to Kinesis, or to S3) after every retry.
        public static let deliveryFailed = Code("deliveryFailed")
        /// Silver's Delta table holds something silver cannot use: a data file that lacks a
        /// column or holds a value out of its type, a batch plan that is not valid. (The log itself
        /// is DeltaLite's: its problems are `DeltaError`s.)
        public static let invalidDeltaLog = Code("invalidDeltaLog")
        /// This process no longer holds the lease on a shard (it expired, or another process
        /// took it): the shard's reader stops without moving the checkpoint.
        public static let leaseLost = Code("leaseLost")
        /// Waiting for another part of the pipeline took longer than allowed (the live closed
        /// loop waits for gold's order proposal).
        public static let timedOut = Code("timedOut")

        /// The code's name, as written here (`invalidConfiguration`).
        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What failed, on what input, and what to do.
    public var message: String
    /// For ``Code/invalidEvent``: the quarantine reason (`null:quantity`).
    public var reason: String?

    /// Creates an error.
    public init(code: Code, message: String, reason: String? = nil) {
        self.code = code
        self.message = message
        self.reason = reason
    }

    /// `LakehouseError.<code>: <message>`, as logs and terminals show it.
    public var description: String { "LakehouseError.\(code): \(message)" }
}
