import CSnappy
import CZstd

/// A page compression codec, as named by the Parquet `CompressionCodec` Thrift enum.
///
/// Use the static members: ``uncompressed``, ``snappy``, ``gzip(level:)`` and ``zstd(level:)``. A codec is a value:
/// it holds no buffers and is safe to share between tasks.
public struct CompressionCodec: Sendable, Hashable, CustomStringConvertible {
    /// The codec's identifier in Parquet metadata (`CompressionCodec` in parquet.thrift).
    public let thriftValue: Int32
    /// The compression level (zstd, gzip); `nil` for codecs without levels.
    public let level: Int32?

    private init(thriftValue: Int32, level: Int32? = nil) {
        self.thriftValue = thriftValue
        self.level = level
    }

    /// The codec a file names by its Thrift value, if ParquetLite handles it (UNCOMPRESSED,
    /// SNAPPY, GZIP, ZSTD, LZ4_RAW, and the deprecated LZ4 for reading).
    public init?(thriftValue: Int32) {
        guard [0, 1, 2, 5, 6, 7].contains(thriftValue) else { return nil }
        self.init(thriftValue: thriftValue, level: nil)
    }

    /// No compression: pages are stored as encoded.
    public static let uncompressed = CompressionCodec(thriftValue: 0, level: nil)
    /// Snappy: fast, modest ratio.
    public static let snappy = CompressionCodec(thriftValue: 1, level: nil)

    /// LZ4_RAW: a bare LZ4 block per page; the fastest to decode, with a ratio near snappy's.
    public static let lz4Raw = CompressionCodec(thriftValue: 7, level: nil)

    /// The zstd level used when none is given: 1, the default of Arrow's Parquet writer (and so
    /// of pyarrow), which compresses nearly as well as zstd's own default of 3 at about twice the speed.
    public static let defaultZstdLevel: Int32 = 1

    /// The gzip level used when none is given: zlib's default, 6.
    public static let defaultGzipLevel: Int32 = 6

    /// GZIP (deflate in a gzip member) at the given zlib level, 1 (fastest) to 9 (smallest).
    public static func gzip(level: Int32 = defaultGzipLevel) -> CompressionCodec {
        CompressionCodec(thriftValue: 2, level: level)
    }

    /// Zstandard at the given level.
    ///
    /// - Parameter level: from `ZSTD_minCLevel()` (negative, fastest) to `ZSTD_maxCLevel()` (22);
    ///   the default is ``defaultZstdLevel``. Levels outside that range are rejected by
    ///   ``compress(_:appendingTo:)`` with ``ParquetError/Code/invalidArgument``.
    public static func zstd(level: Int32 = defaultZstdLevel) -> CompressionCodec {
        CompressionCodec(thriftValue: 6, level: level)
    }

    /// The codec's name as Parquet tools print it (`UNCOMPRESSED`, `SNAPPY`, `ZSTD`).
    public var name: String { Self.name(thriftValue: thriftValue) }

    /// The name parquet.thrift gives a codec value, including those ParquetLite does not handle.
    static func name(thriftValue: Int32) -> String {
        let names = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"]
        return names.indices.contains(Int(thriftValue)) ? names[Int(thriftValue)] : "CODEC(\(thriftValue))"
    }

    /// The Parquet name, with the level for GZIP and ZSTD (`ZSTD(level: 1)`), as logs print it.
    public var description: String {
        if let level { return "\(name)(level: \(level))" }
        return name
    }

    /// Compresses `input` and appends the result to `output`.
    ///
    /// Appending lets a page writer reuse one output buffer for every page.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` for a zstd level out
    ///   of range, or ``ParquetError/Code/compressionFailed`` when the codec reports an error.
    /// - Complexity: O(n) in the size of `input`.
    public func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws {
        switch thriftValue {
        case 0: output.append(contentsOf: input)
        case 1: try SnappyCodec.compress(input, appendingTo: &output)
        case 2: try GzipCodec.compress(input, level: level ?? Self.defaultGzipLevel, appendingTo: &output)
        case 5: throw Self.deprecatedLZ4()
        case 7: try LZ4Codec.compress(input, appendingTo: &output)
        default: try ZstdCodec.compress(input, level: level ?? Self.defaultZstdLevel, appendingTo: &output)
        }
    }

