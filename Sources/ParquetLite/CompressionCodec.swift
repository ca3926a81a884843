import CSnappy
import CZstd

/// A page compression codec, as named by the Parquet `CompressionCodec` Thrift enum.
///
/// Use the static members: ``uncompressed``, ``snappy`` and ``zstd(level:)``. A codec is a value:
/// it holds no buffers and is safe to share between tasks.
public struct CompressionCodec: Sendable, Hashable, CustomStringConvertible {
    /// The codec's identifier in Parquet metadata (`CompressionCodec` in parquet.thrift).
    public let thriftValue: Int32
    /// The zstd compression level; `nil` for codecs without levels.
    public let level: Int32?

    private init(thriftValue: Int32, level: Int32? = nil) {
        self.thriftValue = thriftValue
        self.level = level
    }

    /// No compression: pages are stored as encoded.
    public static let uncompressed = CompressionCodec(thriftValue: 0)
    /// Snappy: fast, modest ratio.
    public static let snappy = CompressionCodec(thriftValue: 1)

    /// The zstd level used when none is given; the same default as zstd itself and pyarrow.
    public static let defaultZstdLevel: Int32 = 3

    /// Zstandard at the given level.
    ///
    /// - Parameter level: from `ZSTD_minCLevel()` (negative, fastest) to `ZSTD_maxCLevel()` (22);
    ///   the default is ``defaultZstdLevel``. Levels outside that range are rejected by
    ///   ``compress(_:appendingTo:)`` with ``ParquetError/Code/invalidArgument``.
    public static func zstd(level: Int32 = defaultZstdLevel) -> CompressionCodec {
        CompressionCodec(thriftValue: 6, level: level)
    }

    /// The codec's name as Parquet tools print it (`UNCOMPRESSED`, `SNAPPY`, `ZSTD`).
    public var name: String {
        switch thriftValue {
        case 0: "UNCOMPRESSED"
        case 1: "SNAPPY"
        case 6: "ZSTD"
        default: "CODEC(\(thriftValue))"
        }
    }

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
        default: try ZstdCodec.compress(input, level: level ?? Self.defaultZstdLevel, appendingTo: &output)
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
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptCompressedData``,
    ///   ``ParquetError/Code/decompressedSizeMismatch`` or, for a negative size,
    ///   ``ParquetError/Code/invalidArgument``.
    /// - Complexity: O(`uncompressedSize`).
    public func decompress(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        guard uncompressedSize >= 0 else {
            throw ParquetError(
                code: .invalidArgument,
                message: "\(name) page declares a negative uncompressed size (\(uncompressedSize))",
                codec: name
            )
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
        default: return try ZstdCodec.decompress(input, uncompressedSize: uncompressedSize)
        }
    }

    /// Decompresses `input` into a new array; see ``decompress(_:uncompressedSize:)-(UnsafeRawBufferPointer,_)``.
    public func decompress(_ input: [UInt8], uncompressedSize: Int) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompress($0, uncompressedSize: uncompressedSize) }
    }
}
