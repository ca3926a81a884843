// Measures the producer and the ingest job against moto and PostgreSQL in one run:
//   1. producer events/s: EventProducer (simulating as it goes) vs boto3 putting the same records
//      into the same moto, 500 a call, one caller each; a fresh 4-shard stream per side and round.
//   2. ingest records/s over a backlog of --backlog records (default 200,000) on 4 shards:
//      IngestJob --until-caught-up (bronze on S3, checkpoints in PostgreSQL) vs a minimal boto3
//      consumer (one thread per shard, the same flush size, no checkpoints).
//   3. ingest lag while the producer runs in real time at --lag-rate events/s (default 2,000) for
//      about --lag-seconds (default 60) through KinesisDouble (moto's Kinesis cannot keep that
//      rate up: see below), and for --lag-moto-seconds (default 10) through moto: from each
//      event's timestamp to the moment the object holding it was written; p50 and p99 against the
//      5 s target (ratio = target / p99), with the job's default flush age unless --flush-seconds
//      says otherwise. Bronze is on moto's S3 and checkpoints in PostgreSQL in both.
// Sides alternate each round (ours first in odd rounds); medians of --rounds (≥ 5) are compared.
// Ends with one `bench …` line per comparison (DEVELOPERS.md).
//
// Usage: ingest-compare [--endpoint URL] [--database-url URL] [--python PATH] [--rounds N]
//        [--events N] [--backlog N] [--lag-rate N] [--lag-seconds N] [--lag-moto-seconds N]
//        [--flush-seconds S]

import AWSLite
import BenchmarkSupport
import Foundation
import LakehouseCore
import LakehouseTestSupport
import Logging
import PGLite
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Prints a line at once, also into a file (where stdout is block-buffered).
func say(_ line: String) {
    print(line)
    fflush(nil)
}

let usage =
    "ingest-compare [--endpoint URL (AWS_ENDPOINT_URL)] [--database-url URL (DATABASE_URL)] [--python PATH] [--rounds N] [--events N] [--backlog N] "
    + "[--lag-rate N] [--lag-seconds N] [--lag-moto-seconds N] [--flush-seconds S]"
let options = CommandOptions.parse(
    defaults: [
        "--python": CommandOptions.python,
        "--endpoint": ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "",
        "--database-url": ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "", "--rounds": "5",
        "--events": "20000", "--backlog": "200000", "--lag-rate": "2000", "--lag-seconds": "60",
        "--lag-moto-seconds": "10",
        "--flush-seconds": "",
    ], usage: usage)
guard let rounds = Int(options["--rounds"]!), rounds >= 5, let events = Int(options["--events"]!), events > 0,
    let backlog = Int(options["--backlog"]!), backlog > 0, let lagRate = Double(options["--lag-rate"]!), lagRate > 0,
    let lagSeconds = Double(options["--lag-seconds"]!), lagSeconds > 0,
    let lagMotoSeconds = Double(options["--lag-moto-seconds"]!), lagMotoSeconds > 0,
    !options["--endpoint"]!.isEmpty, !options["--database-url"]!.isEmpty
else { CommandOptions.fail("usage: \(usage)\n(--rounds must be ≥ 5; the sizes positive)") }
let endpoint = options["--endpoint"]!
/// The flush age of the lag run: the job's default unless --flush-seconds is given.
let flushAge: Duration =
    options["--flush-seconds"]!.isEmpty
    ? IngestJob.Configuration(stream: "", bucket: "").flushAge
    : .milliseconds(Int((Double(options["--flush-seconds"]!) ?? 0) * 1000))
guard flushAge > .zero else { CommandOptions.fail("usage: \(usage)\n(--flush-seconds must be positive)") }
let flushSeconds = Timing.seconds(flushAge)

let peer = try PeerProcess(
    executable: options["--python"]!,
    arguments: [CommandOptions.repository.appendingPathComponent("Benchmarks/peers/ingest_peer.py").path])
let boto3 = "boto3-" + (peer.greeting.split(separator: "=").last.map(String.init) ?? "unknown")

