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
        let job = SilverJob(
            s3: S3Client(configuration: try settings.awsClientConfiguration(.s3), logger: logger),
            store: SilverStore(connection: database), configuration: configuration, logger: logger,
            faultHook: try FaultInjection.faultHook(program: "silver"),
            objectHook: FaultInjection.objectHook(program: "silver"))
        let stop = StopSignal()
        let sources = stop.stopOnInterrupt(notice: "silver: stopping after the current batch")
        var total = SilverJob.Report()
        repeat {
            let report = try await job.runOnce(stop: stop) { number, counts in print("batch \(number): \(counts)") }
            total.add(report)
            if !once { await stop.sleep(for: CheckedValues.duration(pollSeconds)) }
        } while !once && !stop.isStopped
        sources.forEach { $0.cancel() }
        await database.close()
        print(total)
    }
}
