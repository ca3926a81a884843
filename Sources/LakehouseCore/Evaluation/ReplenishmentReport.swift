import Foundation

/// The closed-loop evaluation's results: every policy's outcomes with bootstrap 95 % intervals,
/// overall and per category; the availability-vs-inventory frontier of `model` and `oracle`
/// over service levels; the model's risk calibration; and the comparisons the targets name.
public struct ReplenishmentReport: Sendable {
    /// One policy at its default service levels.
    public struct PolicyResult: Sendable {
        /// The policy's name, one of ``ReplenishmentEvaluation/policyNames``.
        public var policy: String
        /// The outcomes over every item of every seed, with their intervals.
        public var overall: OutcomeEstimates
        /// The outcomes per category, in ``StoreCatalog/categories`` order (categories without items left out).
        public var byCategory: [(category: String, estimates: OutcomeEstimates)]
        /// Order lines placed per open store-day, all seeds pooled.
        public var ordersPerStoreDay: Double
        /// Deliveries received per open store-day, all seeds pooled.
        public var deliveriesPerStoreDay: Double
        /// Item alerts opened per open store-day, by kind (the `model` only).
        public var alertsPerStoreDay: [StockAlertKind: Double]?
        /// Reviews per open store-day at which a store's mark-down list gained items (the
        /// `model` only).
        public var markDownListsPerStoreDay: Double?

        /// Alerts a store sees per open store-day: each unexpected stockout and stockout risk,
        /// and its mark-down list once on a day it gains items (the `model` only).
        public var seenAlertsPerStoreDay: Double? {
            guard let alertsPerStoreDay else { return nil }
            return alertsPerStoreDay.filter { $0.key != .perishableOverstock }.values.reduce(0, +)
                + (markDownListsPerStoreDay ?? 0)
        }
    }

    /// Each ``OutcomeMetrics`` figure with its interval.
    public struct OutcomeEstimates: Sendable {
        /// The figures by their ``OutcomeMetrics/named`` name (`oos_rate`, `lost_value`…), in report order.
        public var values: [(name: String, estimate: Estimate)]

        /// The figure named `name` (an ``OutcomeMetrics/named`` name such as `fill_rate`), or nil if
        /// there is none.
        public subscript(name: String) -> Estimate? { values.first { $0.name == name }?.estimate }
    }

    /// One policy at one service level.
    public struct FrontierPoint: Sendable {
        /// The policy's name, one of ``ReplenishmentEvaluation/policyNames``.
        public var policy: String
        /// The service level the policy was given, a fraction (0.95); nil: the categories' own.
        public var serviceLevel: Double?
        /// Average stock on hand at cost, per run, in the catalog's currency (``OutcomeMetrics/inventoryValue``).
        public var inventoryValue: Double
        /// Share of open store × product hours with an empty shelf, a fraction.
        public var outOfStockRate: Double
        /// Lost sales at the shelf price, per run, in the catalog's currency (``OutcomeMetrics/lostValue``).
        public var lostValue: Double
    }

