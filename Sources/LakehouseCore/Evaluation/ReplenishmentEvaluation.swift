import Foundation
import Synchronization

/// Runs ordering policies on the same simulated chains (common random numbers: one seed, the
/// same customers for every policy) and compares what their shelves went through.
public struct ReplenishmentEvaluation: Sendable {
    /// The policies compared, by name: ``NaiveOrdering``, ``SeedRuleOrdering``, ``ModelOrdering``,
    /// ``OracleOrdering``.
    public static let policyNames = ["naive", "seed-rule", "model", "oracle"]

    /// One policy's runs.
    public struct PolicyRuns: Sendable {
        /// The policy's name, one of ``ReplenishmentEvaluation/policyNames``.
        public var policy: String
        /// The service level the policy was given (nil: the categories' own).
        public var serviceLevel: Double?
        /// One outcome per seed, in seed order.
        public var outcomes: [SimulationOutcome]
        /// The `model` policy's stated risks, per seed (empty for the others).
        public var predictions: [[RiskPrediction]] = []
        /// The `model` policy's alerts opened, by kind, all seeds (nil for the others).
        public var alertsOpened: [StockAlertKind: Int]?
        /// The `model` policy's reviews at which a store's mark-down list gained items, all seeds.
        public var markDownLists: Int?

        /// Items of all seeds, pooled in a fixed order (seed, store, product), so that two
        /// policies' pools line up item by item.
        public var items: [SimulationOutcome.Item] { outcomes.flatMap(\.items) }
    }

    /// The chain simulated (its seed is replaced by each of ``seeds``).
    public var configuration: SimulationConfiguration
    /// One chain per seed; every policy runs on the same seeds, so they meet the same customers.
    public var seeds: [UInt64]

    /// An evaluation of the chain `configuration` on each of `seeds`; the simulator emits no
    /// records (``SimulationConfiguration/emitsRecords`` is turned off), it only keeps outcomes.
    public init(configuration: SimulationConfiguration, seeds: [UInt64]) {
        var configuration = configuration
        configuration.emitsRecords = false
        self.configuration = configuration
        self.seeds = seeds
    }

    /// A policy by name for the chain of `configuration`.
    public static func policy(
        _ name: String, configuration: SimulationConfiguration, serviceLevel: Double? = nil
    ) throws -> any OrderingPolicy {
        let catalog = StoreCatalog(
            stores: configuration.stores, products: configuration.products, seed: configuration.seed,
            demandScale: configuration.demandScale)
        switch name {
        case "naive": return NaiveOrdering(catalog: catalog, seed: configuration.seed)
        case "seed-rule": return SeedRuleOrdering()
        case "model":
            return ModelOrdering(
                calendar: DemandCalendar(catalog: catalog, configuration: configuration),
                startMicros: configuration.startMicros, serviceLevel: serviceLevel)
        case "oracle": return OracleOrdering(catalog: catalog, serviceLevel: serviceLevel)
        default:
            throw LakehouseError(
                code: .invalidConfiguration,
                message: "unknown policy '\(name)': use one of \(policyNames.joined(separator: ", "))")
        }
    }

    /// The calibration of the `model` runs' stated risks, all seeds pooled.
    public func calibration(_ runs: PolicyRuns) -> Calibration {
        var pairs: [(probability: Double, happened: Bool)] = []
        for (index, outcome) in runs.outcomes.enumerated() where index < runs.predictions.count {
            var chain = configuration
            chain.seed = seeds[index]
            pairs += Calibration(predictions: runs.predictions[index], outcome: outcome, configuration: chain).pairs
        }
        return Calibration(pairs: pairs)
    }

    /// Runs `policy` on every seed (two seeds at a time).
    public func run(policy name: String, serviceLevel: Double? = nil) throws -> PolicyRuns {
        let chains = seeds.map { seed in
            var chain = configuration
            chain.seed = seed
            return chain
        }
        let policies: [any OrderingPolicy] = try chains.map { chain in
            let policy = try Self.policy(name, configuration: chain, serviceLevel: serviceLevel)
            guard var model = policy as? ModelOrdering else { return policy }
            model.keepsPredictions = true
            return model
        }
        let results = Mutex(
            [(SimulationOutcome, [RiskPrediction], [StockAlertKind: Int]?, Int?)?](repeating: nil, count: seeds.count))
        DispatchQueue.concurrentPerform(iterations: seeds.count) { index in
            var simulator = StoreSimulator(configuration: chains[index], policy: policies[index])
            while simulator.nextDay() != nil {}
            let outcome = simulator.outcome
            let model = simulator.policy as? ModelOrdering
            results.withLock {
                $0[index] = (outcome, model?.predictions ?? [], model?.alertsOpened, model?.markDownLists)
            }
        }
        let finished = results.withLock { $0.compactMap { $0 } }
        var alerts: [StockAlertKind: Int]?
        var lists: Int?
        for run in finished {
            if let opened = run.2 { alerts = (alerts ?? [:]).merging(opened, uniquingKeysWith: +) }
            if let listed = run.3 { lists = (lists ?? 0) + listed }
        }
        return PolicyRuns(
            policy: name, serviceLevel: serviceLevel, outcomes: finished.map(\.0), predictions: finished.map(\.1),
            alertsOpened: alerts, markDownLists: lists)
    }
}
