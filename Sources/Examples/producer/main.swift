// Simulates a supermarket chain and sends its point-of-sale events to Kinesis.
//
//   producer [--stores 10] [--products 200] [--days 14] [--seed 1] [--dirty-rate 0.02]
//            [--real-time] [--rate 2000] [--seconds N] [--truth truth.json]
//            [--orders-from-database [--warm-up-days 7] [--wait-seconds 300]]
//
// --orders-from-database closes the loop through the live pipeline: each store sends its day up
// to the evening review and waits until gold has drafted its order proposal from those events;
// after the warm-up days it orders exactly that, during them it orders as it always did and
// records what it ordered (so gold knows what is on the way). Then the day goes on. The pipeline
// (ingest, silver, gold refresh --every) must run meanwhile.
// At the end it prints what the shelves saw: availability, lost sales, inventory and waste.
//
// Simulated time (the default) sends D days as fast as the stream takes them, stamped with
// simulated time; --real-time stamps each event with the time it is sent, at --rate events/s.
// A progress line goes to standard error every 5 seconds; the ground truth is written at the end.
// --seconds N stops sending after N seconds; SIGINT or SIGTERM stop it too (a call that hangs is
// abandoned; a second signal ends it at once), and it still reports what it sent.
import AWSLite
import ArgumentParser
import CommandSupport
import Foundation
import LakehouseCore
import Logging
import PGLite

@main
struct Producer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "producer", abstract: "Simulate stores and send their events to Kinesis.")

    @Option(help: "Stores in the chain.") var stores = 10
    @Option(help: "Products in the assortment.") var products = 200
    @Option(help: "Days to simulate.") var days = 14
    @Option(help: "The seed: the same seed sends the same events.") var seed: UInt64 = 1
    @Option(help: "The share of dirty records (0 to 0.5).") var dirtyRate = 0.0
    @Flag(help: "Stamp events with the time they are sent, instead of simulated time.") var realTime = false
    @Option(help: "Events per second (default: as fast as the stream takes them; 1000 with --real-time).")
    var rate: Double?
    @Option(help: "Stop sending after this many seconds (default: when the days are sent).") var seconds: Double?
    @Option(help: "Where to write the ground truth (JSON).") var truth = "truth.json"
    @Flag(help: "Each store orders the proposal gold drafts in PostgreSQL (the live closed loop).")
    var ordersFromDatabase = false
    @Option(
        help:
            "Days at the start in which the stores order as they always did (default 7 with --orders-from-database, else 0)."
    )
    var warmUpDays: Int?
    @Option(help: "How long a store waits for gold's proposal before the producer gives up.") var waitSeconds = 300.0
    @OptionGroup var settingsOption: SettingsOption

    func validate() throws {
        try CheckedValues.count(stores, "--stores", 1...10_000)
        try CheckedValues.count(products, "--products", 1...100_000)
        try CheckedValues.count(days, "--days", 1...3650)
        try CheckedValues.number(dirtyRate, "--dirty-rate", 0...0.5)
        if let rate { try CheckedValues.number(rate, "--rate", 0.1...1_000_000) }
        if let seconds { try CheckedValues.seconds(seconds, "--seconds", 0.1...31_536_000) }
        guard !truth.isEmpty else { throw ValidationError("--truth must name a file") }
        if let warmUpDays { try CheckedValues.count(warmUpDays, "--warm-up-days", 0...3650) }
        try CheckedValues.seconds(waitSeconds, "--wait-seconds", 1...86_400)
        if ordersFromDatabase && realTime {
            throw ValidationError("--orders-from-database runs on simulated time: leave out --real-time")
        }
    }

    func run() async throws {
        let logger = Logger(label: "producer")
        let settings = try settingsOption.load(program: "producer")
        var simulation = SimulationConfiguration()
        simulation.stores = stores
        simulation.products = products
        simulation.days = days
        simulation.seed = seed
        simulation.dirtyRate = dirtyRate
        simulation.warmUpDays = min(warmUpDays ?? (ordersFromDatabase ? 7 : 0), days)
        var simulator = StoreSimulator(configuration: simulation)
        var configuration = EventProducer.Configuration(stream: settings.kinesisStream)
        configuration.realTime = realTime
        configuration.targetRate = rate ?? (realTime ? 1000 : nil)
        let producer = EventProducer(
            kinesis: KinesisClient(configuration: try settings.awsClientConfiguration(.kinesis), logger: logger),
            configuration: configuration, logger: logger)
        let stop = StopSignal()
        let sources = stop.stopOnInterrupt(notice: "producer: stopping after the call in flight")
        if let seconds {
            Task {
                try? await Task.sleep(for: CheckedValues.duration(seconds))
                stop.stop()
            }
        }
        defer { sources.forEach { $0.cancel() } }
        var database: PGConnection?
        var orders: DatabaseOrders?
        if ordersFromDatabase {
            let connection = try await settings.connectDatabase(applicationName: "producer", logger: logger)
            var source = DatabaseOrders(connection: connection)
            source.timeout = CheckedValues.duration(waitSeconds)
            try await source.publish(simulator)
            database = connection
            orders = source
        }
        let done: EventProducer.Progress
        do {
            done = try await producer.run(&simulator, stop: stop, orders: orders) { progress in
                FileHandle.standardError.write(Data("\(progress)\n".utf8))
            }
        } catch {
            try? simulator.truth.write(to: truth)  // what was simulated, for a look
            await database?.close()
            throw error
        }
        await database?.close()
        try simulator.truth.write(to: truth)
        print("sent \(done.sent) records in \(String(format: "%.1f", done.seconds)) s; ground truth in \(truth)")
        print()
        let decided = ordersFromDatabase ? "gold's order proposals (the live loop)" : "the stores' usual ordering"
        print(
            OutcomeText.table(
                simulator.outcome, days: max(days - simulation.warmUpDays, 1),
                title: "what the shelves saw after the \(simulation.warmUpDays) warm-up days, ordering by \(decided):"))
    }
}
