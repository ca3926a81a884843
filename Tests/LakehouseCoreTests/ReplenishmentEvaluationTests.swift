import Foundation
import Testing

@testable import LakehouseCore

/// Ordering policies in the closed loop, and the figures they are judged by.
@Suite struct ReplenishmentEvaluationTests {
    static var chain: SimulationConfiguration {
        var chain = SimulationConfiguration(stores: 3, products: 48, days: 28 + 14, seed: 11)
        chain.warmUpDays = 14
        chain.emitsRecords = false
        return chain
    }

    /// Runs a chain off the cooperative thread pool: simulations are seconds of CPU in a debug
    /// build, and holding the pool's threads that long starves the tests that serve sockets.
    static func run(_ name: String, _ chain: SimulationConfiguration = chain) async throws -> StoreSimulator {
        try await offPool {
            var simulator = StoreSimulator(
                configuration: chain, policy: try ReplenishmentEvaluation.policy(name, configuration: chain))
            while simulator.nextDay() != nil {}
            return simulator
        }
    }

    /// `work` on a thread of its own: neither on the cooperative pool nor on Dispatch's, whose
    /// few threads also carry AWSLite's requests to the loopback servers of other tests.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    @Test("common random numbers: every policy faces the same customers on one seed")
    func sameCustomers() async throws {
        let naive = try await Self.run("naive")
        let seedRule = try await Self.run("seed-rule")
        let model = try await Self.run("model")
        #expect(naive.outcome.items.map(\.wantedUnits) == model.outcome.items.map(\.wantedUnits))
        #expect(naive.outcome.items.map(\.wantedUnits) == seedRule.outcome.items.map(\.wantedUnits))
        // The policies do differ: what customers got is not the same.
        #expect(naive.outcome.items.map(\.soldUnits) != model.outcome.items.map(\.soldUnits))
        #expect(naive.outcome.items.map(\.wantedUnits).reduce(0, +) > 10_000)
        var other = Self.chain
        other.seed = 12
        let another = try await Self.run("naive", other)
        #expect(another.outcome.items.map(\.wantedUnits) != naive.outcome.items.map(\.wantedUnits))
    }

    @Test("with records on, a policy sees each clean event the stores send, and the records do not depend on it")
    func recordsAndPolicies() async throws {
        var chain = Self.chain
        chain.emitsRecords = true
        chain.days = 16
        let model = try ReplenishmentEvaluation.policy("model", configuration: chain)
        let (naiveSales, modelSales) = try await Self.offPool { [chain] in
            var naive = StoreSimulator(configuration: chain)
            var modelRun = StoreSimulator(configuration: chain, policy: model)
            var naiveSales: [POSEvent] = []
            var modelSales: [POSEvent] = []
            while let day = naive.nextDay() { naiveSales += day.filter { $0.kind == .sale }.map(\.event) }
            while let day = modelRun.nextDay() { modelSales += day.filter { $0.kind == .sale }.map(\.event) }
            return (naiveSales, modelSales)
        }
        // The warm-up orders as the stores always did: the first 14 days are the same.
        let warmUpEnd = EventTimestamp.format(micros: chain.startMicros + 14 * 86_400_000_000)
        #expect(naiveSales.filter { $0.timestamp < warmUpEnd } == modelSales.filter { $0.timestamp < warmUpEnd })
        #expect(naiveSales.count > 1_000)
    }

    @Test("the model keeps shelves fuller than the stores' own policy and the original rule, with less stock and waste")
    func modelBeatsNaiveAndSeedRule() async throws {
        var runs: [OutcomeMetrics] = []
        var alerts: (opened: [StockAlertKind: Int], lists: Int)?
        for name in ["naive", "seed-rule", "model", "oracle"] {
            let simulator = try await Self.run(name)
            runs.append(OutcomeMetrics(items: simulator.outcome.items, runs: 1, days: 28))
            if let model = simulator.policy as? ModelOrdering { alerts = (model.alertsOpened, model.markDownLists) }
        }
        // A store's mark-downs reach it as one list a review: fewer lists than mark-downs, at
        // most one per store and review (3 stores × 28 days).
        let (opened, lists) = try #require(alerts)
        #expect(lists > 0 && lists < opened[.perishableOverstock] ?? 0)
        #expect(lists <= 3 * 28)
        let (naive, seedRule, model, oracle) = (runs[0], runs[1], runs[2], runs[3])
        #expect(model.lostValue < 0.5 * naive.lostValue)
        #expect(model.lostValue < 0.5 * seedRule.lostValue)
        #expect(model.inventoryValue < naive.inventoryValue)
        #expect(model.wasteValue < naive.wasteValue)
        #expect(oracle.lostValue < 0.5 * naive.lostValue)
        #expect(model.outOfStockRate < naive.outOfStockRate)
    }

