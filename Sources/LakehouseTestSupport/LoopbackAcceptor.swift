import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Accepts TCP connections on a free 127.0.0.1 port and serves each on a thread of its own
/// (never one of Dispatch's workers, which a stalled connection would hold), with `TCP_NODELAY`.
/// The building block of the test and benchmark servers.
public final class LoopbackAcceptor: Sendable {
    private let listener: Int32
    /// The port it listens on.
    public let port: Int

    /// Starts accepting; `serve` gets each connection's descriptor and must close it.
    public init(backlog: Int32 = 64, serve: @escaping @Sendable (Int32) -> Void) throws {
        (listener, port) = try LoopbackSockets.listen(backlog: backlog)
        let listener = self.listener
        let thread = Thread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                var noDelay: Int32 = 1
                setsockopt(
                    connection, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
                Thread { serve(connection) }.start()
            }
        }
        thread.start()
    }

    /// Stops accepting connections; open ones are left to their handlers.
    public func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        _ = close(listener)
    }
}
