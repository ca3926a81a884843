#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loopback TCP sockets for tests of failure paths that a real service cannot be made to show:
/// a port nobody listens on, and a server that accepts connections but never answers.
public enum LoopbackSockets {
    /// An error creating a test socket; `call` names the failing system call.
    public struct Failure: Error, CustomStringConvertible {
        /// The system call that failed (`socket`, `bind`, `listen`, `getsockname`…).
        public let call: String
        /// The `errno` the call left.
        public let errorNumber: Int32
        /// The call and `strerror` of its error number, as a test failure prints them.
        public var description: String { "\(call) failed: \(String(cString: strerror(errorNumber)))" }
    }

    /// A TCP socket listening on 127.0.0.1 at a free port.
    ///
    /// - Parameter backlog: the `listen(2)` backlog.
    /// - Returns: the descriptor (the caller closes it) and the port.
    public static func listen(backlog: Int32) throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", errorNumber: errno) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let failedCall: String? = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                if bind(descriptor, socketAddress, length) != 0 { return "bind" }
                if systemListen(descriptor, backlog) != 0 { return "listen" }
                if getsockname(descriptor, socketAddress, &length) != 0 { return "getsockname" }
                return nil
            }
        }
        if let failedCall {
            let number = errno
            closeSocket(descriptor)
            throw Failure(call: failedCall, errorNumber: number)
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A loopback TCP port that nothing listens on: bound to find a free one, then closed.
    public static func closedPort() throws -> Int {
        let listener = try StalledListener()
        let port = listener.port
        listener.close()
        return port
    }
}

/// A socket listening on 127.0.0.1 that never accepts: the kernel completes TCP handshakes into
/// its backlog, so a client connects and then waits forever for a response. Closed on `close()`
/// or deinitialisation.
public final class StalledListener: @unchecked Sendable {
    // Safety: `descriptor` is written only by `close()`, which tests call once, after use.
    private var descriptor: Int32
    /// The port it listens on.
    public let port: Int

    /// Opens the listener on a free loopback port.
    public init() throws {
        (descriptor, port) = try LoopbackSockets.listen(backlog: 16)
    }

    /// Stops listening; later connections are refused.
    public func close() {
        if descriptor >= 0 { closeSocket(descriptor) }
        descriptor = -1
    }

    deinit { close() }
}

private func closeSocket(_ descriptor: Int32) { _ = close(descriptor) }

/// `listen(2)`, callable where a method of the same name hides it.
private func systemListen(_ descriptor: Int32, _ backlog: Int32) -> Int32 { listen(descriptor, backlog) }