let quiet = Logger(label: "ingest-compare") { _ in SwiftLogNoOpLogHandler() }
let aws = AWSClientConfiguration(
    credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"), region: "us-east-1",
    endpoint: endpoint)
let kinesis = KinesisClient(configuration: aws, logger: quiet)
let s3 = S3Client(configuration: aws, logger: quiet)
let database = try await PGConnection.connect(configuration: .init(options["--database-url"]!), logger: quiet)
let schema = "bench_ingest_\(UInt32.random(in: 0...UInt32.max))"
try await database.execute("CREATE SCHEMA \(schema)")
try await database.execute("SET search_path TO \(schema)")
try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: database)
let checkpoints = CheckpointStore(connection: database)
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-compare-\(schema)")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }

/// A simulation of 10 stores × 200 products long enough for `count` events (whole days).
func simulation(atLeast count: Int, seed: UInt64) -> (SimulationConfiguration, Int) {
    var configuration = SimulationConfiguration()
    configuration.seed = seed
    configuration.days = 100_000
    var simulator = StoreSimulator(configuration: configuration)
    var total = 0
    var days = 0
    while total < count, let day = simulator.nextDay() {
        total += day.count
        days += 1
    }
    configuration.days = days
    return (configuration, total)
}

func makeStream(_ name: String) async throws {
    try await kinesis.createStream(name, shardCount: 4)
    try await kinesis.waitUntilActive(name)
}

func produce(_ configuration: SimulationConfiguration, into stream: String, rate: Double? = nil) async throws
    -> EventProducer.Progress
{
    var producer = EventProducer.Configuration(stream: stream)
    producer.targetRate = rate
    producer.realTime = rate != nil
    producer.progressInterval = .seconds(3600)
    var simulator = StoreSimulator(configuration: configuration)
    return try await EventProducer(kinesis: kinesis, configuration: producer, logger: quiet).run(&simulator) { _ in }
}

@MainActor func ask(_ command: String) throws -> [Double] {
    let answer = try peer.ask(command)
    let values = answer.split(separator: " ").compactMap { Double($0) }
    guard !values.isEmpty else { throw PeerError(message: "the peer answered \"\(answer)\"") }
    return values
}

// MARK: 1. Producer events/s

let (producerSimulation, producerEvents) = simulation(atLeast: events, seed: 7)
do {
    var lines = ""
    var simulator = StoreSimulator(configuration: producerSimulation)
    while let day = simulator.nextDay() {
        for record in day { lines += Data(record.payload).base64EncodedString() + "\t" + record.partitionKey + "\n" }
    }
    try lines.write(to: scratch.appendingPathComponent("records.tsv"), atomically: true, encoding: .ascii)
}
say(
    "ingest-compare: producer: \(producerEvents) events (\(producerSimulation.days) simulated days of "
        + "\(producerSimulation.stores) stores × \(producerSimulation.products) products) per side and round")
say("round  ours events/s  boto3 events/s")
var producing = Comparison(name: "ingest-producer")
for round in 1...rounds {
    let oursStream = "bench-producer-ours-\(round)-\(schema)"
    let peerStream = "bench-producer-peer-\(round)-\(schema)"
    try await makeStream(oursStream)
    try await makeStream(peerStream)
    producing.record(
        try await Comparison.alternate(
            round: round,
            ours: {
                let progress = try await produce(producerSimulation, into: oursStream)
                guard progress.sent == producerEvents else { throw PeerError(message: "the producer sent \(progress)") }
                return progress.eventsPerSecond
            },
            peer: {
                try ask("put \(endpoint) \(peerStream) \(scratch.appendingPathComponent("records.tsv").path)")[0]
            }))
    try await kinesis.deleteStream(oursStream)
    try await kinesis.deleteStream(peerStream)
    say(String(format: "%5d  %13.0f  %14.0f", round, producing.ours.last!, producing.peer.last!))
}

// MARK: 2. Ingest records/s over a backlog

