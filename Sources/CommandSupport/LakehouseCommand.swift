import AWSLite
import ArgumentParser
import Foundation
import LakehouseCore
import LakehouseServer
import Logging
import PGLite
import ServiceLifecycle

/// `lakehouse`: the whole pipeline in one process (`run`), its status, backfills and the live
/// demo. The `lakehouse` executable runs it; so does a test fixture with fault injection on.
package struct LakehouseCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "lakehouse",
        abstract: "Run the pipeline (ingest, silver, gold) with shard leases and run history.",
        subcommands: [Run.self, Serve.self, Status.self, Backfill.self, Maintain.self, Webhooks.self, Demo.self])

    package init() {}
}

struct PipelineOptions: ParsableArguments {
    @Option(help: "Seconds of silence after which another process takes a process's shards.")
    var failoverSeconds = 10.0
    @Option(help: "Seconds between looks for bronze objects other processes wrote.") var pollSeconds = 5.0
    @Option(help: "Flush a shard's batch to bronze when its oldest record has waited this long.")
    var flushSeconds = 1.0
    @Option(help: "Bronze objects per silver batch.") var objectsPerBatch = 64
    @Option(help: "This process's id in leases and run history (default host:pid:random).") var worker: String?
    @Option(help: "Minutes between compactions and vacuums of silver's tables (0: never; see `lakehouse maintain`).")
    var maintenanceMinutes = 60.0
    @Flag(
        help: "Send no alert webhooks from this process (gold still writes them; `lakehouse webhooks deliver` sends).")
    var noWebhooks = false
    @OptionGroup var settings: SettingsOption

    func validate() throws {
        try CheckedValues.seconds(failoverSeconds, "--failover-seconds", 1...3600)
        try CheckedValues.seconds(pollSeconds, "--poll-seconds", 0.1...3600)
        try CheckedValues.seconds(flushSeconds, "--flush-seconds", 0.01...3600)
        try CheckedValues.count(objectsPerBatch, "--objects-per-batch", 1...10_000)
        try CheckedValues.number(maintenanceMinutes, "--maintenance-minutes", 0...100_000)
        if let worker {
            guard (1...200).contains(worker.count),
                !worker.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else { throw ValidationError("--worker must be 1 to 200 characters without control characters") }
        }
    }

