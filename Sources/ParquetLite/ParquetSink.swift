#if canImport(Glibc)
    import Glibc
    private let systemClose = Glibc.close
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    import Darwin
    private let systemClose = Darwin.close
    private let systemWrite = Darwin.write
#endif

/// Where a ``ParquetWriter`` puts the file's bytes, in order, each byte once.
///
/// Implement it to send a file anywhere (an upload, a socket). The writer calls ``write(_:)``
/// with the header, then each column chunk as its row group closes, then the footer, and finally
/// ``close()``. A sink is used by one writer, from one task at a time.
public protocol ParquetSink: AnyObject {
    /// Takes the next bytes of the file.
    func write(_ bytes: [UInt8]) async throws
    /// Called once after the last write: flush and release what the sink holds.
    func close() async throws
}

/// Collects the file in memory; read ``bytes`` after the writer is closed.
public final class ParquetMemorySink: ParquetSink {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty sink; `capacity` reserves room up front.
    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends to ``bytes``, keeping the first write without a copy. Never throws.
    public func write(_ bytes: [UInt8]) async throws {
        if self.bytes.isEmpty {
            self.bytes = bytes  // the first write is taken as is, without a copy
        } else {
            self.bytes.append(contentsOf: bytes)
        }
    }

    /// Does nothing: the file stays readable in ``bytes``.
    public func close() async throws {}
}

/// Writes the file to a path: created or truncated, written sequentially, fsynced and closed
/// by ``close()``.
public final class ParquetFileSink: ParquetSink {
    /// The file's path.
    public let path: String
    private var descriptor: Int32

    /// Opens (creates or truncates) the file at `path` with mode 0644.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/sinkFailed`` and the system's reason.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ParquetError(
                code: .sinkFailed, message: "could not create \(path)", underlying: String(cString: strerror(errno)))
        }
    }

    deinit { if descriptor >= 0 { _ = systemClose(descriptor) } }

    /// Writes all of `bytes` at the end of the file, retrying partial writes and `EINTR`.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/sinkFailed`` and the system's reason (disk full,
    ///   I/O error).
    public func write(_ bytes: [UInt8]) async throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ParquetError(
                        code: .sinkFailed, message: "could not write to \(path)",
                        underlying: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
    }

    /// Flushes the file to disk with `fsync`, then closes it, so that a file reported written survives a crash;
    /// later calls do nothing.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/sinkFailed`` when `fsync` or `close` fails; the
    ///   descriptor is released either way.
    public func close() async throws {
        guard descriptor >= 0 else { return }
        defer { descriptor = -1 }
        let synced = fsync(descriptor) == 0
        let reason = synced ? "" : String(cString: strerror(errno))
        let closed = systemClose(descriptor) == 0
        guard synced, closed else {
            throw ParquetError(
                code: .sinkFailed, message: "could not finish writing \(path)",
                underlying: synced ? String(cString: strerror(errno)) : reason)
        }
    }
}

/// Hands the file on in parts of at least ``partSize`` bytes (the last may be smaller): the shape
/// of an S3 multipart upload, whose parts must be at least 5 MiB except the last.
public final class ParquetStreamingSink: ParquetSink {
    /// The smallest part handed on, except the last.
    public let partSize: Int
    private let deliver: (_ part: [UInt8], _ isLast: Bool) async throws -> Void
    private var pending: [UInt8] = []
    private var closed = false

    /// A sink that calls `deliver` with each part, in order; `isLast` is `true` for the final
    /// part (possibly empty, for an empty file's tail).
    ///
    /// - Parameter partSize: default 8 MiB.
    public init(partSize: Int = 8 << 20, deliver: @escaping (_ part: [UInt8], _ isLast: Bool) async throws -> Void) {
        self.partSize = max(1, partSize)
        self.deliver = deliver
    }

    /// Buffers `bytes` and hands on each complete part, so the file is never held whole: a part handed on here is
    /// at least ``partSize`` bytes and less than twice that.
    ///
    /// - Throws: what `deliver` throws.
    public func write(_ bytes: [UInt8]) async throws {
        pending.append(contentsOf: bytes)
        while pending.count >= partSize * 2 {
            try await deliver(Array(pending[0..<partSize]), false)
            pending.removeFirst(partSize)
        }
        if pending.count >= partSize {
            let part = pending
            pending = []
            try await deliver(part, false)
        }
    }

    /// Hands on what is left as the last part (`isLast: true`, possibly empty). Later calls do nothing, even after
    /// a failure, so a failed final part is not retried.
    ///
    /// - Throws: what `deliver` throws.
    public func close() async throws {
        guard !closed else { return }
        closed = true
        let part = pending
        pending = []
        try await deliver(part, true)
    }
}
