// A year in fast-forward through the real pipeline: a reduced chain's simulated days, each sent to
// moto's Kinesis, ingested to bronze (registering each object), cleaned by silver into the Delta
// tables and PostgreSQL, applied by gold; maintenance (compaction, vacuum, log expiry) and
// retention (fact months exported to the gold bucket and dropped, old silver months dropped)
// after each day, as `lakehouse run` does on its schedule. Simulated time runs as fast as the
// machine goes: a day's events are stamped with their simulated times.
//
// Measured per simulated day: the gold refresh's time, silver's time per batch; every --every
// days also the silver table's files and bytes, how long reading yesterday's silver takes
// (delta-rs lists the day's files, each is fetched, DuckDB reads them: scripts/year_read.py),
// PostgreSQL's bytes per table, and the objects in each bucket. Written to
// .build/bench-year/year.csv and plotted against the simulated day in .build/bench-year/year.svg.
//
// At the end, the reconciliation: every event produced is in silver, the quarantine or counted a
// duplicate; the units sold in gold (PostgreSQL's months plus the exported ones, read by delta-rs)
// equal DuckDB's sum over the silver table as delta-rs reads it (scripts/year_check.py).
//
// bench lines (ratio = first month ÷ last month: above 1, the last month is the faster):
//   year-refresh-growth, year-silver-batch-growth, year-silver-read-growth (files_last_day=…)
//
// Usage: year-bench [--days N] [--stores N] [--products N] [--seed N] [--every N] [--fact-months N]
//        [--silver-months N] [--python PATH]   (DATABASE_URL and AWS_ENDPOINT_URL from the environment)
import AWSLite
import BenchmarkSupport
import DeltaLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import Logging
import PGLite

func say(_ line: String) {
    print(line)
    fflush(nil)
}

let usage =
    "year-bench [--days N] [--stores N] [--products N] [--seed N] [--every N] [--fact-months N] [--silver-months N] [--python PATH]"
let options = CommandOptions.parse(
    defaults: [
        "--days": "365", "--stores": "4", "--products": "50", "--seed": "5", "--every": "7", "--fact-months": "3",
        "--silver-months": "3", "--python": CommandOptions.python,
    ], usage: usage)
let environment = ProcessInfo.processInfo.environment
guard let days = Int(options["--days"]!), days >= 60, let stores = Int(options["--stores"]!), stores > 0,
    let products = Int(options["--products"]!), products > 0, let seed = UInt64(options["--seed"]!),
    let every = Int(options["--every"]!), every > 0, let factMonths = Int(options["--fact-months"]!),
    factMonths > 0, let silverMonths = Int(options["--silver-months"]!), silverMonths > 0,
    let databaseURL = environment["DATABASE_URL"], let endpoint = environment["AWS_ENDPOINT_URL"]
else {
    CommandOptions.fail(
        "usage: \(usage)\n(--days ≥ 60 so that a first and a last month exist; DATABASE_URL and AWS_ENDPOINT_URL set)")
}
let python = options["--python"]!

let quiet = Logger(label: "year-bench") { _ in SwiftLogNoOpLogHandler() }
let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
let aws = AWSClientConfiguration(
    credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"), region: "us-east-1",
    endpoint: endpoint)
let s3 = S3Client(configuration: aws, logger: quiet)
let kinesis = KinesisClient(configuration: aws, logger: quiet)
let stream = "year-\(suffix)"
let buckets = (bronze: "year-bronze-\(suffix)", silver: "year-silver-\(suffix)", gold: "year-gold-\(suffix)")
let schema = "bench_year_\(suffix)"
let database = try await PGConnection.connect(configuration: .init(databaseURL), logger: quiet)
try await database.execute("CREATE SCHEMA \(schema)")
try await database.execute("SET search_path TO \(schema)")
try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: database)
for bucket in [buckets.bronze, buckets.silver, buckets.gold] { try await s3.createBucket(bucket) }
try await kinesis.createStream(stream, shardCount: 2)
try await kinesis.waitUntilActive(stream)