    /// The pipeline these options describe.
    func pipeline(untilCaughtUp: Bool, logger: Logger) throws -> (Pipeline, KinesisClient, LakehouseConfiguration) {
        let settings = try settings.load(program: "lakehouse")
        var configuration = Pipeline.Configuration(
            stream: settings.kinesisStream, bronzeBucket: settings.buckets.bronze,
            silverBucket: settings.buckets.silver)
        configuration.failoverTime = CheckedValues.duration(failoverSeconds)
        configuration.silverPollInterval = CheckedValues.duration(pollSeconds)
        configuration.ingest.flushAge = CheckedValues.duration(flushSeconds)
        configuration.silver.objectsPerBatch = objectsPerBatch
        configuration.untilCaughtUp = untilCaughtUp
        if let worker { configuration.worker = worker }
        configuration.retention.goldBucket = settings.buckets.gold
        configuration.maintenanceInterval =
            maintenanceMinutes > 0 ? CheckedValues.duration(maintenanceMinutes * 60) : nil
        if noWebhooks { configuration.webhooks = nil }
        let kinesis = KinesisClient(configuration: try settings.awsClientConfiguration(.kinesis), logger: logger)
        let pipeline = Pipeline(
            configuration: configuration, kinesis: kinesis,
            s3: S3Client(configuration: try settings.awsClientConfiguration(.s3), logger: logger),
            connect: { name in try await settings.connectDatabase(applicationName: name, logger: logger) },
            logger: logger, objectHook: FaultInjection.objectHook(program: "lakehouse"))
        return (pipeline, kinesis, settings)
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest the leased shards, clean bronze into silver, refresh gold; until interrupted.")

    @Flag(help: "Stop once the shards are drained and silver and gold have nothing left.") var untilCaughtUp = false
    @Option(help: "Also serve the dashboard at this address (host:port, e.g. 127.0.0.1:8080).") var http: String?
    @OptionGroup var options: PipelineOptions

    func validate() throws {
        if let http { _ = try ServeAddress(http) }
    }

    func run() async throws {
        let logger = Logger(label: "lakehouse")
        let (pipeline, _, settings) = try options.pipeline(untilCaughtUp: untilCaughtUp, logger: logger)
        var services: [any Service] = [pipeline.service(finished: { print($0) })]
        if let http {
            services.append(try ServeAddress(http).server(settings: settings, logger: logger).service())
        }
        try await GracefulRun.run(
            services, notice: "lakehouse: draining: flushing, checkpointing, releasing leases", logger: logger)
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Processes, shard owners and lag, the last runs of each stage, freshness and open alerts.")

    @Option(help: "Runs shown per stage.") var runs = 5
    @OptionGroup var settings: SettingsOption

    func validate() throws { try CheckedValues.count(runs, "--runs", 1...1000) }

    func run() async throws {
        let logger = Logger(label: "lakehouse")
        let settings = try settings.load(program: "lakehouse")
        let database = try await settings.connectDatabase(applicationName: "lakehouse-status", logger: logger)
        do {
            let status = try await PipelineStatus.read(
                connection: database, stream: settings.kinesisStream, runsPerStage: max(1, runs))
            await database.close()
            print(status.text)
        } catch {
            await database.close()
            throw error
        }
    }
}

struct Backfill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process a range of bronze days into silver and gold again (idempotent).")

    @Option(help: "The first day, YYYY-MM-DD (UTC).") var from: String
    @Option(help: "The last day, YYYY-MM-DD (UTC), included.") var to: String
    @Flag(help: "Read every object of the range again, processed or not (their rows count as duplicates).")
    var force = false
    @OptionGroup var options: PipelineOptions

    static func day(_ text: String) throws -> Date {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withFullDate]
        guard let date = format.date(from: text) else { throw ValidationError("\(text) is not a YYYY-MM-DD date") }
        return date
    }

    func validate() throws {
        guard try Self.day(from) <= Self.day(to) else { throw ValidationError("--to is before --from") }
    }

    func run() async throws {
        let logger = Logger(label: "lakehouse")
        let (pipeline, _, _) = try options.pipeline(untilCaughtUp: true, logger: logger)
        let stop = StopSignal()
        let sources = stop.stopOnInterrupt(notice: "lakehouse: backfill stopping after the current batch")
        let report = try await pipeline.backfill(
            from: try Self.day(from), through: try Self.day(to), force: force, stop: stop)
        sources.forEach { $0.cancel() }
        print(report)
    }
}

