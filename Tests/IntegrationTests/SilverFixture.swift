import AWSLite
import DeltaLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// What a silver test owns: a bronze bucket filled with simulated objects, a silver bucket, a
/// database schema, and the `silver` executable pointed at them.
struct SilverFixture {
    let base: IngestFixture
    let silverBucket: String
    let logs = CapturedLogs()

    static func make(_ name: String) async throws -> SilverFixture {
        let base = try await IngestFixture.make(name, shards: 1)
        let silverBucket = base.bucket.replacingOccurrences(of: "-bronze-", with: "-silver-")
        try await base.s3.createBucket(silverBucket)
        return SilverFixture(base: base, silverBucket: silverBucket)
    }

    /// Bronze objects of a simulation with 2% dirty records, `perObject` records each, in
    /// envelope form under keys in sequence order.
    static func bronzeObjects(_ simulation: SimulationConfiguration, perObject: Int) -> [(key: String, body: [UInt8])] {
        var simulator = StoreSimulator(configuration: simulation)
        return simulator.bronzeBatches(recordsPerObject: perObject).map { ($0.key, $0.encoded()) }
    }

    /// Writes `objects` to bronze and registers them (``BronzeRegistry``), as ingest does.
    func putBronze(_ objects: [(key: String, body: [UInt8])]) async throws {
        var written: [BronzeObject] = []
        for object in objects {
            let outcome = try await base.s3.putObject(bucket: base.bucket, key: object.key, body: object.body)
            let stored: String? = if case .stored(let eTag) = outcome { eTag } else { nil }
            let eTag = try #require(stored, "\(object.key) was not stored")
            written.append(BronzeObject(key: object.key, eTag: eTag, size: object.body.count))
        }
        try await BronzeRegistry(connection: base.database).register(
            written, stream: base.stream, shardID: "test", records: 0)
    }

    /// Bronze of `simulation` (objects of `perObject` records) through silver (8 objects a
    /// batch) and one gold refresh: a gold to test what PostgreSQL holds.
    func loadThroughGold(_ simulation: SimulationConfiguration, perObject: Int) async throws {
        try await putBronze(Self.bronzeObjects(simulation, perObject: perObject))
        var configuration = SilverJob.Configuration(bronzeBucket: base.bucket, silverBucket: silverBucket)
        configuration.objectsPerBatch = 8
        _ = try await SilverJob(
            s3: base.s3, store: SilverStore(connection: base.database), configuration: configuration,
            logger: logs.logger()
        ).runOnce()
        _ = try await GoldJob(connection: base.database, logger: logs.logger()).refresh()
    }

    /// The test fixture that runs `silver` with fault injection on (`LAKEHOUSE_CRASH_AT`,
    /// `LAKEHOUSE_CRASH_ON_OBJECT`); the shipped `silver` ignores those.
    static let withFaults = "silver-with-faults"

    /// The `silver` executable (or `program`) with this fixture's buckets and schema, and
    /// `extra` environment.
    func silver(
        _ arguments: [String], environment extra: [String: String] = [:], program: String = "silver"
    ) throws -> ChildProcess {
        var environment = base.environment
        environment["S3_BUCKET_SILVER"] = silverBucket
        for (key, value) in extra { environment[key] = value }
        return try ChildProcess(
            executable: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent(program).path,
            arguments: arguments + ["--env-file", ""], environment: environment)
    }

    /// Runs `silver` to its end and returns its exit status (128 + the signal if one ended it).
    func runSilver(
        _ arguments: [String], environment: [String: String] = [:], program: String = "silver"
    ) async throws -> Int32 {
        let child = try silver(arguments, environment: environment, program: program)
        let status = await child.waitForExit(timeout: .seconds(300))
        return try #require(status, "silver did not finish within 300 s")
    }

    func log(_ root: String) -> DeltaLog {
        DeltaLog(s3: base.s3, bucket: silverBucket, root: root, logger: logs.logger())
    }

    /// Everything silver produced, without load times: what two runs must agree on.
    struct State: Equatable, CustomStringConvertible {
        var silver: [String]
        var quarantine: [String]
        var batches: [String]
        var manifest: [String]
        var salesVersion: Int64?
        var salesFiles: [String]
        var salesTransactions: [String: Int64]
        var quarantineVersion: Int64?
        var quarantineFiles: [String]

        var description: String {
            "silver \(silver.count) rows, quarantine \(quarantine.count), batches \(batches), sales v\(salesVersion ?? -1) \(salesFiles.count) files \(salesTransactions), quarantine v\(quarantineVersion ?? -1) \(quarantineFiles.count) files"
        }
    }

    func state() async throws -> State {
        func texts(_ sql: String) async throws -> [String] {
            try await base.database.query(sql).rows.map { try $0.decode(String.self, at: 0) }
        }
        let sales = try await log(SilverTable.root).snapshot()
        let quarantine = try await log(SilverTable.quarantineRoot).snapshot()
        return State(
            silver: try await texts("SELECT (to_jsonb(s) - 'loaded_at')::text FROM sales_silver s ORDER BY 1"),
            quarantine: try await texts(
                "SELECT (to_jsonb(q) - 'quarantined_at')::text FROM sales_quarantine q ORDER BY 1"),
            batches: try await texts("SELECT (to_jsonb(b) - 'finished_at')::text FROM silver_batches b ORDER BY 1"),
            manifest: try await texts("SELECT (to_jsonb(m) - 'processed_at')::text FROM silver_manifest m ORDER BY 1"),
            salesVersion: sales?.version, salesFiles: (sales?.files.keys).map { $0.sorted() } ?? [],
            salesTransactions: sales?.transactions ?? [:], quarantineVersion: quarantine?.version,
            quarantineFiles: (quarantine?.files.keys).map { $0.sorted() } ?? [])
    }

    /// The batches PostgreSQL holds.
    func batchCount() async throws -> Int64 {
        try await base.database.query("SELECT count(*) FROM silver_batches").rows[0].decode(Int64.self, at: 0)
    }

    func tearDown() async throws {
        for bucket in [silverBucket] {
            for try await page in base.s3.listObjectsV2(bucket: bucket) {
                for object in page.objects { try await base.s3.deleteObject(bucket: bucket, key: object.key) }
            }
            try await base.s3.deleteBucket(bucket)
        }
        var keys: [String] = []
        for try await page in base.s3.listObjectsV2(bucket: base.bucket) { keys += page.objects.map(\.key) }
        try await base.tearDown(keys: keys)
    }
}
