// Measures the silver transform against DuckDB on the same bronze in one run:
//   1. silver-transform rows/s: --records bronze records (default 1,000,000; the simulator's
//      output with 2% dirty records) as bronze objects of --per-object records (default 10,000)
//      on local disk. Ours: read each object, parse the envelopes and payloads, apply the rules,
//      drop duplicates, encode the silver Parquet files (zstd, one per event_date) and the
//      quarantine file, and write them to disk (SilverBatch, SilverTable). DuckDB's: read_json of
//      the same objects → the same rules in SQL (reason of the first failing one) → the same
//      dedupe → COPY … (FORMAT parquet, COMPRESSION zstd, PARTITION_BY event_date) and the
//      rejected rows to a quarantine file. Rows/s = input records ÷ seconds; sides alternate each
//      round and medians of --rounds (≥ 5) are compared.
//   2. end-to-end silver rows/s (no peer): the same objects on moto's S3, SilverJob.runOnce into
//      the Delta tables on moto and PostgreSQL, --end-to-end-records of them (default all).
// Ends with the `bench …` line DEVELOPERS.md defines, with the bronze megabytes (10^6 bytes)
// each side turns into silver per second and per core.
//
// Usage: silver-compare [--python PATH] [--rounds N] [--records N] [--per-object N]
//        [--endpoint URL] [--database-url URL] [--end-to-end-records N (0: skip)]

import AWSLite
import BenchmarkSupport
import Foundation
import LakehouseCore
import Logging
import PGLite

func say(_ line: String) {
    print(line)
    fflush(nil)
}

let usage =
    "silver-compare [--python PATH] [--rounds N] [--records N] [--per-object N] [--endpoint URL (AWS_ENDPOINT_URL)] "
    + "[--database-url URL (DATABASE_URL)] [--end-to-end-records N (0: skip)]"
let options = CommandOptions.parse(
    defaults: [
        "--python": CommandOptions.python, "--rounds": "5", "--records": "1000000", "--per-object": "10000",
        "--endpoint": ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "",
        "--database-url": ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "",
        "--end-to-end-records": "",
    ], usage: usage)
guard let rounds = Int(options["--rounds"]!), rounds >= 5, let records = Int(options["--records"]!), records > 0,
    let perObject = Int(options["--per-object"]!), perObject > 0
else { CommandOptions.fail("usage: \(usage)\n(--rounds must be ≥ 5; the sizes positive)") }
let endToEndRecords = Int(options["--end-to-end-records"]!) ?? records

// MARK: The bronze objects

