import CCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libcurl easy handle and the response it is collecting.
///
/// A handle keeps its connections open between requests, so the client reuses handles rather
/// than making one per request.
///
/// Safety (`@unchecked Sendable`): a handle is used by one thread at a time. ``HTTPClient`` owns
/// each handle either in its lock-protected idle list or in exactly one running request.
final class CurlEasyHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private var collected = ResponseCollector()
    /// Where a 2xx body goes instead of memory, for the current request.
    private var file: ResponseFile?
    /// Raised to abandon the current request (its task was cancelled).
    private var cancel: CancelFlag?

    init?() {
        guard Libcurl.initialized, let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Performs `request` and returns the response, or throws an ``AWSError`` for a transport
    /// failure. HTTP error statuses are responses, not errors, at this level.
    ///
    /// - Parameter file: receives a 2xx body as it arrives (the response's body is then empty);
    ///   other bodies are collected in memory.
    func perform(
        _ request: HTTPRequest, configuration: HTTPClient.Configuration, file: ResponseFile? = nil,
        cancel: CancelFlag? = nil
    ) throws -> HTTPResponse {
        // Reset clears every option from the last request but keeps the connection cache.
        curl_easy_reset(handle)
        collected = ResponseCollector()
        self.file = file
        self.cancel = cancel
        defer {
            self.file = nil
            self.cancel = nil
        }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // A header with no value removes one curl would add: `Expect: 100-continue` on large
        // uploads costs a round trip, and the form content type that POSTFIELDS implies makes
        // some servers parse a binary body as a form.
        var suppressed = ["Expect:"]
        if !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            suppressed.append("Content-Type:")
        }
        // A line break in a header (a region or name from a bad setting) would start another header.
        for header in request.headers
        where (header.name + header.value).utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
            throw AWSError(
                code: .invalidRequest,
                message: "the \(header.name) header of \(request.method) \(request.redactedURL) holds a line break "
                    + "or NUL; check the setting it comes from (region, bucket, stream or endpoint)",
                operation: request.method)
        }
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + suppressed {
            headerList = curl_slist_append(headerList, line)
        }

        var failure: CURLcode = CURLE_OK
        func set(_ option: CURLoption, _ value: Int) {
            if failure == CURLE_OK { failure = ccurl_easy_setopt_long(handle, option, value) }
        }
        func set(_ option: CURLoption, _ value: String) {
            if failure == CURLE_OK { failure = ccurl_easy_setopt_string(handle, option, value) }
        }

        set(CURLOPT_URL, request.url)
        set(CURLOPT_NOSIGNAL, 1)  // signals and threads do not mix; timeouts still work
        set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        set(CURLOPT_TIMEOUT_MS, configuration.requestTimeout.milliseconds)
        // Fail a transfer that moves less than a byte a second for the stall timeout.
        set(CURLOPT_LOW_SPEED_LIMIT, 1)
        set(CURLOPT_LOW_SPEED_TIME, max(1, Int(configuration.stallTimeout.components.seconds)))
        set(CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0)
        set(CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0)
        set(CURLOPT_USERAGENT, configuration.userAgent)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        if failure == CURLE_OK { failure = ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) }
        switch request.method {
        case "GET": set(CURLOPT_HTTPGET, 1)
        case "HEAD": set(CURLOPT_NOBODY, 1)
        default: set(CURLOPT_CUSTOMREQUEST, request.method)
        }

        let collector = Unmanaged.passUnretained(self).toOpaque()
        if failure == CURLE_OK { failure = ccurl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, collectBody) }
        if failure == CURLE_OK { failure = ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, collector) }
        if failure == CURLE_OK {
            failure = ccurl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, collectHeader)
        }
        if failure == CURLE_OK { failure = ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, collector) }
        if cancel != nil {
            // libcurl calls this at least once a second, also while nothing moves.
            set(CURLOPT_NOPROGRESS, 0)
            if failure == CURLE_OK { failure = ccurl_easy_setopt_progress_callback(handle, checkCancel) }
            if failure == CURLE_OK { failure = ccurl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, collector) }
        }

        let code: CURLcode = request.body.withUnsafeBytes { body in
            if failure == CURLE_OK, request.method != "GET", request.method != "HEAD" {
                // POSTFIELDS with an explicit size sends the body as is (binary-safe, no copy),
                // whatever the method; an empty body still sends `Content-Length: 0`.
                failure = ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                if failure == CURLE_OK {
                    let address = body.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                    failure = ccurl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, address ?? emptyBody)
                }
            }
            guard failure == CURLE_OK else { return failure }
            return curl_easy_perform(handle)
        }
        if code == CURLE_WRITE_ERROR, let file, let number = file.writeError {
            throw AWSError(
                code: .localFileFailure,
                message: "writing the response of \(request.method) \(request.redactedURL) to \(file.path) failed: "
                    + String(cString: strerror(number)),
                operation: request.method)
        }
        guard code == CURLE_OK else { throw Self.error(for: code, request: request) }
        var status = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collected.headers, body: collected.body)
    }

    /// Takes a chunk of the body; `false` stops the transfer (the file could not be written).
    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let file {
            // Decided once per response, at its first chunk: the status is known by then.
            if collected.bodyGoesToFile == nil {
                var status = 0
                _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                collected.bodyGoesToFile = (200..<300).contains(status)
            }
            if collected.bodyGoesToFile == true { return file.write(bytes) }
        }
        collected.body.append(contentsOf: bytes)
        return true
    }

    fileprivate var isCancelled: Bool { cancel?.isRaised ?? false }

    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        if line.hasPrefix("HTTP/") {
            // A new status line (after `100 Continue` or a redirect): only the final response counts.
            collected.headers.removeAll()
            collected.bodyGoesToFile = nil
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
            collected.headers.append((name, value))
        }
    }

    private static func error(for code: CURLcode, request: HTTPRequest) -> AWSError {
        let reason = String(cString: curl_easy_strerror(code))
        let target = "\(request.method) \(request.redactedURL)"
        switch code {
        case CURLE_ABORTED_BY_CALLBACK:
            return AWSError(
                code: .cancelled, message: "\(target) was abandoned: its task was cancelled", operation: request.method)
        case CURLE_OPERATION_TIMEDOUT:
            return AWSError(
                code: .timeout,
                message: "\(target) timed out (\(reason)); raise the timeout or check the endpoint",
                operation: request.method)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
            CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR:
            return AWSError(
                code: .networkFailure,
                message: "\(target) failed: \(reason); check that the endpoint is running and reachable",
                operation: request.method)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return AWSError(
                code: .tlsVerificationFailed,
                message: "\(target): the server's TLS certificate could not be verified (\(reason)); "
                    + "install its CA, or turn verifyTLS off only for a local endpoint with a self-signed certificate",
                operation: request.method)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return AWSError(
                code: .invalidRequest,
                message: "\(target) cannot be sent: \(reason); URLs must be absolute http:// or https:// URLs",
                operation: request.method)
        default:
            return AWSError(code: .transportFailure, message: "\(target) failed: \(reason)", operation: request.method)
        }
    }
}

