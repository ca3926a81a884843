// Reads every shard of the Kinesis stream into bronze objects on S3, checkpointing each shard in
// PostgreSQL after the object holding its records is written.
//
//   ingest [--until-caught-up] [--flush-records 10000] [--flush-mib 8] [--flush-seconds 1]
//
// SIGINT or SIGTERM: every shard flushes its batch and checkpoints, then the process exits.
import AWSLite
import ArgumentParser
import CommandSupport
import Foundation
import LakehouseCore
import Logging

@main
struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Read the Kinesis stream into bronze objects on S3.")

    @Flag(help: "Stop when every shard is drained.") var untilCaughtUp = false
    @Option(help: "Flush a shard's batch at this many records.") var flushRecords = 10_000
    @Option(help: "…or at this many MiB of payload.") var flushMib = 8
    @Option(help: "…or when its oldest record has waited this many seconds.") var flushSeconds = 1.0
    @OptionGroup var settings: SettingsOption

    func validate() throws {
        try CheckedValues.count(flushRecords, "--flush-records", 1...1_000_000)
        try CheckedValues.count(flushMib, "--flush-mib", 1...1024)
        try CheckedValues.seconds(flushSeconds, "--flush-seconds", 0.01...3600)
    }

    func run() async throws {
        let logger = Logger(label: "ingest")
        let settings = try self.settings.load(program: "ingest")
        let database = try await settings.connectDatabase(applicationName: "ingest", logger: logger)
        var configuration = IngestJob.Configuration(stream: settings.kinesisStream, bucket: settings.buckets.bronze)
        configuration.untilCaughtUp = untilCaughtUp
        configuration.flushRecords = flushRecords
        configuration.flushBytes = flushMib << 20
        configuration.flushAge = CheckedValues.duration(flushSeconds)
        let job = IngestJob(
            kinesis: KinesisClient(configuration: try settings.awsClientConfiguration(.kinesis), logger: logger),
            s3: S3Client(configuration: try settings.awsClientConfiguration(.s3), logger: logger),
            checkpoints: CheckpointStore(connection: database), configuration: configuration, logger: logger)
        let stop = StopSignal()
        let sources = stop.stopOnInterrupt(notice: "ingest: stopping: flushing and checkpointing every shard")
        let report = try await job.run(stop: stop)
        sources.forEach { $0.cancel() }
        await database.close()
        print(report)
    }
}
