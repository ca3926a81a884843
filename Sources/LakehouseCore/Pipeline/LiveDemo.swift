import AWSLite
import Foundation
import Logging
import PGLite

/// `lakehouse demo --live`: a simulated chain sending its events in real time while a
/// ``Pipeline`` runs, with a line of freshness and the alerts that opened and resolved every few
/// seconds, until stopped.
public struct LiveDemo: Sendable {
    /// The simulation and the pace.
    public struct Configuration: Sendable, Hashable {
        /// The simulated chain (default: ``SimulationConfiguration``'s chain, over 3,650 days so
        /// that it does not run out).
        public var simulation = SimulationConfiguration()
        /// Events sent per second (default 200).
        public var eventsPerSecond = 200.0
        /// Seconds between reports (default 5).
        public var reportInterval: Duration = .seconds(5)
        /// Alert changes listed per report, each way (default 8).
        public var alertsPerReport = 8

        /// The defaults above.
        public init() { simulation.days = 3650 }
    }

    /// The simulation and the pace.
    public let configuration: Configuration
    private let pipeline: Pipeline
    private let kinesis: KinesisClient
    private let connect: @Sendable (String) async throws -> PGConnection
    private let logger: Logger

    /// A demo that sends through `kinesis` to the stream `pipeline` reads.
    ///
    /// - Parameter connect: opens a connection to the pipeline's database, for the reports.
    public init(
        configuration: Configuration, pipeline: Pipeline, kinesis: KinesisClient,
        connect: @escaping @Sendable (String) async throws -> PGConnection, logger: Logger
    ) {
        self.configuration = configuration
        self.pipeline = pipeline
        self.kinesis = kinesis
        self.connect = connect
        self.logger = logger
    }

    /// Runs until `stop`: then the producer stops and the pipeline drains.
    ///
    /// - Parameter say: receives each report's lines.
    public func run(stop: StopSignal, say: @escaping @Sendable (String) -> Void) async throws -> Pipeline.Report {
        let producerStop = StopSignal()
        let sending = startProducer(stop: producerStop)
        let pipelineStop = StopSignal()
        async let report = pipeline.run(stop: pipelineStop)
        let watcher = try await connect("lakehouse-demo")
        var open: [String: OpenStockAlert] = [:]
        let start = ContinuousClock.now
        let simulation = configuration.simulation
        say(
            "lakehouse demo --live: \(simulation.stores) stores × \(simulation.products) products, \(Int(configuration.eventsPerSecond)) events/s in real time; Ctrl-C stops"
        )
        while !stop.isStopped && !Task.isCancelled {
            await stop.sleep(for: configuration.reportInterval)
            do {
                open = try await sayStatus(watcher: watcher, open: open, since: start, say: say)
            } catch {
                say("status unavailable: \(error)")
            }
        }
        producerStop.stop()
        _ = await sending.result
        pipelineStop.stop()
        await watcher.close()
        return try await report
    }

    /// Starts the simulated chain sending its events in real time, until `stop`.
    private func startProducer(stop: StopSignal) -> Task<Void, any Error> {
        var producerConfiguration = EventProducer.Configuration(stream: pipeline.configuration.ingest.stream)
        producerConfiguration.realTime = true
        producerConfiguration.targetRate = configuration.eventsPerSecond
        producerConfiguration.progressInterval = .seconds(3600)
        let producer = EventProducer(kinesis: kinesis, configuration: producerConfiguration, logger: logger)
        let simulation = configuration.simulation
        return Task {
            var simulator = StoreSimulator(configuration: simulation)
            try await producer.run(&simulator, stop: stop) { _ in }
        }
    }

    /// Says one report: the time since `start`, gold's freshness, the shards held, the silver
    /// batches pending and the open alerts, then the alerts opened and resolved since `open` (the
    /// alerts open at the last report); returns the alerts open now.
    private func sayStatus(
        watcher: PGConnection, open: [String: OpenStockAlert], since start: ContinuousClock.Instant,
        say: (String) -> Void
    ) async throws -> [String: OpenStockAlert] {
        let status = try await PipelineStatus.read(
            connection: watcher, stream: pipeline.configuration.ingest.stream, runsPerStage: 1)
        let alerts = try await GoldJob(connection: watcher, logger: logger).openAlerts(limit: 100_000)
        let now = Dictionary(
            alerts.map { ("\($0.kind.rawValue) \($0.storeID) \($0.productID ?? "mark-down list")", $0) },
            uniquingKeysWith: { first, _ in first })
        let opened = now.keys.filter { open[$0] == nil }.sorted()
        let resolved = open.keys.filter { now[$0] == nil }.sorted()
        let elapsed = (ContinuousClock.now - start).inSeconds
        let freshness = status.freshnessSeconds.map { String(format: "%.1f s", $0) } ?? "-"
        let held = status.shards.filter(\.isHeld).count
        let counts = status.openAlerts.map { "\($0.kind) \($0.count)" }.joined(separator: ", ")
        say(
            String(format: "[%6.0f s] ", elapsed)
                + "gold freshness \(freshness); \(held)/\(status.shards.count) shards held; silver batches pending \(status.silverBatchesPending); open item alerts: \(counts.isEmpty ? "none" : counts)"
        )
        for key in opened.prefix(configuration.alertsPerReport) {
            let alert = now[key]!
            say("  + \(key)  " + (alert.onHand.map { "on hand \($0)  " } ?? "") + alert.reason)
        }
        if opened.count > configuration.alertsPerReport {
            say("  + … and \(opened.count - configuration.alertsPerReport) more opened")
        }
        for key in resolved.prefix(configuration.alertsPerReport) { say("  - \(key) resolved") }
        if resolved.count > configuration.alertsPerReport {
            say("  - … and \(resolved.count - configuration.alertsPerReport) more resolved")
        }
        return now
    }
}
