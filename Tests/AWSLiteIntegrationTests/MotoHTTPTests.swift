import AWSLite
import LakehouseTestSupport
import Testing

@Suite("libcurl HTTP against moto")
struct MotoHTTPTests {
    let services: TestServices
    let logs = CapturedLogs()

    init() throws { services = try TestServices.require() }

    @Test("GET of the S3 service root answers with a bucket listing")
    func getServiceRoot() async throws {
        let client = HTTPClient(logger: logs.logger())
        let response = try await client.execute(HTTPRequest(method: "GET", url: services.awsEndpoint + "/"))
        #expect(response.status == 200)
        #expect(response.bodyText.contains("ListAllMyBucketsResult"), "\(response.bodyText.prefix(200))")
        #expect(response.header("content-type")?.contains("xml") == true)
        #expect(logs.contains("HTTP request finished"))
    }

    @Test("a 1 MiB binary body goes up and comes back byte for byte; statuses are returned, not thrown")
    func binaryRoundTrip() async throws {
        let client = HTTPClient(logger: logs.logger())
        let bucket = services.awsEndpoint + "/" + uniqueName("curl").replacingUnderscores()
        #expect(try await client.execute(HTTPRequest(method: "PUT", url: bucket)).status == 200)

        var generator = SystemRandomNumberGenerator()
        let body = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        // Unsigned requests are anonymous to moto, which enforces ACLs on anonymous reads (SigV4
        // arrives with the S3 client): the object is made public-read so that a plain GET may read it.
        let put = try await client.execute(
            HTTPRequest(method: "PUT", url: bucket + "/data.bin", headers: [("x-amz-acl", "public-read")], body: body))
        #expect(put.status == 200)

        let get = try await client.execute(HTTPRequest(method: "GET", url: bucket + "/data.bin"))
        #expect(get.status == 200)
        // Compared outside #expect: on a failure it would diff two 1 MiB arrays element by element.
        let sameBody = get.body == body
        #expect(sameBody, "GET returned \(get.body.count) bytes that differ from the \(body.count) sent")

        let head = try await client.execute(HTTPRequest(method: "HEAD", url: bucket + "/data.bin"))
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == String(body.count))
        #expect(head.body.isEmpty)

        let range = try await client.execute(
            HTTPRequest(method: "GET", url: bucket + "/data.bin", headers: [("Range", "bytes=10-19")]))
        #expect(range.status == 206)
        #expect(range.body == Array(body[10...19]))  // 10 bytes: cheap to diff

        #expect(try await client.execute(HTTPRequest(method: "DELETE", url: bucket + "/data.bin")).status == 204)
        let missing = try await client.execute(HTTPRequest(method: "GET", url: bucket + "/data.bin"))
        #expect(missing.status == 404)
        #expect(missing.bodyText.contains("NoSuchKey"))
        #expect(try await client.execute(HTTPRequest(method: "DELETE", url: bucket)).status == 204)
    }

    @Test("many concurrent requests share the client's handles and all succeed")
    func concurrentRequests() async throws {
        let client = HTTPClient(logger: logs.logger())
        let url = services.awsEndpoint + "/"
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 { group.addTask { try await client.execute(HTTPRequest(method: "GET", url: url)).status } }
            for try await status in group { #expect(status == 200) }
        }
    }
}

extension String {
    /// Bucket names may not contain underscores.
    func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