/// What the callbacks have received of the current response.
private struct ResponseCollector {
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Whether the body is written to the request's file (a 2xx response) or collected.
    var bodyGoesToFile: Bool?
}

/// A valid address for an empty request body; libcurl reads zero bytes from it.
private nonisolated(unsafe) let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

private let collectBody: ccurl_data_callback = { data, size, count, context in
    let length = size * count
    guard let context else { return 0 }
    let handle = Unmanaged<CurlEasyHandle>.fromOpaque(context).takeUnretainedValue()
    return handle.appendBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private let checkCancel: ccurl_progress_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    let handle = Unmanaged<CurlEasyHandle>.fromOpaque(context).takeUnretainedValue()
    return handle.isCancelled ? 1 : 0
}

/// A flag a cancelled task raises for the request it waits on.
final class CancelFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    func raise() { raised.store(true, ordering: .relaxed) }
    var isRaised: Bool { raised.load(ordering: .relaxed) }
}

private let collectHeader: ccurl_data_callback = { data, size, count, context in
    let length = size * count
    guard let context else { return 0 }
    let handle = Unmanaged<CurlEasyHandle>.fromOpaque(context).takeUnretainedValue()
    handle.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

extension Duration {
    /// Whole milliseconds, at least 1 (libcurl treats 0 as "no timeout").
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    fileprivate func trimmingWhitespace() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
