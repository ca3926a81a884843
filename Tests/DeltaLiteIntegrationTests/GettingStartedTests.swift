import AWSLite
import DeltaLite
import Foundation
import LakehouseTestSupport
import Logging
import ParquetLite
import Testing

/// The snippet of DeltaLite.docc/GettingStarted.md against moto, with the bucket the test owns,
/// and what delta-rs reads of the table it makes.
@Suite("DeltaLite getting-started snippet against moto")
struct GettingStartedTests {
    @Test("create, write a file, commit it exactly once, read the snapshot; delta-rs reads the same rows")
    func snippet() async throws {
        let services = try TestServices.require()
        let bucket = uniqueName("delta-gs").replacingOccurrences(of: "_", with: "-")
        let logger = Logger(label: "sales-table")
        let s3 = S3Client(configuration: services.awsConfiguration, logger: logger)
        try await s3.createBucket(bucket)
        let log = DeltaLog(s3: s3, bucket: bucket, root: "sales", logger: logger)

        let schema = DeltaSchema([.init("id", .long, nullable: false), .init("store_id", .string), .init("day", .date)])
        _ = try await log.commit(
            [
                .protocol(.supported),
                .metadata(
                    DeltaMetadata(
                        id: UUID().uuidString.lowercased(), schemaString: try schema.schemaString,
                        partitionColumns: ["day"])),
            ], after: nil)

        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(
            schema: try ParquetSchema([.int64("id"), .string("store_id", repetition: .optional)]), sink: sink)
        try await writer.write([.int64s([1, 2, 3]), .strings(["STORE_001", "STORE_001", "STORE_002"])])
        try await writer.close()
        let path = "day=2026-12-01/part-0.parquet"
        try await s3.putObject(bucket: bucket, key: "sales/" + path, body: sink.bytes)

        let snapshot = try await log.snapshot()
        let actions: [DeltaAction] = [
            .add(
                DeltaAddFile(
                    path: path, partitionValues: ["day": "2026-12-01"], size: Int64(sink.bytes.count),
                    modificationTime: 1_796_083_200_000, dataChange: true, stats: #"{"numRecords":3}"#)),
            .transaction(DeltaTransaction(appID: "nightly-loader", version: 1)),
        ]
        let outcome = try await log.commit(actions, after: snapshot)
        #expect(outcome == .committed(version: 1))
        // The rerun after a crash: the transaction is in, nothing is written twice.
        #expect(try await log.commit(actions, after: snapshot) == .alreadyCommitted(version: 1))

        let now = try #require(try await log.snapshot())
        #expect(now.version == 1)
        #expect(now.files.keys.sorted() == [path])
        #expect(now.transactions["nightly-loader"] == 1)

        let read = try await DeltaRS.read(endpoint: services.awsEndpoint, uri: "s3://\(bucket)/sales")
        let rows = (read["rows"] as? [[String: Any]]) ?? []
        #expect(rows.compactMap { $0["id"] as? Int }.sorted() == [1, 2, 3])
        #expect(Set(rows.compactMap { $0["day"] as? String }) == ["2026-12-01"])

        for try await page in s3.listObjectsV2(bucket: bucket) {
            for object in page.objects { try await s3.deleteObject(bucket: bucket, key: object.key) }
        }
        try await s3.deleteBucket(bucket)
    }
}
