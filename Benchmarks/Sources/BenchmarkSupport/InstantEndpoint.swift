import Foundation

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
public final class InstantEndpoint: @unchecked Sendable {
    // Safety: `listener` and `response` are written only in `init`; `requests` is atomic enough
    // for a counter read after the clients stopped (guarded by a lock).
    private let listener: Int32
    private let response: [UInt8]
    private let lock = NSLock()
    private var served = 0

    /// The port it listens on, on 127.0.0.1.
    public let port: Int

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Requests answered so far.
    public var requestsServed: Int { lock.withLock { served } }

    /// Starts listening on a free loopback port.
    ///
    /// - Parameters:
    ///   - body: the response body sent to every request.
    ///   - contentType: its content type.
    public init(body: [UInt8], contentType: String) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EndpointError(call: "socket", number: errno) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 128) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ok else {
            let number = errno
            _ = close(descriptor)
            throw EndpointError(call: "bind/listen", number: number)
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
            + "x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n\r\n"
        response = Array(head.utf8) + body
        let thread = Thread { [self] in acceptLoop() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops accepting connections; open connections end when their client closes them.
    public func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        _ = close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var noDelay: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(connection) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Reads requests and answers each; returns when the peer closes or sends garbage.
    private func serve(_ connection: Int32) {
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
            guard sendAll(connection) else { return }
            lock.withLock { served += 1 }
        }
    }

    private func sendAll(_ connection: Int32) -> Bool {
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

/// A socket call failed while starting the endpoint.
public struct EndpointError: Error, CustomStringConvertible {
    /// The failing call.
    public let call: String
    /// `errno`.
    public let number: Int32
    public var description: String { "\(call) failed: \(String(cString: strerror(number)))" }
}
