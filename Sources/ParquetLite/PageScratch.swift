import CZstd
import Synchronization

/// Where a column chunk's pages are decompressed: one buffer reused page after page, and one
/// zstd decompression context. Scratches are lent from a small process-wide pool, so that
/// reading file after file neither allocates (and faults in) a page buffer per page nor creates
/// a zstd context per page.
///
/// A scratch is used by one thread at a time: the pool lends it to one reader of one chunk.
final class PageScratch: @unchecked Sendable {
    /// At most this many idle scratches are kept (a few per core).
    private static let keptIdle = 8
    /// A buffer larger than this is freed when its scratch goes back to the pool.
    private static let keptBytes = 16 << 20
    private static let idle = Mutex<[PageScratch]>([])

    private var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var zstdContext: OpaquePointer?

    deinit {
        buffer.deallocate()
        if let zstdContext { ZSTD_freeDCtx(zstdContext) }
    }

    /// Runs `body` with a scratch of its own, then takes the scratch back.
    static func borrow<T>(_ body: (PageScratch) throws -> T) rethrows -> T {
        let scratch = idle.withLock { $0.popLast() } ?? PageScratch()
        defer {
            if scratch.buffer.count > keptBytes {
                scratch.buffer.deallocate()
                scratch.buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
            }
            idle.withLock { if $0.count < keptIdle { $0.append(scratch) } }
        }
        return try body(scratch)
    }

    /// `size` bytes of the buffer, grown if needed (its old contents are not kept).
    private func room(_ size: Int) -> UnsafeMutableRawBufferPointer {
        if buffer.count < size {
            buffer.deallocate()
            // Grown with a margin, so that pages of slightly different sizes reuse the buffer.
            buffer = .allocate(byteCount: max(size, size + size / 4, 64 << 10), alignment: 16)
        }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size])
    }

    /// Decompresses `body` into exactly the `size` bytes its page header declares. The bytes
    /// returned are valid until the next call, or are `body` itself for an uncompressed page.
    ///
    /// - Throws: ``ParquetError`` as ``CompressionCodec/decompress(_:uncompressedSize:)-(UnsafeRawBufferPointer,_)``
    ///   does, for the same faults.
    func decompress(_ codec: CompressionCodec, _ body: UnsafeRawBufferPointer, uncompressedSize size: Int) throws
        -> UnsafeRawBufferPointer
    {
        guard size >= 0 else {
            throw ParquetError(
                code: .invalidArgument,
                message: "\(codec.name) page declares a negative uncompressed size (\(size))", codec: codec.name)
        }
        if body.isEmpty {
            guard size == 0 else { throw CompressionCodec.emptyInput(codec: codec.name, uncompressedSize: size) }
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        switch codec.thriftValue {
        case 0:
            guard body.count == size else {
                throw ParquetError(
                    code: .decompressedSizeMismatch,
                    message: "uncompressed page holds \(body.count) bytes but its header declares \(size)",
                    codec: codec.name)
            }
            return body
        case 1:
            try SnappyCodec.checkSize(body, uncompressedSize: size)
            let output = room(size)
            try SnappyCodec.decompress(body, into: output)
            return UnsafeRawBufferPointer(output)
        case 6:
            try ZstdCodec.checkSize(body, uncompressedSize: size)
            if zstdContext == nil { zstdContext = ZSTD_createDCtx() }
            let output = room(size)
            try ZstdCodec.decompress(body, into: output, context: zstdContext)
            return UnsafeRawBufferPointer(output)
        default:
            let decoded = try codec.decompress(body, uncompressedSize: size)
            let output = room(size)
            decoded.withUnsafeBytes { output.copyMemory(from: $0) }
            return UnsafeRawBufferPointer(output)
        }
    }
}
