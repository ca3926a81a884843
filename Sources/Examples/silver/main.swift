// Cleans bronze into silver: the Delta table s3://<silver>/sales/ (and quarantine/) and
// PostgreSQL's sales_silver and sales_quarantine, batch by batch, exactly once.
//
//   silver [--once] [--objects-per-batch 64] [--poll-seconds 10]
//
// With --once it processes the backlog and exits; otherwise it polls for new bronze objects
// until SIGINT or SIGTERM, which stop it between batches.
//
// For crash tests, LAKEHOUSE_CRASH_AT=<point>:<batch> (a SilverJob.FaultPoint, such as
// after-delta-commit:2) kills the process with SIGKILL at that point of that batch, and
// LAKEHOUSE_CRASH_ON_OBJECT=<text> when it is about to clean a bronze object whose key holds <text>.
import AWSLite
import ArgumentParser
import CommandSupport
import Foundation
import LakehouseCore
import Logging

@main
struct Silver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silver", abstract: "Clean bronze objects into the silver Delta table and PostgreSQL.")

    @Flag(help: "Process the backlog, then exit.") var once = false
    @Option(help: "Bronze objects per batch.") var objectsPerBatch = 64
    @Option(help: "Seconds between looks for new bronze objects (without --once).") var pollSeconds = 10.0
    @OptionGroup var settingsOption: SettingsOption

    func validate() throws {
        try CheckedValues.count(objectsPerBatch, "--objects-per-batch", 1...10_000)
        try CheckedValues.seconds(pollSeconds, "--poll-seconds", 0.1...3600)
    }

    func run() async throws {
        let logger = Logger(label: "silver")
        let settings = try settingsOption.load(program: "silver")
        let database = try await settings.connectDatabase(applicationName: "silver", logger: logger)
        var configuration = SilverJob.Configuration(
            bronzeBucket: settings.buckets.bronze, silverBucket: settings.buckets.silver)
        configuration.objectsPerBatch = objectsPerBatch
        let job = SilverJob(
            s3: S3Client(configuration: try settings.awsClientConfiguration(.s3), logger: logger),
            store: SilverStore(connection: database), configuration: configuration, logger: logger,
            faultHook: try Self.crashHook(ProcessInfo.processInfo.environment["LAKEHOUSE_CRASH_AT"]),
            objectHook: SilverJob.killingObjectHook(
                matching: ProcessInfo.processInfo.environment["LAKEHOUSE_CRASH_ON_OBJECT"], program: "silver"))
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

    /// The hook that `LAKEHOUSE_CRASH_AT=<point>:<batch>` asks for: SIGKILL at that point.
    static func crashHook(_ setting: String?) throws -> SilverJob.FaultHook? {
        guard let setting, !setting.isEmpty else { return nil }
        let parts = setting.split(separator: ":")
        guard parts.count == 2, let point = SilverJob.FaultPoint(rawValue: String(parts[0])),
            let batch = Int64(parts[1])
        else {
            let points = SilverJob.FaultPoint.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("LAKEHOUSE_CRASH_AT must be <point>:<batch>, the point one of \(points)")
        }
        return { reached, number in
            guard reached == point, number == batch else { return }
            FileHandle.standardError.write(Data("silver: crashing at \(point.rawValue) of batch \(number)\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }
}
