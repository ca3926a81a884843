import AWSLite
import DeltaLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Synchronization
import Testing

/// Compaction, VACUUM and log expiry of silver's Delta tables on moto, read by delta-rs and by
/// DuckDB over the files delta-rs lists, with silver committing alongside.
@Suite("Silver maintenance: compaction, vacuum and log expiry keep every row, and silver's commits meanwhile")
struct SilverMaintenanceTests {
    /// Bronze of a small simulation, one object per 40 records: many batches, many small files.
    static func bronze(days: Int, seed: UInt64) -> [(key: String, body: [UInt8])] {
        SilverFixture.bronzeObjects(
            SimulationConfiguration(stores: 2, products: 12, days: days, seed: seed, dirtyRate: 0.05), perObject: 40)
    }

    func job(_ fixture: SilverFixture) -> SilverJob {
        var configuration = SilverJob.Configuration(
            bronzeBucket: fixture.base.bucket, silverBucket: fixture.silverBucket)
        configuration.objectsPerBatch = 1
        return SilverJob(
            s3: fixture.base.s3, store: SilverStore(connection: fixture.base.database), configuration: configuration,
            logger: fixture.logs.logger())
    }

    func maintenance(_ fixture: SilverFixture, hook: SilverMaintenance.CommitHook? = nil) -> SilverMaintenance {
        SilverMaintenance(
            s3: fixture.base.s3, store: SilverStore(connection: fixture.base.database),
            configuration: SilverMaintenance.Configuration(silverBucket: fixture.silverBucket),
            logger: fixture.logs.logger(), commitHook: hook)
    }

    func read(_ fixture: SilverFixture, _ root: String, version: Int64? = nil) async throws -> [String: Any] {
        try await DeltaRS.read(
            endpoint: try TestServices.require().awsEndpoint, uri: "s3://\(fixture.silverBucket)/\(root.dropLast())",
            version: version)
    }

    func count(_ fixture: SilverFixture, _ sql: String) async throws -> Int {
        Int(try await fixture.base.database.query(sql).rows[0].decode(Int64.self, at: 0))
    }

    /// The data files (not the log) on storage under `root`.
    func storedFiles(_ fixture: SilverFixture, _ root: String) async throws -> Set<String> {
        var keys: Set<String> = []
        for try await page in fixture.base.s3.listObjectsV2(bucket: fixture.silverBucket, prefix: root) {
            for object in page.objects where !object.key.contains("/_delta_log/") {
                keys.insert(String(object.key.dropFirst(root.count)))
            }
        }
        return keys
    }

    @Test(
        "compaction leaves one file per day (and one quarantine file) with the same rows for delta-rs and DuckDB; vacuum and log expiry keep the table readable"
    )
    func compactVacuumExpire() async throws {
        let fixture = try await SilverFixture.make("silver-maint")
        try await fixture.putBronze(Self.bronze(days: 3, seed: 11))
        let silver = try await job(fixture).runOnce()
        #expect(silver.batches >= 10)
        let salesBefore = try await read(fixture, SilverTable.root)
        let quarantineBefore = try await read(fixture, SilverTable.quarantineRoot)
        let filesBefore = (salesBefore["files"] as? [String] ?? []).count
        let daysBefore = Set((salesBefore["rows"] as? [[String: Any]] ?? []).compactMap { $0["event_date"] as? String })
        #expect(filesBefore > daysBefore.count * 3)

        let report = try await maintenance(fixture).run()
        #expect(report.sales.filesCompacted == filesBefore)
        #expect(report.sales.activeFiles == daysBefore.count)
        #expect(report.sales.rowsRewritten == silver.counts.valid)
        #expect(report.quarantine.activeFiles == 1)
        #expect(report.quarantine.rowsRewritten == silver.counts.quarantined)
        #expect(report.sales.vacuum.filesDeleted == 0, "nothing is old enough yet")
        #expect(report.plansDeleted == 0)

        let salesAfter = try await read(fixture, SilverTable.root)
        let quarantineAfter = try await read(fixture, SilverTable.quarantineRoot)
        #expect((salesAfter["files"] as? [String] ?? []).count == daysBefore.count)
        #expect((salesAfter["version"] as? Int ?? 0) > (salesBefore["version"] as? Int ?? 0))
        #expect(Self.rows(salesAfter) == Self.rows(salesBefore))
        #expect(Self.rows(quarantineAfter) == Self.rows(quarantineBefore))
        #expect(salesAfter["duckdb_rows"] as? Int == silver.counts.valid)
        #expect(quarantineAfter["duckdb_rows"] as? Int == silver.counts.quarantined)
        let records = (salesAfter["num_records"] as? [String: Any] ?? [:]).values.compactMap { $0 as? Int }
        #expect(records.reduce(0, +) == silver.counts.valid, "statistics count every row of the compacted files")
        #expect(try await count(fixture, "SELECT count(*) FROM sales_silver") == silver.counts.valid)

        // A week later (no retention: the clock moved), VACUUM deletes the removed files, and
        // the log's expiry the commits before the last checkpoint.
        let later = Int64(Date().timeIntervalSince1970 * 1000) + 8 * 86_400_000
        let log = fixture.log(SilverTable.root)
        let removed = try #require(try await log.snapshot()).tombstones.count
        #expect(removed == filesBefore)
        let vacuum = try await log.vacuum(now: later)
        #expect(vacuum.filesDeleted == filesBefore)
        #expect(try await storedFiles(fixture, SilverTable.root).count == daysBefore.count)
        let expiry = try await log.expireLog(retention: .seconds(0), now: later)
        #expect(expiry.commitsDeleted > 0)
        let oldest = try #require(expiry.oldestVersion)
        #expect(oldest % 10 == 0, "the log now starts at a checkpoint")
        #expect(Self.rows(try await read(fixture, SilverTable.root)) == Self.rows(salesBefore))
        #expect(try await log.snapshot()?.files.count == daysBefore.count, "our reader starts at _last_checkpoint")
        let plans = try await maintenance(fixture).expirePlans(loadedThrough: Int64(silver.batches - 1), now: later)
        #expect(plans == silver.batches - 1, "the last loaded batch's plan is kept")

        // Silver goes on after maintenance: new bronze lands in new small files beside the compacted ones.
        try await fixture.putBronze(Self.bronze(days: 1, seed: 12))
        let more = try await job(fixture).runOnce()
        #expect(more.batches > 0)
        let total = silver.counts.valid + more.counts.valid
        #expect((try await read(fixture, SilverTable.root))["duckdb_rows"] as? Int == total)
        #expect(try await count(fixture, "SELECT count(*) FROM sales_silver") == total)
        try await fixture.tearDown()
    }

