import AWSLite
import Foundation
import LakehouseTestSupport
import Testing

/// Retries and failure handling against a scripted local server: faults that moto cannot produce.
@Suite("Retries and faults")
struct FaultInjectionTests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDFAULTTEST", secretAccessKey: "fault-secret-key-never-logged",
        sessionToken: "fault-session-token")
    let logs = CapturedLogs()

    /// A client of `server`. The timeouts and the operation's time limit are generous by default
    /// (the tests that are about one set their own): `make test` runs these beside whole
    /// pipelines on two cores, and CPU-bound tests elsewhere in the process have held both of the
    /// cooperative pool's threads for over a minute, during which no retry can run.
    /// A client of `server` whose timeouts never end a scripted answer early, even on a machine
    /// loaded by the rest of the test run (a retry would take the script's next answer): the
    /// stall timeout is the request's, 60 s by default.
    func configuration(_ server: FaultServer, attempts: Int = 5, timeout: Duration = .seconds(60))
        -> AWSClientConfiguration
    {
        AWSClientConfiguration(
            credentials: Self.credentials, region: "us-east-1", endpoint: server.endpoint,
            http: .init(connectTimeout: .seconds(10), requestTimeout: timeout, stallTimeout: max(timeout, .seconds(1))),
            retry: RetryPolicy(
                maximumAttempts: attempts, baseDelay: .milliseconds(1), maximumDelay: .milliseconds(5),
                maximumElapsed: .seconds(600)))
    }

    static func json(_ status: Int, _ body: String) -> FaultServer.Action {
        .respond(
            status: status,
            headers: [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", "req-\(status)")], body: body
        )
    }

    static func xml(_ status: Int, code: String) -> FaultServer.Action {
        .respond(
            status: status, headers: [("Content-Type", "application/xml"), ("x-amz-request-id", "s3req")],
            body: "<?xml version=\"1.0\"?><Error><Code>\(code)</Code><Message>\(code) happened</Message></Error>")
    }

    static let putRecordOK = json(200, #"{"ShardId":"shardId-000000000000","SequenceNumber":"49"}"#)

    @Test(
        "throttling codes are retried until the call succeeds",
        arguments: ["ThrottlingException", "ProvisionedThroughputExceededException", "LimitExceededException"])
    func throttling(code: String) async throws {
        let server = try FaultServer(script: [
            Self.json(400, #"{"__type":"\#(code)","message":"slow down"}"#), Self.putRecordOK,
        ])
        let client = KinesisClient(configuration: configuration(server), logger: logs.logger())
        let result = try await client.putRecord(stream: "s", record: .init(data: [1], partitionKey: "k"))
        #expect(result.sequenceNumber == "49")
        #expect(server.requests.count == 2)
        #expect(logs.contains("retrying AWS request"))
    }

    @Test("5xx and 429 are retried; the last error is thrown when attempts run out")
    func serverErrors() async throws {
        let recovering = try FaultServer(script: [
            Self.xml(500, code: "InternalError"), Self.xml(503, code: "SlowDown"),
            Self.xml(429, code: "TooManyRequests"),
            .respond(status: 200, headers: [("ETag", "\"e\"")], body: "payload"),
        ])
        let s3 = S3Client(configuration: configuration(recovering), logger: logs.logger())
        #expect(try await s3.getObject(bucket: "b", key: "k").body == Array("payload".utf8))
        #expect(recovering.requests.count == 4)

        let failing = try FaultServer(script: [Self.xml(500, code: "InternalError")])
        let giveUp = S3Client(configuration: configuration(failing, attempts: 3), logger: logs.logger())
        let error = try await #require(throws: AWSError.self) { try await giveUp.getObject(bucket: "b", key: "k") }
        #expect(error.code.rawValue == "InternalError")
        #expect(error.httpStatus == 500)
        #expect(error.requestID == "s3req")
        #expect(error.operation == "GetObject")
        #expect(failing.requests.count == 3)
    }

    @Test(
        "caller errors are never retried",
        arguments: [(400, "InvalidArgument"), (403, "AccessDenied"), (404, "NoSuchKey")])
    func callerErrors(status: Int, code: String) async throws {
        let server = try FaultServer(script: [Self.xml(status, code: code)])
        let s3 = S3Client(configuration: configuration(server), logger: logs.logger())
        let error = try await #require(throws: AWSError.self) { try await s3.getObject(bucket: "b", key: "k") }
        #expect(error.code.rawValue == code)
        #expect(server.requests.count == 1)
    }

    @Test("a dropped connection is retried")
    func droppedConnection() async throws {
        let server = try FaultServer(script: [.drop, .drop, Self.putRecordOK])
        let client = KinesisClient(configuration: configuration(server), logger: logs.logger())
        _ = try await client.putRecord(stream: "s", record: .init(data: [1], partitionKey: "k"))
        #expect(server.requests.count == 3)
    }

    @Test("a stalled response ends at the timeout, and the timeout is retried")
    func stalledResponse() async throws {
        let server = try FaultServer(script: [.stall(seconds: 3)])
        let client = KinesisClient(
            configuration: configuration(server, attempts: 2, timeout: .milliseconds(300)), logger: logs.logger())
        let error = try await #require(throws: AWSError.self) {
            _ = try await client.putRecord(stream: "s", record: .init(data: [1], partitionKey: "k"))
        }
        #expect(error.code == .timeout)
        #expect(error.operation == "PutRecord")
        #expect(server.requests.count == 2)
    }

    @Test("putRecords resends only the rejected records and keeps every other result")
    func perRecordFailures() async throws {
        let server = try FaultServer(script: [
            Self.json(
                200,
                #"{"FailedRecordCount":1,"Records":[{"ShardId":"shardId-0","SequenceNumber":"1"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"busy"},{"ShardId":"shardId-0","SequenceNumber":"3"}]}"#
            ),
            Self.json(200, #"{"FailedRecordCount":0,"Records":[{"ShardId":"shardId-1","SequenceNumber":"4"}]}"#),
        ])
        let client = KinesisClient(configuration: configuration(server), logger: logs.logger())
        let records = (0..<3).map { KinesisRecordInput(data: [UInt8($0)], partitionKey: "k\($0)") }
        let result = try await client.putRecords(stream: "s", records: records)
        #expect(result.failed.isEmpty)
        #expect(result.retriedRecords == 1)
        #expect(result.results.map { $0?.sequenceNumber } == ["1", "4", "3"])
        #expect(server.requests.count == 2)
        let resent = String(decoding: server.requests[1].body, as: UTF8.self)
        #expect(resent.contains("\"PartitionKey\":\"k1\"") && !resent.contains("\"k0\"") && !resent.contains("\"k2\""))
    }

    @Test("records that still fail after the last attempt are returned, never dropped")
    func persistentRecordFailure() async throws {
        let server = try FaultServer(script: [
            Self.json(
                200,
                #"{"FailedRecordCount":1,"Records":[{"ShardId":"shardId-0","SequenceNumber":"1"},{"ErrorCode":"InternalFailure","ErrorMessage":"broken"}]}"#
            ),
            Self.json(
                200, #"{"FailedRecordCount":1,"Records":[{"ErrorCode":"InternalFailure","ErrorMessage":"broken"}]}"#),
        ])
        let client = KinesisClient(configuration: configuration(server, attempts: 3), logger: logs.logger())
        let records = (0..<2).map { KinesisRecordInput(data: [UInt8($0)], partitionKey: "k\($0)") }
        let result = try await client.putRecords(stream: "s", records: records)
        #expect(result.results[0]?.sequenceNumber == "1")
        #expect(result.results[1] == nil)
        #expect(result.failed.map(\.index) == [1])
        #expect(result.failed.first?.errorCode == "InternalFailure")
        #expect(result.failed.first?.record == records[1])
        #expect(server.requests.count == 3)
    }

    @Test("putRecords splits input into calls of at most 500 records")
    func batching() async throws {
        let ok = (0..<500).map { _ in #"{"ShardId":"s","SequenceNumber":"1"}"# }.joined(separator: ",")
        let rest = (0..<201).map { _ in #"{"ShardId":"s","SequenceNumber":"2"}"# }.joined(separator: ",")
        let server = try FaultServer(script: [
            Self.json(200, #"{"FailedRecordCount":0,"Records":[\#(ok)]}"#),
            Self.json(200, #"{"FailedRecordCount":0,"Records":[\#(ok)]}"#),
            Self.json(200, #"{"FailedRecordCount":0,"Records":[\#(rest)]}"#),
        ])
        let client = KinesisClient(configuration: configuration(server), logger: logs.logger())
        let records = (0..<1201).map { KinesisRecordInput(data: [1, 2, 3], partitionKey: "k\($0)") }
        let result = try await client.putRecords(stream: "s", records: records)
        #expect(result.failed.isEmpty)
        #expect(server.requests.count == 3)
    }

    @Test("Kinesis errors sent as XML (authentication failures) are parsed")
    func xmlKinesisError() async throws {
        let server = try FaultServer(script: [
            .respond(
                status: 403, headers: [("Content-Type", "text/xml")],
                body:
                    "<ErrorResponse><Error><Code>UnrecognizedClientException</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>"
            )
        ])
        let client = KinesisClient(configuration: configuration(server), logger: logs.logger())
        let error = try await #require(throws: AWSError.self) { try await client.describeStreamSummary("s") }
        #expect(error.code.rawValue == "UnrecognizedClientException")
        #expect(error.message.contains("security token"))
        #expect(error.httpStatus == 403)
    }

    @Test("a 403 says to check the credentials and the region")
    func forbiddenHint() async throws {
        let server = try FaultServer(script: [.respond(status: 403, headers: [], body: "")])
        let s3 = S3Client(configuration: configuration(server), logger: logs.logger())
        let error = try await #require(throws: AWSError.self) { try await s3.headBucket("b") }
        #expect(error.httpStatus == 403)
        #expect(error.message.contains("check the credentials"), "\(error)")
        #expect(error.message.contains("region"))
    }

    @Test("a header holding a line break is refused before anything is sent")
    func headerInjection() async throws {
        let server = try FaultServer(script: [Self.putRecordOK])
        var settings = configuration(server)
        settings.region = "us-east-1\r\nX-Injected: yes"
        let client = KinesisClient(configuration: settings, logger: logs.logger())
        let error = try await #require(throws: AWSError.self) {
            _ = try await client.putRecord(stream: "s", record: .init(data: [1], partitionKey: "k"))
        }
        #expect(error.code == .invalidRequest)
        #expect(server.requests.isEmpty)
        #expect(throws: AWSError.self) { try AWSClientConfiguration.checkRegion("us-east-1\r\nX-Injected: yes") }
        #expect(throws: Never.self) { try AWSClientConfiguration.checkRegion("eu-central-1") }
    }

    @Test("an endpoint with a password or white space is refused, and shown without the password")
    func endpointChecks() throws {
        for bad in [
            "http://user:EndpointPw123@127.0.0.1:1", "ftp://host", "http://", "http://host\r\nX: y",
            "http://AKIA:EndpointPw123/x@127.0.0.1:1", "user:EndpointPw123@host:9000",
            "https://u:EndpointPw123#@h", "http://u:EndpointPw123?@h",
        ] {
            let error = try #require(throws: AWSError.self) { try AWSClientConfiguration.checkEndpoint(bad) }
            #expect(!error.message.contains("EndpointPw123"))
            #expect(error.code == .invalidConfiguration)
        }
        #expect(AWSClientConfiguration.redactedEndpoint("https://u:p@h:9/x?y=1") == "https://***@h:9/x?y=1")
        #expect(AWSClientConfiguration.redactedEndpoint("http://a:b/c@h:1") == "http://***@h:1")
        #expect(AWSClientConfiguration.redactedEndpoint("a:b@h:1") == "***@h:1")
        #expect(throws: Never.self) { try AWSClientConfiguration.checkEndpoint("http://127.0.0.1:4566") }
    }

    @Test("a server that never answers: the stall timeout ends each try, the operation's time limit ends the retries")
    func operationTimeLimit() async throws {
        let server = try FaultServer(script: Array(repeating: .stall(seconds: 30), count: 10))
        var settings = configuration(server, attempts: 10, timeout: .seconds(30))
        settings.http.stallTimeout = .seconds(1)
        settings.retry.maximumElapsed = .milliseconds(2500)
        let client = KinesisClient(configuration: settings, logger: logs.logger())
        let result = await Task { try await client.describeStreamSummary("s") }.result
        guard case .failure(let error as AWSError) = result else {
            Issue.record("the call did not fail with an AWSError: \(result)")
            return
        }
        #expect(error.code == .timeout)
        // Timed by the server's own thread, from the first request's arrival to the last try's
        // hang-up: a test process whose task threads are busy with other suites may resume late.
        // Every try is ended by the client (its stall timeout or the time limit), none by the
        // server's 30 s.
        _ = try await eventually("the server sees every try's hang-up", timeout: .seconds(120), poll: .milliseconds(10))
        {
            server.hangUps.count == server.requests.count
        }
        let first = try #require(server.requests.first)
        let last = try #require(server.hangUps.last)
        // Without the stall timeout and the time limit (which also caps each try) the first
        // try alone would wait 30 s.
        #expect(last - first.received < .seconds(20), "took \(last - first.received)")
        #expect(server.requests.count <= 4)
    }

    @Test("a cancelled task abandons its request within about a second, and it is not retried")
    func cancellation() async throws {
        let server = try FaultServer(script: Array(repeating: .stall(seconds: 30), count: 3))
        let client = KinesisClient(configuration: configuration(server, timeout: .seconds(30)), logger: logs.logger())
        let task = Task { try await client.describeStreamSummary("s") }
        // Cancelled while its request hangs (the server has it), and timed from there to the
        // moment the server sees the client close: both by clocks that a test process whose task
        // threads are busy with other suites does not delay.
        _ = try await Self.firstRequest(server)
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else {
            Issue.record("the call succeeded")
            return
        }
        #expect((error as? AWSError)?.code == .cancelled || error is CancellationError, "\(error)")
        _ = try await eventually("the server sees the client hang up", timeout: .seconds(120), poll: .milliseconds(10))
        {
            !server.hangUps.isEmpty
        }
        let hangUp = try #require(server.hangUps.first)
        // libcurl checks the flag at least once a second; the server stalls for 30 s.
        #expect(hangUp - start < .seconds(10), "abandoned after \(hangUp - start)")
        #expect(server.requests.count == 1)
    }

    /// When `server` received its first request (waiting for it up to two minutes).
    static func firstRequest(_ server: FaultServer) async throws -> ContinuousClock.Instant {
        try await eventually("a request reaches the server", timeout: .seconds(120), poll: .milliseconds(10)) {
            !server.requests.isEmpty
        }
        return ContinuousClock.now
    }

    @Test("no secret key, session token or signature appears in logs or errors")
    func noSecretsLogged() async throws {
        let server = try FaultServer(script: [
            Self.xml(500, code: "InternalError"), Self.xml(403, code: "SignatureDoesNotMatch"),
        ])
        let s3 = S3Client(configuration: configuration(server), logger: logs.logger(level: .trace))
        let error = try await #require(throws: AWSError.self) {
            try await s3.putObject(bucket: "b", key: "k?X-Amz-Signature=abc", body: [1, 2, 3])
        }
        let request = try #require(server.requests.first)
        let authorization = try #require(request.header("Authorization"))
        let signature = String(try #require(authorization.split(separator: "=").last))
        #expect(request.header("X-Amz-Security-Token") == "fault-session-token")
        #expect(!logs.all.isEmpty)
        for secret in ["fault-secret-key-never-logged", "fault-session-token", signature, "Signature="] {
            #expect(!logs.contains(secret), "a log line contains \(secret)")
            #expect(!"\(error)".contains(secret))
        }
        #expect(!"\(Self.credentials)".contains("fault-secret-key-never-logged"))
    }

    /// A fresh, empty directory for download tests.
    static func scratchDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "awslite-\(UInt64.random(in: 0 ... .max))"
        )
        .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a streamed download starts afresh after a 500 and a cut mid-body; the file holds the object once")
    func streamedDownloadRetries() async throws {
        let server = try FaultServer(script: [
            Self.xml(500, code: "InternalError"),
            .truncate(status: 200, body: "the whole", declaredLength: 100),
            .respond(status: 200, headers: [("ETag", "\"e\"")], body: "the whole object"),
        ])
        let s3 = S3Client(configuration: configuration(server), logger: logs.logger())
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/object.bin"
        let metadata = try await s3.getObject(bucket: "b", key: "k", toFile: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "the whole object")
        #expect(metadata.contentLength == 16)
        #expect(metadata.eTag == "\"e\"")
        #expect(server.requests.count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["object.bin"])
    }

    @Test("a download that fails for good leaves neither the file nor a partial one")
    func failedDownloadLeavesNothing() async throws {
        let server = try FaultServer(script: [Self.xml(404, code: "NoSuchKey")])
        let s3 = S3Client(configuration: configuration(server), logger: logs.logger())
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = try await #require(throws: AWSError.self) {
            try await s3.getObject(bucket: "b", key: "missing", toFile: directory + "/object.bin")
        }
        #expect(error.code.rawValue == "NoSuchKey")
        #expect(error.message == "NoSuchKey happened", "the error body is parsed, not written to the file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

        let unwritable = try await #require(throws: AWSError.self) {
            try await s3.getObject(bucket: "b", key: "k", toFile: directory + "/no/such/dir/object.bin")
        }
        #expect(unwritable.code == .localFileFailure)
        #expect(unwritable.message.contains("no/such/dir"))
        #expect(server.requests.count == 1, "nothing is requested when the file cannot be created")
    }
}