struct Maintain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compact silver's small files, vacuum removed ones and expire old log entries, once.",
        discussion: """
            `lakehouse run` does the same every --maintenance-minutes. Files removed by compaction \
            stay --file-retention-hours (readers of older versions still find them); the log keeps \
            --log-retention-days of history for time travel.
            """)

    @Option(name: .customLong("target-file-mib"), help: "Compact a partition's files up to about this many MiB.")
    var targetFileMiB = 128
    @Option(help: "Hours a removed data file stays on storage before vacuum deletes it.")
    var fileRetentionHours = 168.0
    @Option(help: "Days of Delta log kept for time travel.") var logRetentionDays = 30.0
    @Option(help: "Months of facts kept in PostgreSQL; older months are exported to the gold bucket, then dropped.")
    var factMonths = 13
    @Option(help: "Months of sales_silver kept in PostgreSQL (the silver Delta table keeps them all).")
    var silverMonths = 13
    @OptionGroup var settings: SettingsOption

    func validate() throws {
        try CheckedValues.count(targetFileMiB, "--target-file-mib", 1...16_384)
        try CheckedValues.number(fileRetentionHours, "--file-retention-hours", 0...87_600)
        try CheckedValues.number(logRetentionDays, "--log-retention-days", 0...3650)
        try CheckedValues.count(factMonths, "--fact-months", 1...1200)
        try CheckedValues.count(silverMonths, "--silver-months", 1...1200)
    }

    func run() async throws {
        let logger = Logger(label: "lakehouse")
        let settings = try settings.load(program: "lakehouse")
        var configuration = SilverMaintenance.Configuration(silverBucket: settings.buckets.silver)
        configuration.targetFileSize = Int64(targetFileMiB) << 20
        configuration.fileRetention = CheckedValues.duration(fileRetentionHours * 3600)
        configuration.logRetention = CheckedValues.duration(logRetentionDays * 86_400)
        let database = try await settings.connectDatabase(applicationName: "lakehouse-maintain", logger: logger)
        do {
            let s3 = S3Client(configuration: try settings.awsClientConfiguration(.s3), logger: logger)
            let maintenance = SilverMaintenance(
                s3: s3, store: SilverStore(connection: database), configuration: configuration, logger: logger)
            var policy = RetentionPolicy(goldBucket: settings.buckets.gold)
            policy.factMonths = factMonths
            policy.silverMonths = silverMonths
            let report = try await maintenance.runClaimed(
                database, worker: Pipeline.Configuration.defaultWorker(),
                retention: TableRetention(connection: database, s3: s3, policy: policy, logger: logger))
            await database.close()
            print(report.map { "\($0)" } ?? "lakehouse maintain: another process is maintaining the tables now")
        } catch {
            await database.close()
            throw error
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Provision, then simulate a chain in real time while the pipeline runs; prints freshness and alerts.")

    @Flag(help: "Required: the live demo (make demo runs the batch one).") var live = false
    @Option(help: "Events per second.") var rate = 200.0
    @Option(help: "Stores in the chain.") var stores = 10
    @Option(help: "Products in the assortment.") var products = 200
    @Option(help: "Open shards the stream gets when it is created.") var shards = 4
    @Option(help: "Seconds between reports.") var every = 5.0
    @OptionGroup var options: PipelineOptions

    func validate() throws {
        guard live else { throw ValidationError("only `lakehouse demo --live` exists; `make demo` is the batch demo") }
        try CheckedValues.number(rate, "--rate", 0.1...1_000_000)
        try CheckedValues.count(stores, "--stores", 1...10_000)
        try CheckedValues.count(products, "--products", 1...100_000)
        try CheckedValues.count(shards, "--shards", 1...1000)
        try CheckedValues.seconds(every, "--every", 0.1...3600)
    }

    func run() async throws {
        let logger = Logger(label: "lakehouse")
        let (pipeline, kinesis, settings) = try options.pipeline(untilCaughtUp: false, logger: logger)
        let database = try await settings.connectDatabase(applicationName: "lakehouse-provision", logger: logger)
        let provisioner = Provisioner(
            s3: S3Client(configuration: try settings.awsClientConfiguration(.s3), logger: logger), kinesis: kinesis,
            database: database, logger: logger)
        for change in try await provisioner.apply(.standard(settings, shardCount: shards)) {
            print("provisioned: \(change)")
        }
        await database.close()
        var configuration = LiveDemo.Configuration()
        configuration.simulation.stores = stores
        configuration.simulation.products = products
        configuration.simulation.seed = UInt64.random(in: 1...UInt64(UInt32.max))
        configuration.eventsPerSecond = rate
        configuration.reportInterval = CheckedValues.duration(every)
        let demo = LiveDemo(
            configuration: configuration, pipeline: pipeline, kinesis: kinesis,
            connect: { name in try await settings.connectDatabase(applicationName: name, logger: logger) },
            logger: logger)
        let stop = StopSignal()
        let sources = stop.stopOnInterrupt(notice: "lakehouse: stopping the producer, draining the pipeline")
        let report = try await demo.run(stop: stop) { line in
            print(TerminalText.escaped(line))
            fflush(nil)
        }
        sources.forEach { $0.cancel() }
        print(report)
    }
}