    private static func deprecatedLZ4() -> ParquetError {
        ParquetError(
            code: .invalidArgument,
            message: "the LZ4 codec (Hadoop framing) is deprecated and read only; write LZ4_RAW (.lz4Raw) instead",
            codec: "LZ4")
    }

    /// Checks the codec's level, so that a writer fails when it is configured, not at its first page.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` for a level out of range.
    public func validate() throws {
        switch thriftValue {
        case 2:
            let level = level ?? Self.defaultGzipLevel
            guard (1...9).contains(level) else {
                throw ParquetError(
                    code: .invalidArgument, message: "gzip level \(level) is outside 1...9", codec: name)
            }
        case 5: throw Self.deprecatedLZ4()
        case 6: try ZstdCodec.validate(level: level ?? Self.defaultZstdLevel)
        default: break
        }
    }

    /// Compresses `input` and appends the result to `output`, borrowing a zstd context from
    /// `contexts` instead of creating one (what a writer does for every page).
    func compress(
        _ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8], reusing contexts: ZstdContextPool
    ) throws {
        guard thriftValue == 6 else { return try compress(input, appendingTo: &output) }
        try contexts.withContext { context in
            try ZstdCodec.compress(
                input, level: level ?? Self.defaultZstdLevel, context: context, appendingTo: &output)
        }
    }

    /// Compresses `input` into a new array.
    ///
    /// - Throws: as ``compress(_:appendingTo:)``.
    public func compress(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        try input.withUnsafeBytes { try compress($0, appendingTo: &output) }
        return output
    }

    /// Decompresses `input`, which must decode to exactly `uncompressedSize` bytes.
    ///
    /// The size comes from the page header; a buffer that decodes to any other size is corrupt,
    /// and so is one the codec cannot decode. No more than `uncompressedSize` bytes are allocated,
    /// so callers bound memory by validating that size first.
    ///
    /// With every codec, 0 bytes of input decode to 0 bytes. A codec's own encoding of nothing is
    /// not empty (snappy stores the length 0, zstd a frame), but parquet-java, and so Spark, stores
    /// 0 bytes for the values of a DATA_PAGE_V2 of nulls only, and Arrow reads them as nothing.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptCompressedData``,
    ///   ``ParquetError/Code/decompressedSizeMismatch`` (also for 0 bytes of input and a size
    ///   above 0) or, for a negative size, ``ParquetError/Code/invalidArgument``.
    /// - Complexity: O(`uncompressedSize`).
    public func decompress(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        guard uncompressedSize >= 0 else {
            throw ParquetError(
                code: .invalidArgument,
                message: "\(name) page declares a negative uncompressed size (\(uncompressedSize))",
                codec: name
            )
        }
        if input.isEmpty {
            guard uncompressedSize == 0 else { throw Self.emptyInput(codec: name, uncompressedSize: uncompressedSize) }
            return []
        }
        switch thriftValue {
        case 0:
            guard input.count == uncompressedSize else {
                throw ParquetError(
                    code: .decompressedSizeMismatch,
                    message: "uncompressed page holds \(input.count) bytes but its header declares \(uncompressedSize)",
                    codec: name
                )
            }
            return Array(input)
        case 1: return try SnappyCodec.decompress(input, uncompressedSize: uncompressedSize)
        case 2: return try GzipCodec.decompress(input, uncompressedSize: uncompressedSize)
        case 5: return try LZ4Codec.decompressHadoop(input, uncompressedSize: uncompressedSize)
        case 7: return try LZ4Codec.decompressRaw(input, uncompressedSize: uncompressedSize)
        default: return try ZstdCodec.decompress(input, uncompressedSize: uncompressedSize)
        }
    }

    /// The error for 0 bytes of input where a page header declares `uncompressedSize` bytes.
    static func emptyInput(codec: String, uncompressedSize: Int) -> ParquetError {
        ParquetError(
            code: .decompressedSizeMismatch,
            message: "\(codec) data of 0 bytes decodes to 0 bytes but its page header declares \(uncompressedSize)",
            codec: codec)
    }

    /// Decompresses `input` into a new array; see ``decompress(_:uncompressedSize:)-(UnsafeRawBufferPointer,_)``.
    public func decompress(_ input: [UInt8], uncompressedSize: Int) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompress($0, uncompressedSize: uncompressedSize) }
    }
}
