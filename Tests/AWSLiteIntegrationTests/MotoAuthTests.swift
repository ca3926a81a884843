import AWSLite
import Foundation
import LakehouseTestSupport
import Testing

/// A moto server of the test's own, started with signature checking on: moto answers the first
/// `INITIAL_NO_AUTH_ACTION_COUNT` requests without checking, then verifies every signature
/// against the IAM access keys it knows.
final class AuthenticatingMoto: Sendable {
    let process: ChildProcess
    let endpoint: String

    init(executable: String, unauthenticatedActions: Int) async throws {
        let port = try LoopbackSockets.closedPort()
        endpoint = "http://127.0.0.1:\(port)"
        process = try ChildProcess(
            executable: executable, arguments: ["-H", "127.0.0.1", "-p", String(port)],
            environment: ["INITIAL_NO_AUTH_ACTION_COUNT": String(unauthenticatedActions)])
        let probe = HTTPClient(
            configuration: .init(connectTimeout: .seconds(1), requestTimeout: .seconds(1)),
            logger: .init(label: "probe"))
        do {
            try await eventually("moto answers on \(endpoint)", timeout: .seconds(120), poll: .milliseconds(250)) {
                (try? await probe.execute(HTTPRequest(method: "GET", url: endpoint + "/moto-api/"))) != nil
            }
        } catch {
            await stop()
            throw AWSError(code: .timeout, message: "moto with authentication did not start on \(endpoint)")
        }
    }

    /// Kills moto; returns whether it is gone.
    @discardableResult
    func stop() async -> Bool { await process.stop() }

    /// Sends one IAM query-protocol action (these are the unauthenticated ones) and returns its XML.
    func iam(_ parameters: [(String, String)]) async throws -> String {
        let body = (parameters + [("Version", "2010-05-08")])
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1)" }
            .joined(separator: "&")
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "bootstrap", secretAccessKey: "bootstrap"), region: "us-east-1",
            service: "iam")
        let request = HTTPRequest(
            method: "POST", url: endpoint + "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
        let response = try await HTTPClient(logger: .init(label: "iam")).execute(signer.sign(request))
        #expect(response.status == 200, "\(parameters[0].1): \(response.bodyText.prefix(300))")
        return response.bodyText
    }
}

@Suite("AWSLite against moto with signature checking")
struct MotoAuthTests {
    @Test("correctly signed S3 and Kinesis requests succeed; a wrong secret is a typed error for both")
    func signatures() async throws {
        let services = try TestServices.require()
        let executable = try #require(
            services.values["LAKEHOUSE_TEST_MOTO_SERVER"], "LAKEHOUSE_TEST_MOTO_SERVER is not set: run `make services`")
        let moto = try await AuthenticatingMoto(executable: executable, unauthenticatedActions: 3)

        let user = uniqueName("user")
        _ = try await moto.iam([("Action", "CreateUser"), ("UserName", user)])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try await moto.iam([
            ("Action", "PutUserPolicy"), ("UserName", user), ("PolicyName", "all"), ("PolicyDocument", policy),
        ])
        let keyXML = try await moto.iam([("Action", "CreateAccessKey"), ("UserName", user)])
        func element(_ name: String) throws -> String {
            let start = try #require(keyXML.range(of: "<\(name)>"))
            let end = try #require(keyXML.range(of: "</\(name)>"))
            return String(keyXML[start.upperBound..<end.lowerBound])
        }
        let good = AWSCredentials(
            accessKeyID: try element("AccessKeyId"), secretAccessKey: try element("SecretAccessKey"))
        var bad = good
        bad.secretAccessKey = "not-the-secret"
        let logs = CapturedLogs()
        func configuration(_ credentials: AWSCredentials) -> AWSClientConfiguration {
            AWSClientConfiguration(
                credentials: credentials, region: "us-east-1", endpoint: moto.endpoint,
                retry: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(1)))
        }

        let s3 = S3Client(configuration: configuration(good), logger: logs.logger())
        let bucket = uniqueName("auth").replacingUnderscores()
        try await s3.createBucket(bucket)
        try await s3.putObject(bucket: bucket, key: "signed key ✓", body: [1, 2, 3])
        #expect(try await s3.getObject(bucket: bucket, key: "signed key ✓").body == [1, 2, 3])
        #expect(try await s3.listObjectsV2(bucket: bucket, prefix: "signed").allObjects().count == 1)

        let kinesis = KinesisClient(configuration: configuration(good), logger: logs.logger())
        let stream = uniqueName("auth")
        try await kinesis.createStream(stream, shardCount: 1)
        try await kinesis.waitUntilActive(stream)
        _ = try await kinesis.putRecord(stream: stream, record: .init(data: [9], partitionKey: "p"))

        let badS3 = try await #require(throws: AWSError.self) {
            _ = try await S3Client(configuration: configuration(bad), logger: logs.logger()).getObject(
                bucket: bucket, key: "signed key ✓")
        }
        #expect(badS3.code.rawValue == "SignatureDoesNotMatch", "\(badS3)")
        #expect(badS3.httpStatus == 403)

        let badKinesis = try await #require(throws: AWSError.self) {
            _ = try await KinesisClient(configuration: configuration(bad), logger: logs.logger()).describeStreamSummary(
                stream)
        }
        #expect(badKinesis.httpStatus.map { (400..<500).contains($0) } == true, "\(badKinesis)")
        #expect(
            badKinesis.code.rawValue.contains("Signature") || badKinesis.code.rawValue.contains("Unrecognized"),
            "\(badKinesis)")
        #expect(!logs.contains("not-the-secret"))
        #expect(!logs.contains(good.secretAccessKey))
        #expect(await moto.stop(), "moto did not exit")
    }
}
