import AWSLite
import LakehouseTestSupport
import Logging
import Testing

/// The getting-started snippets of AWSLite.docc/GettingStarted.md, run against moto with the
/// configuration resolved from environment variables as a user's would be.
@Suite("AWSLite getting-started snippets against moto")
struct GettingStartedTests {
    let environment: [String: String]

    init() throws {
        let services = try TestServices.require()
        environment = [
            "AWS_ENDPOINT_URL": services.awsEndpoint, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ]
    }

    @Test("the S3 snippet: create, conditional put, get, list")
    func s3Snippet() async throws {
        let bucket = uniqueName("gs").replacingUnderscores()
        let logger = Logger(label: "inventory")
        let s3 = S3Client(
            configuration: try AWSClientConfiguration.resolve(service: .s3, environment: environment), logger: logger)

        try await s3.createBucket(bucket)
        let key = "sales_data/year=2026/part-0.ndjson"
        let body = Array("{\"product_id\":\"P00001\"}\n".utf8)
        let first = try await s3.putObject(
            bucket: bucket, key: key, body: body, contentType: "application/x-ndjson", ifNoneMatch: true)
        let again = try await s3.putObject(
            bucket: bucket, key: key, body: body, contentType: "application/x-ndjson", ifNoneMatch: true)
        #expect(first != .preconditionFailed)
        #expect(again == .preconditionFailed)
        #expect(try await s3.getObject(bucket: bucket, key: key).body == body)

        var listed: [(String, Int)] = []
        for try await page in s3.listObjectsV2(bucket: bucket, prefix: "sales_data/") {
            for summary in page.objects { listed.append((summary.key, summary.size)) }
        }
        #expect(listed.map(\.0) == [key])
        #expect(listed.map(\.1) == [body.count])
        _ = try await s3.deleteObjects(bucket: bucket, keys: [key])
        try await s3.deleteBucket(bucket)
    }

    @Test("the Kinesis snippet: create, wait, put 1,000 records, read every shard back")
    func kinesisSnippet() async throws {
        let stream = uniqueName("gs")
        let kinesis = KinesisClient(
            configuration: try AWSClientConfiguration.resolve(service: .kinesis, environment: environment),
            logger: Logger(label: "pos"))

        try await kinesis.createStream(stream, shardCount: 2)
        try await kinesis.waitUntilActive(stream)
        let events = (1...1_000).map { number in
            KinesisRecordInput(
                data: Array("{\"transaction_id\":\"T\(number)\",\"quantity\":1}".utf8),
                partitionKey: "STORE_\(number % 50)")
        }
        let result = try await kinesis.putRecords(stream: stream, records: events)
        #expect(result.failed.isEmpty)

        var read: [[UInt8]] = []
        for shard in try await kinesis.listShards(stream) {
            var iterator: String? = try await kinesis.getShardIterator(
                stream: stream, shardID: shard.shardID, position: .trimHorizon)
            while let current = iterator {
                let batch = try await kinesis.getRecords(shardIterator: current)
                read += batch.records.map(\.data)
                iterator = batch.records.isEmpty ? nil : batch.nextShardIterator
            }
        }
        #expect(Set(read) == Set(events.map(\.data)))
        #expect(read.count == events.count)
        try await kinesis.deleteStream(stream)
    }
}
