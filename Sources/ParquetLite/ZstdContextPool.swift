import CZstd
import Synchronization

/// zstd compression contexts for a writer's pages, reused across pages and lent to one thread
/// at a time: creating a context per page costs more than compressing a small page.
final class ZstdContextPool: Sendable {
    /// Contexts not lent out (as addresses, which are Sendable).
    private let idle = Mutex<[UInt]>([])

    deinit {
        for address in idle.withLock({ $0 }) { ZSTD_freeCCtx(OpaquePointer(bitPattern: address)) }
    }

    /// Runs `body` with a context of its own, then takes the context back.
    func withContext<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        let lent = idle.withLock { $0.popLast() }.flatMap { OpaquePointer(bitPattern: $0) } ?? ZSTD_createCCtx()
        guard let context = lent else {
            throw ParquetError(code: .compressionFailed, message: "zstd could not allocate a context", codec: "ZSTD")
        }
        defer { idle.withLock { $0.append(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(context)))) } }
        return try body(context)
    }
}
