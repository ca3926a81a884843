import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Synchronization
import Testing

/// Poison bronze objects that fail with an error (rather than kill the process): counted per
/// try, quarantined whole at the limit, never stopping the objects around them.
@Suite("Silver quarantines poison objects whole after their tries")
struct SilverPoisonTests {
    struct Failure: Error {}

    /// Runs silver until a run succeeds (at most `limit` runs); returns the failed runs.
    static func runUntilDone(_ job: SilverJob, limit: Int = 8) async throws -> Int {
        for failed in 0..<limit {
            do {
                _ = try await job.runOnce()
                return failed
            } catch is Failure {
                continue
            } catch let error as AWSError where error.code.rawValue == "NoSuchKey" || error.httpStatus == 404 {
                continue
            }
        }
        Issue.record("silver never got past the poison object")
        return limit
    }

    @Test("an object whose cleaning always fails is quarantined line by line (poison:object); the others are loaded")
    func failingObject() async throws {
        let fixture = try await SilverFixture.make("poison-fail")
        let objects = SilverFixture.bronzeObjects(
            SimulationConfiguration(stores: 2, products: 6, days: 2, seed: 5, dirtyRate: 0), perObject: 12)
        try #require(objects.count >= 3)
        try await fixture.putBronze(objects)
        let poison = objects[1].key
        var configuration = SilverJob.Configuration(
            bronzeBucket: fixture.base.bucket, silverBucket: fixture.silverBucket)
        configuration.poisonAttempts = 2
        let job = SilverJob(
            s3: fixture.base.s3, store: SilverStore(connection: fixture.base.database), configuration: configuration,
            logger: fixture.logs.logger(), faultHook: nil, objectHook: { key in if key == poison { throw Failure() } })
        // The batch's first try, then two tries of the object alone.
        #expect(try await Self.runUntilDone(job) == 2)
        let lines = objects[1].body.split(separator: UInt8(ascii: "\n")).count
        let database = fixture.base.database
        let quarantined = try await database.query(
            "SELECT reason, detail FROM sales_quarantine WHERE bronze_key = $1", [poison])
        #expect(quarantined.rows.count == lines)
        #expect(try quarantined.rows.allSatisfy { try $0.decode(String.self, at: 0) == "poison:object" })
        #expect(try quarantined.rows.first?.decode(String.self, at: 1).contains("2 tries failed") == true)
        let others = objects.enumerated().filter { $0.offset != 1 }.map(\.element.key)
        let loaded = try await database.query(
            "SELECT count(DISTINCT bronze_key) FROM sales_silver WHERE bronze_key = ANY($1)", [others])
        #expect(try loaded.rows[0].decode(Int64.self, at: 0) == Int64(others.count))
        // input = valid + quarantined + duplicates, the poison lines counted as quarantined.
        let counts = try await database.query(
            "SELECT sum(input)::bigint, sum(valid)::bigint, sum(quarantined)::bigint, sum(duplicates)::bigint FROM silver_batches"
        )
        let row = counts.rows[0]
        #expect(
            try row.decode(Int64.self, at: 0)
                == row.decode(Int64.self, at: 1) + row.decode(Int64.self, at: 2) + row.decode(Int64.self, at: 3))
        #expect(try row.decode(Int64.self, at: 2) == Int64(lines))
        #expect(try await database.query("SELECT count(*) FROM silver_attempt").rows[0].decode(Int64.self, at: 0) == 0)
        try await fixture.tearDown()
    }

    @Test("an object that vanishes after it was planned is quarantined as unreadable:object; the others are loaded")
    func vanishedObject() async throws {
        let fixture = try await SilverFixture.make("poison-gone")
        let objects = SilverFixture.bronzeObjects(
            SimulationConfiguration(stores: 3, products: 8, days: 3, seed: 6, dirtyRate: 0), perObject: 12)
        try #require(objects.count >= 3)
        try await fixture.putBronze(objects)
        let vanishing = objects[2].key
        let s3 = fixture.base.s3
        let bucket = fixture.base.bucket
        let deleted = Mutex(false)
        let job = SilverJob(
            s3: s3, store: SilverStore(connection: fixture.base.database),
            configuration: SilverJob.Configuration(bronzeBucket: bucket, silverBucket: fixture.silverBucket),
            logger: fixture.logs.logger(), faultHook: nil,
            objectHook: { key in
                guard key == vanishing, !deleted.withLock({ $0 }) else { return }
                deleted.withLock { $0 = true }
                try await s3.deleteObject(bucket: bucket, key: key)
                throw Failure()
            })
        // The batch's first try (the hook deletes the object), then two tries that cannot read it.
        #expect(try await Self.runUntilDone(job) == 3)
        let quarantined = try await fixture.base.database.query(
            "SELECT reason, bronze_line, detail FROM sales_quarantine WHERE bronze_key = $1", [vanishing])
        #expect(quarantined.rows.count == 1)
        #expect(try quarantined.rows.first?.decode(String.self, at: 0) == "unreadable:object")
        #expect(try quarantined.rows.first?.decode(Int64.self, at: 1) == 0)
        let manifest = try await fixture.base.database.query("SELECT count(*) FROM silver_manifest")
        #expect(try manifest.rows[0].decode(Int64.self, at: 0) == Int64(objects.count))
        try await fixture.tearDown()
    }

    @Test(
        "a row PostgreSQL refuses (a column narrowed by a DBA) is quarantined naming the field, object and line, in both sinks; the rest of its batch is loaded"
    )
    func refusedRow() async throws {
        let fixture = try await SilverFixture.make("poison-refused")
        var objects = SilverFixture.bronzeObjects(
            SimulationConfiguration(stores: 2, products: 6, days: 1, seed: 7, dirtyRate: 0), perObject: 20)
        try #require(objects.count >= 2)
        // One record of object 1 gets a product name longer than the narrowed column holds.
        var lines = objects[1].body.split(separator: UInt8(ascii: "\n")).map { Array($0) }
        var record = try BronzeBatch.decode(lines[4] + [UInt8(ascii: "\n")])[0]
        var event = try EventJSON.decode(record.payload)
        event.productName = String(repeating: "Long name ", count: 5)
        record.payload = EventJSON.encode(event)
        let envelope = BronzeBatch(
            stream: "pos", shardID: record.shardID,
            records: [
                KinesisRecord(
                    data: record.payload, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber,
                    approximateArrivalTimestamp: Double(try #require(record.arrivalMicros)) / 1_000_000)
            ]
        ).encoded()
        lines[4] = Array(envelope.dropLast())
        objects[1].body = Array(lines.joined(separator: [UInt8(ascii: "\n")])) + [UInt8(ascii: "\n")]
        try await fixture.putBronze(objects)
        let database = fixture.base.database
        try await database.execute("ALTER TABLE sales_silver ALTER COLUMN product_name TYPE varchar(30)")
        let job = SilverJob(
            s3: fixture.base.s3, store: SilverStore(connection: database),
            configuration: SilverJob.Configuration(
                bronzeBucket: fixture.base.bucket, silverBucket: fixture.silverBucket),
            logger: fixture.logs.logger())
        let report = try await job.runOnce()
        #expect(report.batches == 1)
        #expect(report.counts.quarantined == 1)
        let refused = try await database.query("SELECT reason, detail, bronze_line, payload FROM sales_quarantine")
        #expect(refused.rows.count == 1)
        let row = try #require(refused.rows.first)
        #expect(try row.decode(String.self, at: 0) == "invalid:product_name")
        let detail = try row.decode(String.self, at: 1)
        #expect(detail.contains(objects[1].key) && detail.contains("line 5"), "\(detail)")
        #expect(try row.decode(Int64.self, at: 2) == 5)
        #expect(try row.decode(PGBytes.self, at: 3).bytes == record.payload)
        let total = objects.reduce(0) { $0 + $1.body.split(separator: UInt8(ascii: "\n")).count }
        #expect(
            try await database.query("SELECT count(*) FROM sales_silver").rows[0].decode(Int64.self, at: 0)
                == Int64(total - 1))
        // Delta took the same decision.
        let services = try TestServices.require()
        let quarantine = try await DeltaRS.read(
            endpoint: services.awsEndpoint, uri: "s3://\(fixture.silverBucket)/quarantine")
        let deltaReasons = ((quarantine["rows"] as? [[String: Any]]) ?? []).map { "\($0["reason"] ?? "")" }
        #expect(deltaReasons == ["invalid:product_name"])
        let sales = try await DeltaRS.read(endpoint: services.awsEndpoint, uri: "s3://\(fixture.silverBucket)/sales")
        #expect(((sales["rows"] as? [[String: Any]]) ?? []).count == total - 1)
        try await fixture.tearDown()
    }
}
