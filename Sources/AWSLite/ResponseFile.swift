#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file that receives a successful (2xx) response body as it arrives, so a large object never
/// sits in memory. Error responses are still collected in memory, to be parsed.
///
/// Safety (`@unchecked Sendable`): the descriptor is used by one request at a time; attempts of
/// one request run one after another.
final class ResponseFile: @unchecked Sendable {
    let path: String
    private let descriptor: Int32
    /// Bytes written since the last ``rewind()``.
    private(set) var written = 0
    /// The `errno` of the last failed write, if any.
    private(set) var writeError: Int32?

    /// Creates (or truncates) `path` for writing, mode 0644.
    init(creating path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AWSError(
                code: .localFileFailure, message: "\(path) cannot be created: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { _ = close(descriptor) }

    /// Empties the file, before a new attempt writes it again.
    func rewind() throws {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw AWSError(
                code: .localFileFailure, message: "\(path) cannot be truncated: \(String(cString: strerror(errno)))")
        }
        written = 0
        writeError = nil
    }

    /// Writes all of `bytes`; `false` (with ``writeError`` set) when the disk refuses.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = posixWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                writeError = errno
                return false
            }
            offset += count
        }
        written += bytes.count
        return true
    }

    /// Flushes the file to disk.
    func sync() throws {
        guard fsync(descriptor) == 0 else {
            throw AWSError(
                code: .localFileFailure, message: "\(path) cannot be synced: \(String(cString: strerror(errno)))")
        }
    }
}

/// `write(2)`, callable where a method of the same name hides it.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