let work = FileManager.default.temporaryDirectory.appendingPathComponent("silver-compare-\(getpid())")
let bronzeDirectory = work.appendingPathComponent("bronze")
try FileManager.default.createDirectory(at: bronzeDirectory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

say("generating \(records) bronze records (2% dirty) in objects of \(perObject)…")
/// Writes the objects; returns their bronze keys (in order) and their total size.
func generate(records: Int, perObject: Int, into directory: URL) throws -> (keys: [String], bytes: Int) {
    var simulator = StoreSimulator(
        configuration: SimulationConfiguration(stores: 20, products: 200, days: 365, seed: 42, dirtyRate: 0.02))
    let batches = simulator.bronzeBatches(recordsPerObject: perObject, limit: records)
    let generated = batches.reduce(0) { $0 + $1.records.count }
    guard generated == records else { throw DatasetError(message: "the simulation gave only \(generated) records") }
    var bytes = 0
    for (index, batch) in batches.enumerated() {
        let encoded = batch.encoded()
        try Data(encoded).write(to: directory.appendingPathComponent("\(index).jsonl"))
        bytes += encoded.count
    }
    return (batches.map(\.key), bytes)
}
let (objectKeys, bronzeBytes) = try generate(records: records, perObject: perObject, into: bronzeDirectory)
let objectPaths = (0..<objectKeys.count).map { bronzeDirectory.appendingPathComponent("\($0).jsonl").path }
say(
    "bronze: \(records) records in \(objectPaths.count) objects, \(Comparison.fixed(Double(bronzeBytes) / 1_048_576, 1)) MiB"
)

// MARK: Our side

/// Where our side's time goes in one round, in seconds.
struct Phases {
    var read = 0.0
    var clean = 0.0
    var encode = 0.0
}

/// Reads the objects from disk, cleans them and writes the silver and quarantine files to
/// `output`; returns the counts and the time of each phase.
func transform(_ objectPaths: [String], keys objectKeys: [String], into output: URL) async throws
    -> (SilverStore.BatchCounts, Phases)
{
    var phases = Phases()
    let clock = ContinuousClock()
    var mark = clock.now
    func lap() -> Double {
        let now = clock.now
        defer { mark = now }
        return Timing.seconds(now - mark)
    }
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    var objects: [(key: String, body: [UInt8])] = []
    for (index, path) in objectPaths.enumerated() {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(message: "cannot read \(path)")
        }
        objects.append((objectKeys[index], Array(data)))
    }
    phases.read = lap()
    let batch = await SilverBatch.cleaning(objects)
    objects = []
    phases.clean = lap()
    let files = try await SilverTable.dataFiles(batch.columns, name: "part-0", modificationTime: 0)
    let quarantine = try await SilverTable.quarantineFile(batch.rejected, name: "part-0", modificationTime: 0)
    for file in files + [quarantine] {
        let target = output.appendingPathComponent(file.path)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(file.bytes).write(to: target)
    }
    phases.encode = lap()
    return (batch.counts, phases)
}

// MARK: The peer

let peer = try PeerProcess(
    executable: options["--python"]!,
    arguments: [CommandOptions.repository.appendingPathComponent("Benchmarks/peers/silver_peer.py").path])
let duckdb = "duckdb-" + (peer.greeting.split(separator: "=").last.map(String.init) ?? "unknown")

var comparison = Comparison(name: "silver-transform")
var ourCounts = SilverStore.BatchCounts()
var ourPhases = Phases()
var peerCounts: [Substring] = []
for round in 1...rounds {
    let output = work.appendingPathComponent("round-\(round)")
    let measured = try await Comparison.alternate(
        round: round,
        ours: {
            var result = (SilverStore.BatchCounts(), Phases())
            let seconds = try await Timing.timed {
                result = try await transform(objectPaths, keys: objectKeys, into: output.appendingPathComponent("ours"))
            }
            ourCounts = result.0
            ourPhases = result.1
            return seconds
        },
        peer: {
            let answer = try peer.ask(
                "transform \(bronzeDirectory.path) \(output.appendingPathComponent("duckdb").path)")
            let fields = answer.split(separator: " ")
            guard fields.count == 4, let seconds = Double(fields[0]) else {
                throw DatasetError(message: "the peer answered '\(answer)'")
            }
            peerCounts = Array(fields.dropFirst())
            return seconds
        })
    comparison.record(measured)
    try? FileManager.default.removeItem(at: output)
    say(
        "round \(round): ours \(Comparison.fixed(Double(records) / measured.ours, 0)) rows/s (read \(Comparison.fixed(ourPhases.read, 2)) s, clean \(Comparison.fixed(ourPhases.clean, 2)) s, encode and write \(Comparison.fixed(ourPhases.encode, 2)) s), duckdb \(Comparison.fixed(Double(records) / measured.peer, 0)) rows/s"
    )
}
peer.finish()
say(
    "ours: valid \(ourCounts.valid), quarantined \(ourCounts.quarantined), duplicates \(ourCounts.duplicates); duckdb: valid \(peerCounts[0]), quarantined \(peerCounts[1]), duplicates \(peerCounts[2])"
)
// Both sides must have done the same work.
guard peerCounts.map(String.init) == ["\(ourCounts.valid)", "\(ourCounts.quarantined)", "\(ourCounts.duplicates)"]
else {
    CommandOptions.fail("silver-compare: the two sides disagree on valid, quarantined and duplicate records")
}