    @Test("alerts a store sees: each exception, and its mark-down list once a day")
    func seenAlerts() {
        let none = ReplenishmentReport.OutcomeEstimates(values: [])
        var result = ReplenishmentReport.PolicyResult(
            policy: "model", overall: none, byCategory: [], ordersPerStoreDay: 90, deliveriesPerStoreDay: 9,
            alertsPerStoreDay: [.unexpectedStockout: 0.25, .stockoutRisk: 0.5, .perishableOverstock: 2],
            markDownListsPerStoreDay: 0.375)
        #expect(result.seenAlertsPerStoreDay == 0.25 + 0.5 + 0.375)
        result.alertsPerStoreDay = nil
        #expect(result.seenAlertsPerStoreDay == nil)
    }

    @Test("outcome metrics on a hand-made case")
    func metricsByHand() {
        let hour: Int64 = 3_600_000_000
        var first = SimulationOutcome.Item(
            store: 0, product: 0, category: "DAIRY", unitCostCents: 100, meanDailyDemand: 10)
        first.openMicros = 150 * hour
        first.emptyOpenMicros = 3 * hour
        first.wantedUnits = 100
        first.soldUnits = 90
        first.lostValueCents = 10 * 150
        // 20 units held for the whole 10 days.
        first.unitMicros = 20 * Double(10 * 24 * hour)
        first.wasteUnits = 4
        first.wasteCostCents = 400
        first.overstockDays = 2
        var second = SimulationOutcome.Item(
            store: 0, product: 1, category: "PANTRY", unitCostCents: 200, meanDailyDemand: 5)
        second.openMicros = 150 * hour
        second.emptyOpenMicros = 0
        second.wantedUnits = 50
        second.soldUnits = 50
        // 10 units for half the time, none after.
        second.unitMicros = 10 * Double(5 * 24 * hour)
        let metrics = OutcomeMetrics(items: [first, second], runs: 1, days: 10)
        #expect(abs(metrics.outOfStockRate - 3.0 / 300) < 1e-12)
        #expect(abs(metrics.fillRate - 140.0 / 150) < 1e-12)
        #expect(metrics.lostUnits == 10)
        #expect(abs(metrics.lostValue - 15) < 1e-12)
        // Average stock at cost: 20 × 1.00 + 5 × 2.00 = 30; demand at cost 10 + 10 = 20 a day.
        #expect(abs(metrics.inventoryValue - 30) < 1e-9)
        #expect(abs(metrics.daysOfCover - 1.5) < 1e-9)
        #expect(metrics.wasteUnits == 4)
        #expect(abs(metrics.wasteValue - 4) < 1e-12)
        #expect(abs(metrics.overstockShare - 2.0 / 20) < 1e-12)
        // Two runs pooled: amounts are per run, rates unchanged.
        let twice = OutcomeMetrics(items: [first, second, first, second], runs: 2, days: 10)
        #expect(abs(twice.lostValue - 15) < 1e-12)
        #expect(abs(twice.outOfStockRate - metrics.outOfStockRate) < 1e-12)
    }

    @Test("calibration on a hand-made case, and its expected calibration error")
    func calibrationByHand() {
        // Ten at 0.05 (one ran empty), ten at 0.55 (seven did), none elsewhere.
        let pairs =
            (0..<10).map { (probability: 0.05, happened: $0 == 0) }
            + (0..<10).map { (probability: 0.55, happened: $0 < 7) }
        let calibration = Calibration(pairs: pairs)
        #expect(calibration.judged == 20)
        #expect(calibration.bins[0].count == 10)
        #expect(abs(calibration.bins[0].observed - 0.1) < 1e-12)
        #expect(calibration.bins[5].count == 10)
        #expect(abs(calibration.bins[5].observed - 0.7) < 1e-12)
        // ½ × |0.05 − 0.1| + ½ × |0.55 − 0.7| = 0.1
        #expect(abs(calibration.expectedCalibrationError - 0.1) < 1e-12)
    }

