import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback HTTP/1.1 server that answers each request with the next scripted ``Action``, for
/// faults a real service cannot be made to produce: throttling, 500s, dropped connections, stalls.
///
/// It reads each request (headers and a `Content-Length` body), records it, and acts. When the
/// script runs out it repeats the last action. Each connection is served on its own thread.
/// A handler can stand in for the script, for doubles of behaviour a local service lacks
/// (``KinesisDouble``).
public final class FaultServer: Sendable {
    /// What to do with one request.
    public enum Action: Sendable {
        /// Answer with this status, headers and body (`Content-Length` is added).
        case respond(status: Int, headers: [(String, String)], body: String)
        /// Announce `declaredLength` body bytes, send only `body`, then close the connection.
        case truncate(status: Int, body: String, declaredLength: Int)
        /// Close the connection without answering.
        case drop
        /// Answer nothing for this long, then close.
        case stall(seconds: Int)
    }

    /// A request the server received.
    public struct Request: Sendable {
        /// The request line, for example `POST / HTTP/1.1`.
        public let line: String
        /// The headers, names as sent.
        public let headers: [(String, String)]
        /// The body.
        public let body: [UInt8]
        /// When the server had read the whole request, by its own thread's clock: a test that
        /// times a client from here is not delayed by the test process's busy task threads.
        public let received: ContinuousClock.Instant

        /// The first header named `name`, compared case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    private let acceptor: LoopbackAcceptor
    private let responder: Responder

    /// Starts serving `script` on a free loopback port.
    public convenience init(script: [Action]) throws {
        let remaining = Mutex(script)
        try self.init { _ in
            remaining.withLock { script in
                script.count > 1 ? script.removeFirst() : script.first ?? .drop
            }
        }
    }

    /// Starts serving on a free loopback port, answering each request with what `handler`
    /// returns — for a test double that keeps state across requests. The handler may be called
    /// from several connection threads at once.
    public init(handler: @escaping @Sendable (Request) -> Action) throws {
        let responder = Responder(handler: handler)
        self.responder = responder
        acceptor = try LoopbackAcceptor(backlog: 64) { responder.serve($0) }
    }

    /// The port it listens on, on 127.0.0.1.
    public var port: Int { acceptor.port }

    /// `http://127.0.0.1:<port>`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    public var requests: [Request] { responder.requests.withLock { $0 } }

    /// When each client closed a stalled connection before the stall ended, in order: the
    /// moment a client gave up on a request (a timeout, a cancelled task), seen by the server.
    /// Bytes a client sends during a stall are dropped; only the end of its stream counts.
    public var hangUps: [ContinuousClock.Instant] { responder.hangUps.withLock { $0 } }

    /// Stops accepting connections.
    public func stop() { acceptor.stop() }
}

/// Reads requests and acts out the script, for every connection of one server.
private final class Responder: Sendable {
    let requests = Mutex<[FaultServer.Request]>([])
    let hangUps = Mutex<[ContinuousClock.Instant]>([])
    let handler: @Sendable (FaultServer.Request) -> FaultServer.Action

    init(handler: @escaping @Sendable (FaultServer.Request) -> FaultServer.Action) { self.handler = handler }

    func serve(_ connection: Int32) {
        defer { _ = close(connection) }
        var buffer: [UInt8] = []
        while let request = readRequest(connection, buffer: &buffer) {
            requests.withLock { $0.append(request) }
            let action = handler(request)
            switch action {
            case .drop: return
            case .stall(let seconds):
                // Answer nothing until the client gives up (closes) or the time passes.
                if hungUp(connection, within: .seconds(seconds)) {
                    let now = ContinuousClock.now
                    hangUps.withLock { $0.append(now) }
                }
                return
            case .respond(let status, let headers, let body):
                var text = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.utf8.count)\r\n"
                for (name, value) in headers { text += "\(name): \(value)\r\n" }
                text += "\r\n" + body
                guard sendAll(connection, Array(text.utf8)) else { return }
            case .truncate(let status, let body, let declaredLength):
                let text = "HTTP/1.1 \(status) Status\r\nContent-Length: \(declaredLength)\r\n\r\n" + body
                _ = sendAll(connection, Array(text.utf8))
                return
            }
        }
    }

    /// Whether the client closed `connection` (or it failed) before `time` passed. Bytes the
    /// client sends meanwhile are read and dropped: only the end of the stream is a hang-up.
    private func hungUp(_ connection: Int32, within time: Duration) -> Bool {
        let deadline = ContinuousClock.now + time
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            guard deadline > ContinuousClock.now else { return false }
            // In slices of at most 100 ms, so that the deadline needs no conversion to a timeout.
            var poller = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            guard ready > 0 else { return false }
            if poller.revents & Int16(POLLHUP | POLLERR) != 0 { return true }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
        }
    }

    private func sendAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    private func readRequest(_ connection: Int32, buffer: inout [UInt8]) -> FaultServer.Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if let found = buffer.indices.dropLast(3).first(where: { buffer[$0..<($0 + 4)].elementsEqual(separator) }) {
                headerEnd = found
                break
            }
            guard receive(connection, into: &buffer) else { return nil }
        }
        let head = String(decoding: buffer[..<headerEnd!], as: UTF8.self)
        var lines = head.split(separator: "\r\n").map(String.init)
        let line = lines.isEmpty ? "" : lines.removeFirst()
        let headers = lines.compactMap { text -> (String, String)? in
            guard let colon = text.firstIndex(of: ":") else { return nil }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]).trimmingCharacters())
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        let bodyStart = headerEnd! + 4
        while buffer.count < bodyStart + length { guard receive(connection, into: &buffer) else { return nil } }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return FaultServer.Request(line: line, headers: headers, body: body, received: .now)
    }

    private func receive(_ connection: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