// MARK: End to end (moto and PostgreSQL)

var endToEnd: [(String, String)] = []
if endToEndRecords > 0 {
    guard !options["--endpoint"]!.isEmpty, !options["--database-url"]!.isEmpty else {
        CommandOptions.fail("the end-to-end run needs --endpoint and --database-url (or --end-to-end-records 0)")
    }
    let quiet = Logger(label: "silver-compare") { _ in SwiftLogNoOpLogHandler() }
    let aws = AWSClientConfiguration(
        credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"), region: "us-east-1",
        endpoint: options["--endpoint"]!)
    let s3 = S3Client(configuration: aws, logger: quiet)
    let suffix = UInt32.random(in: 0...UInt32.max)
    let bronze = "bench-silver-bronze-\(suffix)"
    let silver = "bench-silver-silver-\(suffix)"
    try await s3.createBucket(bronze)
    try await s3.createBucket(silver)
    var uploaded = 0
    for (index, path) in objectPaths.enumerated() where uploaded < endToEndRecords {
        let body = Array(FileManager.default.contents(atPath: path) ?? Data())
        try await s3.putObject(bucket: bronze, key: objectKeys[index], body: body)
        uploaded += BronzeBatch.decodeEach(body).count
    }
    let database = try await PGConnection.connect(configuration: .init(options["--database-url"]!), logger: quiet)
    let schema = "bench_silver_\(suffix)"
    try await database.execute("CREATE SCHEMA \(schema)")
    try await database.execute("SET search_path TO \(schema)")
    try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: database)
    // The objects were put on S3 here, not by ingest, so no registry lists them: silver lists the bucket.
    var silverConfiguration = SilverJob.Configuration(bronzeBucket: bronze, silverBucket: silver)
    silverConfiguration.source = .listing
    let job = SilverJob(
        s3: s3, store: SilverStore(connection: database), configuration: silverConfiguration, logger: quiet)
    var report = SilverJob.Report()
    let seconds = try await Timing.timed { report = try await job.runOnce() }
    say("end to end: \(report) in \(Comparison.fixed(seconds, 1)) s")
    guard report.counts.input == uploaded else {
        CommandOptions.fail(
            "silver-compare: the end-to-end run read \(report.counts.input) of the \(uploaded) records put")
    }
    endToEnd = [
        ("end_to_end_rows_per_s", Comparison.fixed(Double(report.counts.input) / seconds, 0)),
        ("end_to_end_records", String(report.counts.input)), ("end_to_end_batches", String(report.batches)),
    ]
    try await database.execute("SET client_min_messages TO warning")
    try await database.execute("DROP SCHEMA \(schema) CASCADE")
    await database.close()
    for bucket in [bronze, silver] {
        var keys: [String] = []
        for try await page in s3.listObjectsV2(bucket: bucket) { keys += page.objects.map(\.key) }
        for start in stride(from: 0, to: keys.count, by: 1000) {
            _ = try await s3.deleteObjects(bucket: bucket, keys: Array(keys[start..<min(start + 1000, keys.count)]))
        }
        try await s3.deleteBucket(bucket)
    }
}

// The bronze JSON each side turns into silver per second and per core (both sides use every core).
let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
let bytesPerCore = [
    (
        "ours_mb_per_s_per_core",
        Comparison.fixed(Double(bronzeBytes) / Statistics.median(comparison.ours) / cores / 1e6, 1)
    ),
    (
        "peer_mb_per_s_per_core",
        Comparison.fixed(Double(bronzeBytes) / Statistics.median(comparison.peer) / cores / 1e6, 1)
    ),
    ("cores", String(Int(cores))),
]
say(
    comparison.summary(
        unit: "rows/s", digits: 0, peerName: duckdb,
        extra: [("records", String(records)), ("objects", String(objectPaths.count))] + bytesPerCore + endToEnd,
        toThroughput: { Double(records) / $0 }))
