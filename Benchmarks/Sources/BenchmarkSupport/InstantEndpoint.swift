import LakehouseTestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback HTTP/1.1 endpoint that answers every request at once with one fixed response, so
/// that a benchmark measures the client, not the service.
///
/// Each connection is served by its own thread; requests are read (headers, then a
/// `Content-Length` body) into one reused buffer and discarded. Keep-alive is honoured.
public final class InstantEndpoint: Sendable {
    private let acceptor: LoopbackAcceptor

    /// The port it listens on, on 127.0.0.1.
    public var port: Int { acceptor.port }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts listening on a free loopback port.
    ///
    /// - Parameters:
    ///   - body: the response body sent to every request.
    ///   - contentType: its content type.
    public init(body: [UInt8], contentType: String) throws {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
            + "x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n\r\n"
        let response = Array(head.utf8) + body
        acceptor = try LoopbackAcceptor(backlog: 128) { Self.serve($0, response: response) }
    }

    /// Stops accepting connections; open connections end when their client closes them.
    public func stop() { acceptor.stop() }

    /// Reads requests and answers each; returns when the peer closes or sends garbage.
    private static func serve(_ connection: Int32, response: [UInt8]) {
        defer { _ = close(connection) }
        let capacity = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var filled = 0
        while true {
            // Read until the end of the headers is in the buffer.
            var headerEnd = -1
            var scanned = 0
            while headerEnd < 0 {
                headerEnd = Self.find(buffer, from: max(0, scanned - 3), to: filled)
                if headerEnd >= 0 { break }
                scanned = filled
                guard filled < capacity else { return }
                let count = recv(connection, buffer + filled, capacity - filled, 0)
                guard count > 0 else { return }
                filled += count
            }
            let bodyStart = headerEnd + 4
            var remaining = Self.contentLength(buffer, upTo: headerEnd) - (filled - bodyStart)
            // Discard the body, reading it into the same buffer.
            while remaining > 0 {
                let count = recv(connection, buffer, min(capacity, remaining), 0)
                guard count > 0 else { return }
                remaining -= count
            }
            // Keep pipelined bytes that belong to the next request.
            let extra = -remaining
            if extra > 0 {
                memmove(buffer, buffer + (filled - extra), extra)
            }
            filled = extra
            guard sendAll(connection, response) else { return }
        }
    }

    private static func sendAll(_ connection: Int32, _ response: [UInt8]) -> Bool {
        response.withUnsafeBytes { bytes in
            var sent = 0
            while sent < bytes.count {
                let count = send(connection, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                guard count > 0 else { return false }
                sent += count
            }
            return true
        }
    }

    /// The offset of the first `\r\n\r\n` in `buffer[from..<to]`, or -1.
    private static func find(_ buffer: UnsafeMutablePointer<UInt8>, from: Int, to: Int) -> Int {
        var index = from
        while index + 3 < to {
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return -1
    }

    /// The value of the `Content-Length` header in the head `buffer[0..<end]`, or 0.
    private static func contentLength(_ buffer: UnsafeMutablePointer<UInt8>, upTo end: Int) -> Int {
        let head = String(decoding: UnsafeBufferPointer(start: buffer, count: end), as: UTF8.self).lowercased()
        guard let range = head.range(of: "\r\ncontent-length:") else { return 0 }
        let digits = head[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }
        return Int(digits) ?? 0
    }
}