var ingestConfiguration = IngestJob.Configuration(stream: stream, bucket: buckets.bronze)
ingestConfiguration.untilCaughtUp = true
ingestConfiguration.flushRecords = 150
let ingest = IngestJob(
    kinesis: kinesis, s3: s3, checkpoints: CheckpointStore(connection: database), configuration: ingestConfiguration,
    logger: quiet)
var silverConfiguration = SilverJob.Configuration(bronzeBucket: buckets.bronze, silverBucket: buckets.silver)
silverConfiguration.objectsPerBatch = 2
let silver = SilverJob(
    s3: s3, store: SilverStore(connection: database), configuration: silverConfiguration, logger: quiet)
let gold = GoldJob(connection: database, logger: quiet)
var maintenanceConfiguration = SilverMaintenance.Configuration(silverBucket: buckets.silver)
// Simulated days pass in seconds: removed files and old log entries go at once (no reader
// lingers on an old version here).
maintenanceConfiguration.fileRetention = .zero
maintenanceConfiguration.logRetention = .zero
let maintenance = SilverMaintenance(
    s3: s3, store: SilverStore(connection: database), configuration: maintenanceConfiguration, logger: quiet)
var policy = RetentionPolicy(goldBucket: buckets.gold)
policy.factMonths = factMonths
policy.silverMonths = silverMonths
policy.reviewDays = 90
policy.resolvedAlertDays = 90
let retention = TableRetention(connection: database, s3: s3, policy: policy, logger: quiet)
let silverLog = DeltaLog(s3: s3, bucket: buckets.silver, root: SilverTable.root, logger: quiet)

/// One simulated day's measurements.
struct Day {
    var day: Int
    var events: Int
    var refreshMilliseconds: Double
    var silverMillisecondsPerBatch: Double
    var silverBatches: Int
    var maintenanceMilliseconds: Double
    /// The refresh's steps (stage, dimensions, facts, positions, snapshots, calendar, stock model, review), ms.
    var refreshSteps: [String: Double]
    var deltaFiles: Int?
    var deltaBytes: Int64?
    var readMilliseconds: Double?
    var readFiles: Int?
    var postgresBytes: [String: Int64]?
    var objects: [String: Int]?
}

/// The bytes of each growing table (partitions included) and of the whole schema.
func postgresBytes() async throws -> [String: Int64] {
    var sizes: [String: Int64] = [:]
    for table in [
        "sales_silver", "fact_sales", "fact_stock_movement", "fact_inventory_snapshot", "silver_manifest",
        "bronze_object", "pipeline_run", "stock_alert",
    ] {
        sizes[table] = try await database.query(
            """
            SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
            WHERE c.oid = $1::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)
            """, [table]
        ).rows[0].decode(Int64.self, at: 0)
    }
    sizes["schema"] = try await database.query(
        """
        SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'm')
        """
    ).rows[0].decode(Int64.self, at: 0)
    return sizes
}

/// The objects in each bucket.
func objectCounts() async throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for (name, bucket) in [("bronze", buckets.bronze), ("silver", buckets.silver), ("gold", buckets.gold)] {
        var count = 0
        for try await page in s3.listObjectsV2(bucket: bucket) { count += page.objects.count }
        counts[name] = count
    }
    return counts
}

/// Reading one day of silver as another engine does (scripts/year_read.py).
func readDay(_ date: String) async throws -> (milliseconds: Double, files: Int, rows: Int) {
    let result = try await ChildProcess.output(
        python,
        [
            RepositoryPaths.root + "/scripts/year_read.py", endpoint, "s3://\(buckets.silver)/sales", date,
        ], timeout: .seconds(300))
    guard result.status == 0,
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
        let seconds = object["seconds"] as? Double, let files = object["files"] as? Int,
        let rows = object["rows"] as? Int
    else { throw DatasetError(message: "year_read.py failed: \(result.errors.suffix(1000))") }
    return (seconds * 1000, files, rows)
}

