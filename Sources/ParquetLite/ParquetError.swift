/// An error raised by ParquetLite: a corrupt input, a value that violates the schema, or a
/// failure of an underlying codec.
///
/// ``code`` says what kind of failure it is; ``message`` says what failed, on what input and what
/// to do. New codes may be added in any release, so match on the codes you handle and treat the
/// rest as a generic failure.
public struct ParquetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``ParquetError``. Codes are compared by identity; new ones may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// A compressed buffer could not be decoded by its codec (corrupt or truncated data).
        public static let corruptCompressedData = Code("corruptCompressedData")
        /// A buffer decompressed to a size other than the one its header declared.
        public static let decompressedSizeMismatch = Code("decompressedSizeMismatch")
        /// A codec failed while compressing.
        public static let compressionFailed = Code("compressionFailed")
        /// An argument was outside the range the operation accepts (for example a zstd level).
        public static let invalidArgument = Code("invalidArgument")

        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human-readable explanation: what failed, on what input, and what to do.
    public var message: String
    /// The codec involved, when the failure came from one (for example `ZSTD`).
    public var codec: String?
    /// The detail reported by the underlying C library, when there is one.
    public var underlying: String?

    /// Creates an error.
    public init(code: Code, message: String, codec: String? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.codec = codec
        self.underlying = underlying
    }

    public var description: String {
        var text = "ParquetError.\(code): \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
