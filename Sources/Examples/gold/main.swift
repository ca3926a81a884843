// Applies silver to gold in PostgreSQL: the star schema (dimensions, fact_sales,
// fact_stock_movement) and the stock positions, from the silver batches loaded since the last
// refresh only.
//
//   gold [refresh] [--every SECONDS]
//
// Without --every it applies what is new once and exits; with it, it refreshes every SECONDS
// until SIGINT or SIGTERM. Settings (DATABASE_URL…) come from the environment and .env.
import ArgumentParser
import Foundation
import LakehouseCore
import Logging

@main
struct Gold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gold", abstract: "Apply silver to the gold star schema and stock positions.",
        subcommands: [Refresh.self], defaultSubcommand: Refresh.self)
}

struct Refresh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the silver batches loaded since the last refresh (once, or every N seconds).")

    @Option(help: "Refresh every this many seconds until interrupted (default: once).") var every: Double?
    @Option(help: "A .env file to read (set to '' to read none).") var envFile = ".env"

    func validate() throws {
        if let every, every <= 0 { throw ValidationError("--every must be positive") }
    }

    func run() async throws {
        let logger = Logger(label: "gold")
        let settings = try LakehouseConfiguration.load(
            environment: ProcessInfo.processInfo.environment, dotEnvPath: envFile.isEmpty ? nil : envFile)
        let database = try await settings.connectDatabase(applicationName: "gold", logger: logger)
        let job = GoldJob(connection: database, logger: logger)
        let stop = StopSignal()
        let sources = stop.stopOnInterrupt(notice: "gold: stopping after the current refresh")
        repeat {
            print(try await job.refresh())
            if let every { await stop.sleep(for: .milliseconds(Int(every * 1000))) }
        } while every != nil && !stop.isStopped
        sources.forEach { $0.cancel() }
        await database.close()
    }
}