let backlogStream = "bench-backlog-\(schema)"
let oursBucket = "bench-bronze-ours-\(schema)".replacingOccurrences(of: "_", with: "-")
let peerBucket = "bench-bronze-peer-\(schema)".replacingOccurrences(of: "_", with: "-")
try await makeStream(backlogStream)
try await s3.createBucket(oursBucket)
try await s3.createBucket(peerBucket)
let (backlogSimulation, _) = simulation(atLeast: backlog, seed: 11)
let filled = try await produce(backlogSimulation, into: backlogStream)
say("ingest-compare: backlog: \(filled.sent) records on 4 shards (put in \(Int(filled.seconds)) s)")
say("round  ours records/s  boto3 records/s")
var draining = Comparison(name: "ingest-backlog")
for round in 1...rounds {
    try await database.execute("DELETE FROM ingest_checkpoints")
    var configuration = IngestJob.Configuration(stream: backlogStream, bucket: oursBucket)
    configuration.untilCaughtUp = true
    let job = IngestJob(kinesis: kinesis, s3: s3, checkpoints: checkpoints, configuration: configuration, logger: quiet)
    draining.record(
        try await Comparison.alternate(
            round: round,
            ours: {
                var report = IngestJob.Report()
                let seconds = try await Timing.timed { report = try await job.run() }
                guard report.records == filled.sent else { throw PeerError(message: "the job read \(report)") }
                return Double(report.records) / seconds
            },
            peer: {
                let answer = try ask("drain \(endpoint) \(backlogStream) \(peerBucket)")
                guard answer.count == 2, Int(answer[0]) == filled.sent else {
                    throw PeerError(message: "the peer read \(answer)")
                }
                return answer[1]
            }))
    say(String(format: "%5d  %14.0f  %15.0f", round, draining.ours.last!, draining.peer.last!))
}
peer.finish()
try await kinesis.deleteStream(backlogStream)

// MARK: 3. Ingest lag at a steady rate

/// The bronze objects the job wrote, from its debug log: key → (when, records).
func written(_ logs: CapturedLogs) -> [String: (micros: Int64, records: Int)] {
    var objects: [String: (micros: Int64, records: Int)] = [:]
    for (micros, line) in logs.timed where line.contains("bronze object written") {
        let fields = line.split(separator: " ")
        func value(_ name: String) -> String? {
            fields.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        if let key = value("s3.key") { objects[key] = (micros, Int(value("records") ?? "") ?? 0) }
    }
    return objects
}

/// What one lag run measured.
struct LagRun {
    var lags: [Double]
    var eventsPerSecond: Double
    var seconds: Double
    func percentile(_ p: Double) -> Double {
        lags[min(lags.count - 1, max(0, Int((Double(lags.count) * p).rounded(.up)) - 1))]
    }
}

/// Runs the job while the producer sends about `seconds` of events at `lagRate` in real time
/// through `stream` (on `lagKinesis`), then measures each event's lag from its bronze object.
func lagRun(_ lagKinesis: KinesisClient, label: String, seconds: Double) async throws -> LagRun {
    let stream = "bench-lag-\(label)-\(schema)"
    let bucket = "bench-bronze-lag-\(label)-\(schema)".replacingOccurrences(of: "_", with: "-")
    try await lagKinesis.createStream(stream, shardCount: 4)
    try await lagKinesis.waitUntilActive(stream)
    try await s3.createBucket(bucket)
    let (simulation, events) = simulation(atLeast: Int(lagRate * seconds), seed: 13)
    let logs = CapturedLogs()
    var configuration = IngestJob.Configuration(stream: stream, bucket: bucket)
    configuration.flushAge = flushAge
    let job = IngestJob(
        kinesis: lagKinesis, s3: s3, checkpoints: checkpoints, configuration: configuration,
        logger: logs.logger(label: "ingest-lag", level: .debug))
    let stop = StopSignal()
    let ingesting = Task { try await job.run(stop: stop) }
    say("ingest-compare: lag (\(label)): \(events) events at \(Int(lagRate)) events/s in real time")
    var producer = EventProducer.Configuration(stream: stream)
    producer.targetRate = lagRate
    producer.realTime = true
    producer.progressInterval = .seconds(3600)
    var simulator = StoreSimulator(configuration: simulation)
    let sent = try await EventProducer(kinesis: lagKinesis, configuration: producer, logger: quiet).run(&simulator) {
        _ in
    }
    let deadline = ContinuousClock.now + .seconds(120)
    while written(logs).values.reduce(0, { $0 + $1.records }) < sent.sent, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(100))
    }
    stop.stop()
    _ = try await ingesting.value
    var lags: [Double] = []
    for (key, object) in written(logs) {
        for line in try BronzeBatch.decode(try await s3.getObject(bucket: bucket, key: key).body) {
            guard let micros = EventTimestamp.parse(try EventJSON.decode(line.payload).timestamp) else {
                throw PeerError(message: "an event without a readable timestamp in \(key)")
            }
            lags.append(Double(object.micros - micros) / 1e6)
        }
        try await s3.deleteObject(bucket: bucket, key: key)
    }
    try await s3.deleteBucket(bucket)
    try await lagKinesis.deleteStream(stream)
    guard lags.count == sent.sent else {
        throw PeerError(message: "\(lags.count) of \(sent.sent) events reached bronze within 120 s of the end")
    }
    let run = LagRun(lags: lags.sorted(), eventsPerSecond: sent.eventsPerSecond, seconds: sent.seconds)
    say(
        String(
            format: "lag (%@): %d events in %.1f s (%.0f events/s): p50 %.3f s, p99 %.3f s, max %.3f s", label,
            lags.count, sent.seconds, sent.eventsPerSecond, run.percentile(0.5), run.percentile(0.99),
            run.lags.last!))
    return run
}