    /// Stores in each simulated chain.
    public var stores: Int
    /// Products in each store's range.
    public var products: Int
    /// Days measured after the warm-up, per chain.
    public var measuredDays: Int
    /// Days at the start of each chain in which every store ordered the `naive` way while the
    /// policy under test learned; not measured.
    public var warmUpDays: Int
    /// The chains' seeds, one chain (and one outcome per policy) each.
    public var seeds: [UInt64]
    /// One result per policy at its default service levels, in ``ReplenishmentEvaluation/policyNames`` order.
    public var results: [PolicyResult]
    /// Every policy at its default service levels, then `model` and `oracle` at each service level asked for.
    public var frontier: [FrontierPoint]
    /// How well the `model` policy's stated stockout risks matched the shelves, all seeds pooled.
    public var calibration: Calibration
    /// seed-rule's lost sales value ÷ model's (paired bootstrap over items); above 1, the model loses less.
    public var seedRuleLostOverModel: Estimate
    /// naive's lost sales value ÷ model's (paired bootstrap over items); above 1, the model loses less.
    public var naiveLostOverModel: Estimate
    /// model's average inventory at cost ÷ naive's (paired bootstrap over items); below 1, the model holds less.
    public var inventoryOverNaive: Estimate
    /// model's waste at cost ÷ naive's (paired bootstrap over items); below 1, the model wastes less.
    public var wasteOverNaive: Estimate
    /// The oracle's lost sales value at the model's average inventory: its frontier over service
    /// levels, interpolated (per run, in the catalog's currency).
    public var oracleLostAtModelInventory: Double
    /// The model's lost sales value ÷ ``oracleLostAtModelInventory``: what not knowing the truth
    /// costs at equal inventory (the target is ≤ 1.25).
    public var modelLostOverOracle: Double
    /// Whether the model's inventory lies within the oracle's frontier (outside it, the
    /// comparison uses the frontier's nearest end and is not judged).
    public var modelInsideOracleFrontier: Bool

    /// Runs `evaluation`: the four policies at their default service levels, then `model` and
    /// `oracle` at each of `levels`. `progress` hears a line per run.
    public static func make(
        _ evaluation: ReplenishmentEvaluation, levels: [Double] = [0.9, 0.95, 0.98, 0.99, 0.995],
        resamples: Int = 1000, progress: (String) -> Void = { _ in }
    ) throws -> ReplenishmentReport {
        let measured = evaluation.configuration.days - evaluation.configuration.warmUpDays
        var runs: [ReplenishmentEvaluation.PolicyRuns] = []
        for name in ReplenishmentEvaluation.policyNames {
            progress("\(name): \(evaluation.seeds.count) chains")
            runs.append(try evaluation.run(policy: name))
        }
        var frontier = runs.map { point($0, days: measured) }
        for level in levels {
            for name in ["model", "oracle"] {
                progress(String(format: "%@ at a %.1f %% service level", name, level * 100))
                frontier.append(point(try evaluation.run(policy: name, serviceLevel: level), days: measured))
            }
        }
        let pools = runs.map(\.items)
        let count = pools[0].count
        let runsPerPolicy = evaluation.seeds.count
        var results: [PolicyResult] = []
        for (index, run) in runs.enumerated() {
            let pool = pools[index]
            let overall = estimates(pool, indices: Array(0..<count), runs: runsPerPolicy, days: measured, resamples)
            var byCategory: [(String, OutcomeEstimates)] = []
            for category in StoreCatalog.categories {
                let indices = pool.indices.filter { pool[$0].category == category }
                guard !indices.isEmpty else { continue }
                byCategory.append(
                    (category, estimates(pool, indices: indices, runs: runsPerPolicy, days: measured, resamples)))
            }
            let storeDays = Double(max(run.outcomes.reduce(0) { $0 + $1.openStoreDays }, 1))
            results.append(
                PolicyResult(
                    policy: run.policy, overall: overall, byCategory: byCategory,
                    ordersPerStoreDay: Double(run.outcomes.reduce(0) { $0 + $1.orderLines }) / storeDays,
                    deliveriesPerStoreDay: Double(run.outcomes.reduce(0) { $0 + $1.deliveries }) / storeDays,
                    alertsPerStoreDay: run.alertsOpened.map { $0.mapValues { Double($0) / storeDays } },
                    markDownListsPerStoreDay: run.markDownLists.map { Double($0) / storeDays }))
        }
        let (naive, seedRule, model) = (pools[0], pools[1], pools[2])
        func ratio(
            _ top: [SimulationOutcome.Item], _ bottom: [SimulationOutcome.Item],
            _ figure: @escaping (OutcomeMetrics) -> Double
        )
            -> Estimate
        {
            Bootstrap.estimate(count: count, resamples: resamples, seed: 7) { sample in
                let numerator = figure(
                    OutcomeMetrics(items: sample.lazy.map { top[$0] }, runs: runsPerPolicy, days: measured))
                let denominator = figure(
                    OutcomeMetrics(items: sample.lazy.map { bottom[$0] }, runs: runsPerPolicy, days: measured))
                return denominator > 0 ? numerator / denominator : .nan
            }
        }
        let modelPoint = frontier[2]
        let oracleCurve = frontier.filter { $0.policy == "oracle" }.sorted { $0.inventoryValue < $1.inventoryValue }
        let oracleLost = interpolate(
            oracleCurve.map { ($0.inventoryValue, $0.lostValue) }, at: modelPoint.inventoryValue)
        let inside =
            (oracleCurve.first?.inventoryValue ?? .infinity) <= modelPoint.inventoryValue
            && modelPoint.inventoryValue <= (oracleCurve.last?.inventoryValue ?? -.infinity)
        return ReplenishmentReport(
            stores: evaluation.configuration.stores, products: evaluation.configuration.products,
            measuredDays: measured, warmUpDays: evaluation.configuration.warmUpDays, seeds: evaluation.seeds,
            results: results, frontier: frontier, calibration: evaluation.calibration(runs[2]),
            seedRuleLostOverModel: ratio(seedRule, model, \.lostValue),
            naiveLostOverModel: ratio(naive, model, \.lostValue),
            inventoryOverNaive: ratio(model, naive, \.inventoryValue),
            wasteOverNaive: ratio(model, naive, \.wasteValue),
            oracleLostAtModelInventory: oracleLost, modelLostOverOracle: modelPoint.lostValue / oracleLost,
            modelInsideOracleFrontier: inside)
    }