    @Test(
        "a silver batch committed while compaction rewrites the same partitions is kept; unloaded batches are not compacted"
    )
    func concurrentSilverCommit() async throws {
        let fixture = try await SilverFixture.make("silver-maint-race")
        let objects = Self.bronze(days: 2, seed: 21)
        let half = objects.count / 2
        try await fixture.putBronze(Array(objects.prefix(half)))
        let first = try await job(fixture).runOnce()
        try await fixture.putBronze(Array(objects.dropFirst(half)))
        let silverJob = job(fixture)
        let during = Mutex<SilverJob.Report?>(nil)
        let maintenance = maintenance(fixture) { _ in
            // The first bin's file is on S3, its commit not made: silver commits its batches now.
            guard during.withLock({ $0 == nil }) else { return }
            let report = try await silverJob.runOnce()
            during.withLock { $0 = report }
        }
        let report = try await maintenance.compact(SilverTable.root, loadedThrough: Int64(first.batches))
        let second = try #require(during.withLock { $0 })
        #expect(second.batches > 0)
        #expect(report.conflicts == 0)
        #expect(report.filesCompacted > 0)
        let total = first.counts.valid + second.counts.valid
        let read = try await read(fixture, SilverTable.root)
        #expect(read["duckdb_rows"] as? Int == total)
        #expect((read["rows"] as? [[String: Any]] ?? []).count == total)
        #expect(try await count(fixture, "SELECT count(*) FROM sales_silver") == total)
        // The batches silver committed during the compaction were not loaded when it planned:
        // their files are still their own.
        let files = try #require(try await fixture.log(SilverTable.root).snapshot()).files.values
        let later = Set(
            files.compactMap { SilverMaintenance.batchNumber(ofPath: $0.path) }.filter { $0 > Int64(first.batches) })
        #expect(later == Set(Int64(first.batches + 1)...Int64(first.batches + second.batches)))
        // Of the loaded batches' files, at most one per partition is left (alone in its bin).
        let leftOver = files.filter {
            SilverMaintenance.batchNumber(ofPath: $0.path).map { $0 <= Int64(first.batches) } ?? false
        }
        let perDay = Dictionary(grouping: leftOver) { $0.partitionValues[SilverTable.partitionColumn] ?? nil }
        #expect(perDay.values.allSatisfy { $0.count <= 1 }, "\(perDay.mapValues(\.count))")
        try await fixture.tearDown()
    }

    /// delta-rs's rows, as comparable text.
    static func rows(_ read: [String: Any]) -> [String] {
        (read["rows"] as? [[String: Any]] ?? []).map { row in
            row.keys.sorted().map { "\($0)=\(row[$0].map { "\($0)" } ?? "nil")" }.joined(separator: ",")
        }
    }
}