// moto's Kinesis slows as a stream grows (each put costs time in proportion to the records held:
// about 4,100 records/s into an empty 4-shard stream, 260/s once it holds 100,000), so it cannot
// take 2,000 events/s for a minute. The full-length run uses KinesisDouble — an in-memory Kinesis
// that keeps up — with bronze still on moto's S3 and checkpoints in PostgreSQL; a short run at the
// same rate on moto's Kinesis is reported beside it.
let double = try KinesisDouble()
let doubleKinesis = KinesisClient(
    configuration: AWSClientConfiguration(credentials: aws.credentials, region: aws.region, endpoint: double.endpoint),
    logger: quiet)
let lagDouble = try await lagRun(doubleKinesis, label: "double", seconds: lagSeconds)
double.stop()
let lagMoto = try await lagRun(kinesis, label: "moto", seconds: lagMotoSeconds)

// MARK: Clean-up and summary

for bucket in [oursBucket, peerBucket] {
    for try await page in s3.listObjectsV2(bucket: bucket) {
        for object in page.objects { try await s3.deleteObject(bucket: bucket, key: object.key) }
    }
    try await s3.deleteBucket(bucket)
}
try await database.execute("DROP SCHEMA \(schema) CASCADE")
await database.close()

say(producing.summary(unit: "events/s", digits: 0, peerName: boto3, extra: [("events", String(producerEvents))]))
say(
    draining.summary(
        unit: "records/s", digits: 0, peerName: "\(boto3)-consumer",
        extra: [("records", String(filled.sent)), ("shards", "4")]))
for (name, run, kinesisName) in [
    ("ingest-lag-p99", lagDouble, "KinesisDouble"), ("ingest-lag-p99-moto", lagMoto, "moto"),
] {
    let p99 = run.percentile(0.99)
    say(
        "bench \(name) ratio=\(Comparison.fixed(5.0 / p99, 2)) ours=\(Comparison.fixed(p99, 3))s "
            + "peer=5.000s peer_name=target p50=\(Comparison.fixed(run.percentile(0.5), 3))s "
            + "max=\(Comparison.fixed(run.lags.last!, 3))s events=\(run.lags.count) "
            + "events_per_s=\(Comparison.fixed(run.eventsPerSecond, 0)) seconds=\(Comparison.fixed(run.seconds, 1)) "
            + "kinesis=\(kinesisName) flush_seconds=\(flushSeconds) shards=4")
}
