import AWSLite
import ArgumentParser
import Foundation
import LakehouseCore
import Logging

/// `silver`: cleans bronze into silver, batch by batch. The `silver` executable runs it; so
/// does a test fixture with fault injection on.
package struct SilverCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "silver", abstract: "Clean bronze objects into the silver Delta table and PostgreSQL.")

    @Flag(help: "Process the backlog, then exit.") var once = false
    @Option(help: "Bronze objects per batch.") var objectsPerBatch = 64
    @Option(help: "Seconds between looks for new bronze objects (without --once).") var pollSeconds = 10.0
    @Flag(
        help:
            "Find bronze objects by listing the bucket instead of in the registry ingest writes (objects put there by other means)."
    ) var list = false
    @OptionGroup var settingsOption: SettingsOption

    package init() {}

    package func validate() throws {
        try CheckedValues.count(objectsPerBatch, "--objects-per-batch", 1...10_000)
        try CheckedValues.seconds(pollSeconds, "--poll-seconds", 0.1...3600)
    }

    package func run() async throws {
        let logger = Logger(label: "silver")
        let settings = try settingsOption.load(program: "silver")
        let database = try await settings.connectDatabase(applicationName: "silver", logger: logger)
        var configuration = SilverJob.Configuration(
            bronzeBucket: settings.buckets.bronze, silverBucket: settings.buckets.silver)
        configuration.objectsPerBatch = objectsPerBatch
        if list { configuration.source = .listing }
        let job = SilverJob(
            s3: S3Client(configuration: try settings.awsClientConfiguration(.s3), logger: logger),
            store: SilverStore(connection: database), configuration: configuration, logger: logger,
            faultHook: try FaultInjection.faultHook(program: "silver"),
            objectHook: FaultInjection.objectHook(program: "silver"))
        let onBatch: @Sendable (Int64, SilverStore.BatchCounts) -> Void = { number, counts in
            print("batch \(number): \(counts)")
        }
        let service =
            once
            ? JobService({ stop in try await job.runOnce(stop: stop, progress: onBatch) }, finished: { print($0) })
            : job.service(every: CheckedValues.duration(pollSeconds), onBatch: onBatch, finished: { print($0) })
        do {
            try await GracefulRun.run(service, notice: "silver: stopping after the current batch", logger: logger)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
