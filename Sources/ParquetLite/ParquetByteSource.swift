#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where ``ParquetReader`` gets a file's bytes: any random-access store that can hand out a
/// byte range. The reader asks for the footer first, then only for the column chunks it needs,
/// one at a time (or one per core), so memory follows the chunks read, not the file.
public protocol ParquetByteSource: Sendable {
    /// The file's size in bytes.
    var size: Int { get }
    /// The bytes of `range`, which lies within `0..<size`.
    ///
    /// - Throws: any error; the reader passes it on.
    func read(_ range: Range<Int>) throws -> [UInt8]
    /// An array holding the bytes of `range`, and where in it they lie: what the reader decodes
    /// a column chunk from. The default copies them with ``read(_:)``; a source that already
    /// holds the file in an array returns that array whole, so that nothing is copied.
    ///
    /// - Throws: whatever ``read(_:)`` throws.
    func bytes(holding range: Range<Int>) throws -> (storage: [UInt8], range: Range<Int>)
}

extension ParquetByteSource {
    /// Copies `range` with ``read(_:)``: the bytes, and all of them.
    public func bytes(holding range: Range<Int>) throws -> (storage: [UInt8], range: Range<Int>) {
        let bytes = try read(range)
        return (bytes, bytes.indices)
    }
}

/// A whole file held in memory.
public struct ParquetBufferSource: ParquetByteSource {
    /// The whole file.
    public let bytes: [UInt8]
    /// The file's length in bytes: `bytes.count`.
    public var size: Int { bytes.count }

    /// Wraps a file already in memory; the array is shared, not copied.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Copies `range` out of ``bytes``. Never throws; `range` must lie within the file, as the reader ensures.
    public func read(_ range: Range<Int>) throws -> [UInt8] { Array(bytes[range]) }

    /// The whole file and `range` in it: nothing is copied.
    public func bytes(holding range: Range<Int>) throws -> (storage: [UInt8], range: Range<Int>) { (bytes, range) }
}

/// A local file, read with `pread` range by range; the descriptor closes when the source is
/// released.
public final class ParquetFileSource: ParquetByteSource {
    /// The path the file was opened at, for error messages.
    public let path: String
    /// The file's size in bytes when it was opened; a file that shrinks later fails its reads.
    public let size: Int
    private let descriptor: Int32

    /// Opens `path` for reading.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` when the file cannot
    ///   be opened or is not a regular file.
    public init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ParquetError(
                code: .invalidArgument, message: "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw ParquetError(code: .invalidArgument, message: "'\(path)' is not a regular file")
        }
        self.path = path
        self.size = Int(status.st_size)
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Reads `range` with `pread`, retrying short reads and `EINTR`; safe to call from several threads at once.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` when the read fails or the file has
    ///   become shorter than `range` since it was opened.
    public func read(_ range: Range<Int>) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            while initialized < range.count {
                let got = pread(
                    descriptor, buffer.baseAddress! + initialized, range.count - initialized,
                    off_t(range.lowerBound + initialized))
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else {
                    throw ParquetError(
                        code: .invalidArgument,
                        message:
                            "reading bytes \(range.lowerBound + initialized)..<\(range.upperBound) of '\(path)' failed: "
                            + (got == 0
                                ? "the file is shorter than when it was opened" : String(cString: strerror(errno))))
                }
                initialized += got
            }
        }
    }
}

/// Byte ranges the caller fetched (for example with ranged GETs from S3): the footer first, then
/// the ranges ``ParquetReader/byteRanges(rowGroup:columns:)`` names. Asking for a range that was
/// not fetched raises an error naming it.
public struct ParquetFetchedRanges: ParquetByteSource {
    /// The whole file's size in bytes, as the store reported it (for S3, the object's `Content-Length`).
    public let size: Int
    private var pieces: [(offset: Int, bytes: [UInt8])] = []

    /// An empty set of ranges of a file of `size` bytes.
    public init(size: Int) { self.size = size }

    /// Adds the bytes fetched from `offset`.
    public mutating func add(_ bytes: [UInt8], at offset: Int) {
        pieces.append((offset, bytes))
        pieces.sort { $0.offset < $1.offset }
    }

    /// Copies `range` out of the one added piece that holds all of it; ranges are not stitched across pieces.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` naming the range when no single
    ///   piece covers it, that is, when it was not fetched.
    public func read(_ range: Range<Int>) throws -> [UInt8] {
        let held = try bytes(holding: range)
        return Array(held.storage[held.range])
    }

    /// The added piece that holds all of `range`, and where `range` lies in it: nothing is copied.
    ///
    /// - Throws: as ``read(_:)``.
    public func bytes(holding range: Range<Int>) throws -> (storage: [UInt8], range: Range<Int>) {
        for piece in pieces
        where piece.offset <= range.lowerBound && range.upperBound <= piece.offset + piece.bytes.count {
            return (piece.bytes, (range.lowerBound - piece.offset)..<(range.upperBound - piece.offset))
        }
        throw ParquetError(
            code: .invalidArgument,
            message:
                "bytes \(range.lowerBound)..<\(range.upperBound) were not fetched; fetch the ranges byteRanges(rowGroup:columns:) names"
        )
    }
}
