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
        /// A schema that Parquet cannot express or whose parts disagree (a DATE on INT64, a
        /// duplicate column name).
        public static let invalidSchema = Code("invalidSchema")
        /// Values that violate the schema: a null in a REQUIRED column, a batch of the wrong
        /// type or length, a decimal out of its precision.
        public static let schemaViolation = Code("schemaViolation")
        /// The byte sink failed (a file that could not be written, a failed upload).
        public static let sinkFailed = Code("sinkFailed")
        /// An operation on a writer that was closed or failed earlier.
        public static let writerClosed = Code("writerClosed")
        /// Thrift metadata (the footer or a page header) that cannot be decoded: truncated,
        /// an unknown type, a negative or impossible count, nesting too deep.
        public static let corruptMetadata = Code("corruptMetadata")
        /// Something valid that ParquetLite does not handle (yet): an encoding or codec it does
        /// not decode.
        public static let unsupportedFeature = Code("unsupportedFeature")

        /// The code's name (`schemaViolation`), as ``ParquetError/description`` prints it.
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
    /// The column involved, when the failure concerns one.
    public var column: String?
    /// Where in the file (or the buffer being decoded) the failure was found, when known.
    public var byteOffset: Int?
    /// The row group involved (0-based), when the failure concerns one.
    public var rowGroup: Int?

    /// Creates an error.
    public init(
        code: Code, message: String, codec: String? = nil, underlying: String? = nil, column: String? = nil,
        byteOffset: Int? = nil, rowGroup: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.codec = codec
        self.underlying = underlying
        self.column = column
        self.byteOffset = byteOffset
        self.rowGroup = rowGroup
    }

    /// The code and message, then the row group, byte offset and the C library's detail when known, as logs print
    /// it.
    public var description: String {
        var text = "ParquetError.\(code): \(message)"
        if let rowGroup { text += " in row group \(rowGroup)" }
        if let byteOffset { text += " at byte \(byteOffset)" }
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