    @Test("bootstrap: a constant statistic has no spread; a mean's interval holds the mean")
    func bootstrap() {
        let constant = Bootstrap.estimate(count: 50) { _ in 3 }
        #expect(constant.low == 3 && constant.high == 3)
        let values = (0..<200).map { Double($0 % 10) }
        let mean = Bootstrap.estimate(count: values.count) { sample in
            sample.reduce(0) { $0 + values[$1] } / Double(sample.count)
        }
        #expect(abs(mean.value - 4.5) < 1e-12)
        #expect(mean.low < 4.5 && mean.high > 4.5)
        #expect(mean.high - mean.low < 1.5)
        #expect(Bootstrap.percentile([1, 2, 3, 4, 5], 0.5) == 3)
        #expect(Bootstrap.percentile([1, 2], 0.25) == 1.25)
    }

    @Test("an order plan worked out by hand: a product that keeps, and a perishable one")
    func orderPlanByHand() {
        // z = 0 at a 50 % service level; the safety stock is then the late-delivery share of a day.
        let policy = ReplenishmentPolicy(leadTimeDays: 2, serviceLevel: 0.5, reviewPeriodDays: 1, maxDaysOfCover: 30)
        let keeps = OrderPlan.plan(
            OrderPlan.Input(
                lots: [OrderPlan.Lot(lastDay: nil, units: 5)], forecast: [10], dailyVariance: 10, policy: policy,
                caseSize: 6))
        // Days 1 and 2 until the next order can arrive (day 3): 5 on hand run out on day 1, the
        // order arrives on day 2 and must leave 0.15 × 10 = 1.5 after its 10: 12 units, 2 cases.
        #expect(keeps.arrivalDay == 2 && keeps.nextArrivalDay == 3)
        #expect(abs(keeps.safetyStock - 1.5) < 1e-9)
        #expect(keeps.quantity == 12 && keeps.cases == 2)
        var short = policy
        short.leadTimeDays = 1
        let perishable = OrderPlan.plan(
            OrderPlan.Input(
                lots: [OrderPlan.Lot(lastDay: 1, units: 4)], forecast: [2], dailyVariance: 2, policy: short,
                caseSize: 6, shelfLifeDays: 3))
        // Tomorrow 2 of the 4 sell and 2 spoil in the evening: nothing would be left, so one case.
        #expect(perishable.quantity == 6)
        #expect(abs(perishable.projectedWaste - 2) < 1e-9)
        #expect(abs(perishable.projectedStock - 6) < 1e-9)
        // A closed day tomorrow: the delivery comes the day after, and tomorrow sells nothing.
        let closed = OrderPlan.plan(
            OrderPlan.Input(
                lots: [OrderPlan.Lot(lastDay: nil, units: 5)], forecast: [10], dailyVariance: 10, policy: short,
                caseSize: 1, closedDays: [1]))
        #expect(closed.arrivalDay == 2 && closed.nextArrivalDay == 3)
        #expect(abs(closed.coverDemand - 10) < 1e-9)
    }

    @Test("a weekday profile: the category's shape, shrunk and never zero, flat without enough days")
    func weekdayProfile() {
        // 2026-01-05 is a Monday: 28 days, 10 units a weekday, 20 on Saturdays, none on Sundays.
        let monday = EventTimestamp.floorDivide(1_767_571_200_000_000, 86_400_000_000)
        var totals: [Int64: Double] = [:]
        for offset in Int64(0)..<28 {
            let weekday = DemandEstimate.weekday(monday + offset)
            totals[monday + offset] = weekday == 6 ? 0 : weekday == 5 ? 20 : 10
        }
        let factors = WeekdayProfile.factors(totals: totals, closed: [], through: monday + 27)
        #expect(factors.count == 7)
        #expect(abs(factors.reduce(0, +) / 7 - 1) < 0.05)
        #expect(factors[5] > 1.5 * factors[0])
        #expect(factors[6] > 0 && factors[6] < 0.5)
        #expect(factors.allSatisfy { $0.isFinite })
        // Fewer than two weeks: flat.
        #expect(WeekdayProfile.factors(totals: totals, closed: [], through: monday + 10) == WeekdayProfile.flat)
        // A closed day is left out, not taken for a day without sales.
        var closed = totals
        closed[monday + 2] = 0
        let withClosed = WeekdayProfile.factors(totals: closed, closed: [monday + 2], through: monday + 27)
        #expect(abs(withClosed[2] - factors[2]) < 1e-9)
    }
}
