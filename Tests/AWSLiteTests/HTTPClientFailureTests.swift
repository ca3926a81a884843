import AWSLite
import LakehouseTestSupport
import Testing

@Suite("HTTP client failures")
struct HTTPClientFailureTests {
    @Test("the linked libcurl speaks HTTP and HTTPS")
    func libcurlFeatures() throws {
        let major = try #require(Int(Libcurl.version.split(separator: ".").first ?? ""))
        #expect(major >= 7, "libcurl \(Libcurl.version)")
        #expect(Libcurl.protocols.contains("http"))
        #expect(Libcurl.protocols.contains("https"))
        #expect(Libcurl.tlsBackend != nil)
    }

    @Test("a refused connection is a network failure that hides the query string")
    func refusedConnection() async throws {
        let port = try LoopbackSockets.closedPort()
        let logs = CapturedLogs()
        let client = HTTPClient(logger: logs.logger())
        let url = "http://127.0.0.1:\(port)/bucket/key?X-Amz-Signature=deadbeefsignature"
        let error = try await #require(throws: AWSError.self) {
            _ = try await client.execute(HTTPRequest(method: "GET", url: url))
        }
        #expect(error.code == .networkFailure)
        #expect(error.operation == "GET")
        #expect(error.message.contains("127.0.0.1:\(port)/bucket/key"))
        #expect(!"\(error)".contains("deadbeefsignature"))
        #expect(logs.contains("HTTP request failed"))
        #expect(!logs.contains("deadbeefsignature"))
    }

    @Test("a server that never answers ends at the request timeout")
    func stalledServer() async throws {
        let listener = try StalledListener()
        defer { listener.close() }
        let client = HTTPClient(
            configuration: .init(connectTimeout: .seconds(2), requestTimeout: .milliseconds(300)),
            logger: CapturedLogs().logger())
        let error = try await #require(throws: AWSError.self) {
            _ = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(listener.port)/"))
        }
        #expect(error.code == .timeout, "\(error)")
    }

    @Test("a URL libcurl cannot use is an invalid request", arguments: ["not a url", "ftp://127.0.0.1/file"])
    func invalidURL(url: String) async throws {
        let client = HTTPClient(logger: CapturedLogs().logger())
        let error = try await #require(throws: AWSError.self) {
            _ = try await client.execute(HTTPRequest(method: "GET", url: url))
        }
        #expect(error.code == .invalidRequest, "\(error)")
    }

    @Test("redacted URLs keep the path and drop the query")
    func redaction() {
        #expect(HTTPRequest(method: "GET", url: "http://h/b/k?a=1&sig=2").redactedURL == "http://h/b/k?…")
        #expect(HTTPRequest(method: "GET", url: "http://h/b/k").redactedURL == "http://h/b/k")
    }
}