var simulation = SimulationConfiguration(stores: stores, products: products, days: days, seed: seed, dirtyRate: 0.02)
// The year ends yesterday: silver refuses events stamped more than a day after they arrive.
let today = Int64(Date().timeIntervalSince1970) / 86_400
simulation.startMicros = (today - Int64(days) - 1) * 86_400_000_000
simulation.closedDays = [10, 100, 200, 300]
var simulator = StoreSimulator(configuration: simulation)
var measured: [Day] = []
var produced = 0
var silverTotals = SilverJob.Report()
let clock = ContinuousClock()
let started = clock.now
say(
    "a year in fast-forward: \(days) days of \(stores) stores × \(products) products, 2 % dirty, on moto and PostgreSQL"
)
say("day  events  refresh ms  silver ms/batch  batches  files  read ms  PostgreSQL MB")
for day in 0..<days {
    guard let records = simulator.nextDay() else { break }
    produced += records.count
    var index = 0
    while index < records.count {
        let chunk = records[index..<min(index + 500, records.count)]
        index += chunk.count
        let result = try await kinesis.putRecords(
            stream: stream,
            records: chunk.map { KinesisRecordInput(data: $0.payload, partitionKey: $0.partitionKey) })
        guard result.failed.isEmpty else {
            throw DatasetError(message: "Kinesis refused \(result.failed.count) records")
        }
    }
    _ = try await ingest.run()
    var silverReport = SilverJob.Report()
    let silverSeconds = try await Timing.timed { silverReport = try await silver.runOnce() }
    silverTotals.add(silverReport)
    var refresh = GoldJob.Report()
    let refreshSeconds = try await Timing.timed { refresh = try await gold.refresh() }
    let maintenanceSeconds = try await Timing.timed {
        _ = try await maintenance.run()
        _ = try await retention.run()
    }
    var today = Day(
        day: day, events: records.count, refreshMilliseconds: refreshSeconds * 1000,
        silverMillisecondsPerBatch: silverSeconds * 1000 / Double(max(1, silverReport.batches)),
        silverBatches: silverReport.batches, maintenanceMilliseconds: maintenanceSeconds * 1000,
        refreshSteps: Dictionary(refresh.steps.map { ($0.name, $0.seconds * 1000) }, uniquingKeysWith: +))
    if day > 0 && (day % every == 0 || day == days - 1) {
        let snapshot = try await silverLog.snapshot()
        today.deltaFiles = snapshot?.files.count
        today.deltaBytes = snapshot?.files.values.reduce(0) { $0 + $1.size }
        let yesterday = SilverEvent.dateText(Int32(simulation.startMicros / 86_400_000_000) + Int32(day - 1))
        let read = try await readDay(yesterday)
        today.readMilliseconds = read.milliseconds
        today.readFiles = read.files
        today.postgresBytes = try await postgresBytes()
        today.objects = try await objectCounts()
        say(
            "\(day)  \(records.count)  \(Comparison.fixed(today.refreshMilliseconds, 1))  "
                + "\(Comparison.fixed(today.silverMillisecondsPerBatch, 1))  \(silverReport.batches)  "
                + "\(read.files)  \(Comparison.fixed(read.milliseconds, 0))  "
                + "\(Comparison.fixed(Double(today.postgresBytes?["schema"] ?? 0) / 1_048_576, 1))")
    }
    measured.append(today)
}
let elapsed = Timing.seconds(clock.now - started)
say("simulated \(measured.count) days in \(Comparison.fixed(elapsed / 60, 1)) min")
try await YearReport.write(measured, directory: RepositoryPaths.root + "/.build/bench-year")
try await YearReport.reconcile(
    produced: produced, silver: silverTotals, python: python, endpoint: endpoint, silverBucket: buckets.silver,
    goldBucket: buckets.gold, database: database)
YearReport.benchLines(measured)