    private static func point(_ runs: ReplenishmentEvaluation.PolicyRuns, days: Int) -> FrontierPoint {
        let metrics = OutcomeMetrics(items: runs.items, runs: runs.outcomes.count, days: days)
        return FrontierPoint(
            policy: runs.policy, serviceLevel: runs.serviceLevel, inventoryValue: metrics.inventoryValue,
            outOfStockRate: metrics.outOfStockRate, lostValue: metrics.lostValue)
    }

    private static func estimates(
        _ pool: [SimulationOutcome.Item], indices: [Int], runs: Int, days: Int, _ resamples: Int
    ) -> OutcomeEstimates {
        let point = OutcomeMetrics(items: indices.lazy.map { pool[$0] }, runs: runs, days: days).named
        var samples = [[Double]](repeating: [], count: point.count)
        var random = SeededRandom(seed: 5, stream: 98)
        var sample = [Int](repeating: 0, count: indices.count)
        for _ in 0..<resamples {
            for position in sample.indices { sample[position] = indices[Int(random.next() % UInt64(indices.count))] }
            let metrics = OutcomeMetrics(items: sample.lazy.map { pool[$0] }, runs: runs, days: days).named
            for (figure, value) in metrics.enumerated() { samples[figure].append(value.value) }
        }
        return OutcomeEstimates(
            values: point.enumerated().map { figure, value in
                let sorted = samples[figure].sorted()
                return (
                    value.name,
                    Estimate(
                        value: value.value, low: Bootstrap.percentile(sorted, 0.025),
                        high: Bootstrap.percentile(sorted, 0.975))
                )
            })
    }

    /// Piecewise-linear y at x over points sorted by x; outside them, the nearest end's y.
    static func interpolate(_ points: [(x: Double, y: Double)], at x: Double) -> Double {
        guard points.count > 1, let first = points.first, let last = points.last else { return points.first?.y ?? .nan }
        if x <= first.x { return first.y }
        if x >= last.x { return last.y }
        var index = 0
        while index < points.count - 2 && points[index + 1].x < x { index += 1 }
        let (a, b) = (points[index], points[index + 1])
        guard b.x != a.x else { return a.y }
        return a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
    }
}
