import AWSLite
import Foundation
import LakehouseTestSupport
import Testing

@Suite("S3Client against moto")
struct S3ClientTests {
    let services: TestServices
    let logs = CapturedLogs()
    let client: S3Client
    let bucket = uniqueName("s3").replacingUnderscores()

    init() throws {
        services = try TestServices.require()
        client = S3Client(configuration: services.awsConfiguration, logger: logs.logger())
    }

    func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            for index in stride(from: 0, to: count - count % 8, by: 8) {
                buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: index, as: UInt64.self)
            }
        }
        return bytes
    }

    @Test("bucket lifecycle: create (twice), head, delete; a missing bucket is NotFound")
    func buckets() async throws {
        try await client.createBucket(bucket)
        try await client.createBucket(bucket)  // already ours: success
        try await client.headBucket(bucket)
        try await client.deleteBucket(bucket)
        let error = try await #require(throws: AWSError.self) { try await client.headBucket(bucket) }
        #expect(error.code.rawValue == "NotFound")
        #expect(error.httpStatus == 404)
        #expect(error.operation == "HeadBucket")
    }

    @Test("objects: put, get, ranged get, head, delete; keys with spaces and unicode")
    func objects() async throws {
        try await client.createBucket(bucket)
        let key = "sales_data/year=2026/month=11/day=25/shard 1 ✓+%.ndjson"
        let body = Array("{\"a\":1}\n{\"a\":2}\n".utf8)
        let outcome = try await client.putObject(
            bucket: bucket, key: key, body: body, contentType: "application/x-ndjson")
        guard case .stored(let eTag) = outcome else { Issue.record("expected stored, got \(outcome)"); return }
        #expect(eTag.count > 2)

        let object = try await client.getObject(bucket: bucket, key: key)
        #expect(object.body == body)
        #expect(object.metadata.eTag == eTag)
        #expect(object.metadata.contentType == "application/x-ndjson")

        let slice = try await client.getObject(bucket: bucket, key: key, range: 2...4)
        #expect(slice.body == Array(body[2...4]))
        #expect(slice.metadata.contentLength == body.count)

        let head = try await client.headObject(bucket: bucket, key: key)
        #expect(head.contentLength == body.count)

        try await client.deleteObject(bucket: bucket, key: key)
        let missing = try await #require(throws: AWSError.self) { try await client.getObject(bucket: bucket, key: key) }
        #expect(missing.code.rawValue == "NoSuchKey")
        #expect(missing.httpStatus == 404)
        let missingHead = try await #require(throws: AWSError.self) {
            try await client.headObject(bucket: bucket, key: key)
        }
        #expect(missingHead.code.rawValue == "NotFound")
        try await client.deleteBucket(bucket)
    }

    @Test("a conditional put on an existing key is a precondition failure and writes nothing")
    func conditionalPut() async throws {
        try await client.createBucket(bucket)
        let first = try await client.putObject(bucket: bucket, key: "commit/00000.json", body: [1], ifNoneMatch: true)
        #expect(first != .preconditionFailed)
        let second = try await client.putObject(bucket: bucket, key: "commit/00000.json", body: [2], ifNoneMatch: true)
        #expect(second == .preconditionFailed)
        #expect(try await client.getObject(bucket: bucket, key: "commit/00000.json").body == [1])
        _ = try await client.deleteObjects(bucket: bucket, keys: ["commit/00000.json"])
        try await client.deleteBucket(bucket)
    }

    @Test("a 20 MiB object goes up in parts and reads back intact, from memory and from a file, and streams to a file")
    func multipart() async throws {
        try await client.createBucket(bucket)
        let body = randomBytes(20 << 20 + 12345)
        let outcome = try await client.putObject(bucket: bucket, key: "big.bin", body: body)
        guard case .stored(let eTag) = outcome else { Issue.record("expected stored"); return }
        #expect(eTag.hasSuffix("-3\""), "a 3-part upload's ETag ends in -3: \(eTag)")
        let read = try await client.getObject(bucket: bucket, key: "big.bin").body
        let sameFromMemory = read == body
        #expect(sameFromMemory, "read \(read.count) bytes")

        let path = NSTemporaryDirectory() + "/\(bucket).bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(body)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await client.putObject(bucket: bucket, key: "from-file.bin", contentsOfFile: path)
        let fromFile = try await client.getObject(bucket: bucket, key: "from-file.bin").body
        let sameFromFile = fromFile == body
        #expect(sameFromFile, "read \(fromFile.count) bytes")

        let downloaded = path + ".download"
        defer { try? FileManager.default.removeItem(atPath: downloaded) }
        let metadata = try await client.getObject(bucket: bucket, key: "big.bin", toFile: downloaded)
        #expect(metadata.contentLength == body.count)
        let sameDownloaded = FileManager.default.contents(atPath: downloaded) == Data(body)
        #expect(sameDownloaded, "the streamed download is byte for byte the object")
        #expect(try await client.deleteObjects(bucket: bucket, keys: ["big.bin", "from-file.bin"]).isEmpty)
        try await client.deleteBucket(bucket)
    }

    @Test("listing follows continuation tokens across pages, with prefix, delimiter and start-after")
    func listing() async throws {
        try await client.createBucket(bucket)
        let keys = (0..<7).map { "data/part-\($0).json" } + ["data/sub/x.json", "other.json"]
        for key in keys { try await client.putObject(bucket: bucket, key: key, body: Array(key.utf8)) }

        var pages = 0
        var listed: [String] = []
        for try await page in client.listObjectsV2(bucket: bucket, prefix: "data/", pageSize: 2) {
            pages += 1
            listed += page.objects.map(\.key)
        }
        #expect(pages >= 3)
        #expect(listed == keys.filter { $0.hasPrefix("data/") }.sorted())

        var prefixes: [String] = []
        var topLevel: [String] = []
        for try await page in client.listObjectsV2(bucket: bucket, delimiter: "/") {
            prefixes += page.commonPrefixes
            topLevel += page.objects.map(\.key)
        }
        #expect(prefixes == ["data/"])
        #expect(topLevel == ["other.json"])

        let after = try await client.listObjectsV2(bucket: bucket, startAfter: "data/part-5.json").allObjects()
        #expect(after.map(\.key) == ["data/part-6.json", "data/sub/x.json", "other.json"])
        #expect(after.first?.size == "data/part-6.json".utf8.count)

        #expect(try await client.deleteObjects(bucket: bucket, keys: keys).isEmpty)
        #expect(try await client.listObjectsV2(bucket: bucket).allObjects().isEmpty)
        try await client.deleteBucket(bucket)
        #expect(!logs.contains("testing/"), "no credential scope or secret in logs")
    }
}
