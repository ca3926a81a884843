import Foundation
import Testing

@testable import LakehouseCore

@Suite struct StockModelTests {
    static let day: Int64 = 86_400_000_000
    static let hour: Int64 = 3_600_000_000
    /// Monday 2026-01-05 00:00 UTC.
    static let start: Int64 = 1_767_571_200_000_000
    static let policy = ReplenishmentPolicy(
        leadTimeDays: 2, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 20)

    static func at(_ day: Int, _ hour: Int, minute: Int = 0) -> Int64 {
        start + Int64(day) * Self.day + Int64(hour) * Self.hour + Int64(minute) * 60_000_000
    }

    @Test func normalQuantile() {
        #expect(abs(ReplenishmentPolicy.normalQuantile(0.95) - 1.644854) < 1e-5)
        #expect(abs(ReplenishmentPolicy.normalQuantile(0.5)) < 1e-9)
        #expect(abs(ReplenishmentPolicy.normalQuantile(0.01) + 2.326348) < 1e-5)
        #expect(abs(Self.policy.z - 1.644854) < 1e-5)
    }

    @Test func steadySellerLearnsItsRate() {
        var model = ItemStockModel()
        _ = model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 1000), policy: Self.policy)
        for day in 0..<30 {
            for sale in 0..<10 {
                _ = model.apply(
                    StockMovement(time: Self.at(day, 8 + sale), kind: .sale, quantity: 1), policy: Self.policy)
            }
        }
        // Day 29 is still open: 29 whole days learned.
        #expect(model.demand.daysLearned == 29)
        #expect(model.demand.method == "ewma")
        #expect(abs((model.demand.dailyDemand ?? 0) - 10) < 1e-9)
        #expect(model.onHand == 700)
        let figures = model.figures(policy: Self.policy)
        #expect(abs((figures.daysOfCover ?? 0) - 70) < 1e-9)
        // Cover beyond the policy's 20 days is OVERSTOCK.
        #expect(model.openAlerts[.overstock] != nil)
        #expect(model.openAlerts[.stockoutPredicted] == nil)
    }

    @Test func intermittentSellerUsesTSB() {
        var model = ItemStockModel()
        _ = model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 500), policy: Self.policy)
        // 3 units every fourth day for 240 days, nothing in between: 0.75 a day on average.
        for day in stride(from: 0, to: 240, by: 4) {
            _ = model.apply(StockMovement(time: Self.at(day, 12), kind: .sale, quantity: 3), policy: Self.policy)
        }
        _ = model.apply(StockMovement(time: Self.at(240, 6), kind: .stockCount, quantity: 320), policy: Self.policy)
        #expect(model.demand.isIntermittent)
        #expect(model.demand.method == "tsb")
        #expect(model.demand.daysLearned == 240)
        #expect(abs((model.demand.demandSize ?? 0) - 3) < 1e-9)
        // TSB: the share of days with sales is smoothed every day. In the steady cycle it is
        // p = α ÷ (1 − (1 − α)⁴) right after a day with sales; the last three days had none.
        let alpha = DemandEstimate.smoothing
        let share = alpha / (1 - pow(1 - alpha, 4)) * pow(1 - alpha, 3)
        #expect(abs((model.demand.demandInterval ?? 0) - 1 / share) < 0.01)
        #expect(abs((model.demand.dailyDemand ?? 0) - 3 * share) < 0.005)
        // Over the cycle the share averages a quarter: 0.75 units a day.
        let mean = (0..<4).map { alpha / (1 - pow(1 - alpha, 4)) * pow(1 - alpha, Double($0)) }.reduce(0, +) / 4
        #expect(abs(3 * mean - 0.75) < 0.01)
    }

    @Test func aDayOutOfStockIsNotLowDemand() {
        var model = ItemStockModel()
        _ = model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 100), policy: Self.policy)
        for day in 0..<10 {
            for sale in 0..<8 {
                _ = model.apply(
                    StockMovement(time: Self.at(day, 8 + sale), kind: .sale, quantity: 1), policy: Self.policy)
            }
        }
        #expect(model.onHand == 20)
        let before = model.demand.level
        // Day 10: the last 20 units go by 9:00 (more than usual), then nothing until a delivery on day 12.
        _ = model.apply(StockMovement(time: Self.at(10, 8), kind: .sale, quantity: 20), policy: Self.policy)
        #expect(model.onHand == 0)
        #expect(model.openAlerts[.outOfStock] != nil)
        _ = model.apply(StockMovement(time: Self.at(12, 6), kind: .restock, quantity: 50), policy: Self.policy)
        // Day 10 (20 units) is learned; day 11 (out of stock all day, 0 sold) is censored, not zero demand.
        #expect(model.demand.daysLearned == 11)
        #expect(model.demand.zeroDays == 0)
        #expect((model.demand.level ?? 0) > (before ?? 0))
        #expect(model.openAlerts[.outOfStock] == nil)
    }

    @Test func alertLifecycle() {
        var model = ItemStockModel()
        var transitions: [AlertTransition] = []
        transitions += model.apply(
            StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 60), policy: Self.policy)
        for day in 0..<5 {
            for sale in 0..<6 {
                transitions += model.apply(
                    StockMovement(time: Self.at(day, 8 + 2 * sale), kind: .sale, quantity: 2), policy: Self.policy)
            }
        }
        // 60 − 5 × 12 = 0: the item ran down at 12 a day.
        #expect(model.onHand == 0)
        let kinds = { (change: AlertTransition.Change) in Set(transitions.filter { $0.change == change }.map(\.kind)) }
        #expect(kinds(.opened).isSuperset(of: [.reorderNow, .belowSafetyStock, .stockoutPredicted, .outOfStock]))
        // STOCKOUT_PREDICTED opened before the stockout, and resolved when it came (OUT_OF_STOCK took over).
        let predicted = transitions.first { $0.kind == .stockoutPredicted && $0.change == .opened }
        let out = transitions.first { $0.kind == .outOfStock && $0.change == .opened }
        #expect(predicted != nil && out != nil)
        if let predicted, let out {
            #expect(out.time - predicted.time >= 12 * Self.hour)
            #expect(predicted.figures.predictedStockoutTime != nil)
        }
        #expect(model.openAlerts[.stockoutPredicted] == nil)
        #expect(Set(model.openAlerts.keys) == [.outOfStock, .reorderNow])
        // Updates while open carry the new figures; never a second open alert of one kind.
        #expect(transitions.contains { $0.kind == .reorderNow && $0.change == .updated })
        var open: Set<StockAlertKind> = []
        for transition in transitions {
            switch transition.change {
            case .opened: #expect(open.insert(transition.kind).inserted)
            case .updated: #expect(open.contains(transition.kind))
            case .resolved: #expect(open.remove(transition.kind) != nil)
            }
        }
        // A delivery resolves them all.
        let after = model.apply(StockMovement(time: Self.at(5, 6), kind: .restock, quantity: 120), policy: Self.policy)
        #expect(Set(after.filter { $0.change == .resolved }.map(\.kind)) == [.outOfStock, .reorderNow])
        #expect(model.openAlerts.isEmpty)
    }

    @Test func lateEventsFollowEventTime() {
        var model = ItemStockModel()
        _ = model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 30), policy: Self.policy)
        _ = model.apply(StockMovement(time: Self.at(0, 10), kind: .sale, quantity: 2), policy: Self.policy)
        _ = model.apply(StockMovement(time: Self.at(0, 22), kind: .stockCount, quantity: 25), policy: Self.policy)
        // A sale stamped before the count arrives late: the count already saw it.
        _ = model.apply(StockMovement(time: Self.at(0, 12), kind: .sale, quantity: 3), policy: Self.policy)
        #expect(model.onHand == 25)
        // A sale stamped after the count arrives late: it counts.
        _ = model.apply(StockMovement(time: Self.at(1, 9), kind: .sale, quantity: 1), policy: Self.policy)
        _ = model.apply(StockMovement(time: Self.at(0, 23), kind: .sale, quantity: 4), policy: Self.policy)
        #expect(model.onHand == 20)
        #expect(model.time == Self.at(1, 9))
        // The late sale of day 0 does not reopen the day already learned.
        #expect(model.demand.daysLearned == 1)
    }

    @Test func stockoutProbabilityIsNegativeBinomial() {
        // A rate known exactly (huge evidence) makes it Poisson: P(D ≥ 1) over a day at 2/day = 1 − e^−2.
        let exact = (shape: 2.0 * 1e6, rate: 1e6)
        #expect(abs(ItemStockModel.stockoutProbability(1, distribution: exact, days: 1) - (1 - exp(-2))) < 1e-4)
        #expect(abs(ItemStockModel.stockoutProbability(3, distribution: exact, days: 1) - (1 - 5 * exp(-2))) < 1e-4)
        // Little evidence widens the spread: more risk of a high count, for the same mean.
        let vague = (shape: 2.0, rate: 1.0)
        #expect(
            ItemStockModel.stockoutProbability(6, distribution: vague, days: 1)
                > ItemStockModel.stockoutProbability(6, distribution: exact, days: 1))
        #expect(ItemStockModel.stockoutProbability(0, distribution: vague, days: 1) == 1)
        #expect(ItemStockModel.stockoutProbability(5, distribution: vague, days: 0) == 0)
    }

    @Test func scoringFollowsItsDefinitions() {
        let catalog = StoreCatalog(stores: 1, products: 2, seed: 1)
        var truth = GroundTruth(catalog: catalog, start: Self.start)
        truth.end = Self.at(20, 0)
        let store = catalog.stores[0].id
        let (a, b) = (catalog.products[0].id, catalog.products[1].id)
        truth.items[0].stockouts = [[Self.at(5, 12), Self.at(6, 6)], [Self.at(10, 12), Self.at(11, 6)]]
        truth.items[1].stockouts = [[Self.at(3, 12), Self.at(4, 6)]]
        let episodes = [
            // Open 24 h before A's first stockout, resolved by it: caught, confirmed (2-day lead).
            AlertEpisode(store: store, product: a, kind: "K", opened: Self.at(4, 12), resolved: Self.at(5, 12)),
            // Opened only 6 h before A's second stockout: not caught, but confirmed.
            AlertEpisode(store: store, product: a, kind: "K", opened: Self.at(10, 6), resolved: Self.at(11, 6)),
            // B: opened 5 days before its stockout and still open: caught; nothing in the 2 days after: false.
            AlertEpisode(store: store, product: b, kind: "K", opened: Self.at(0, 1), resolved: Self.at(3, 12)),
            // B: after the end minus the lead time: not judged.
            AlertEpisode(store: store, product: b, kind: "K", opened: Self.at(19, 0), resolved: nil),
        ]
        let scores = AlertEvaluation.score(episodes, name: "K", truth: truth) { _, _ in 2 }
        #expect(scores.stockouts == 3)
        #expect(scores.caught == 2)
        #expect(scores.alerts == 3)
        #expect(scores.confirmed == 2)
        #expect(abs(scores.recall - 2.0 / 3) < 1e-12 && abs(scores.precision - 2.0 / 3) < 1e-12)
        // Warnings of 24 h and 83 h: the median is their mean.
        #expect(scores.medianWarningHours == 53.5)
    }

    @Test func baselineFollowsAFixedThreshold() {
        let movements = [
            StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 8),
            StockMovement(time: Self.at(0, 9), kind: .sale, quantity: 3),  // 5: opens
            StockMovement(time: Self.at(0, 10), kind: .sale, quantity: 5),  // 0: resolves (a stockout)
            StockMovement(time: Self.at(1, 6), kind: .restock, quantity: 4),  // 4: opens
            StockMovement(time: Self.at(1, 9), kind: .restock, quantity: 10),  // 14: resolves
            StockMovement(time: Self.at(2, 9), kind: .sale, quantity: 10),  // 4: opens, stays open
        ]
        let episodes = AlertEvaluation.baselineEpisodes(store: "S", product: "P", movements: movements, threshold: 5)
        #expect(episodes.map(\.opened) == [Self.at(0, 9), Self.at(1, 6), Self.at(2, 9)])
        #expect(episodes.map(\.resolved) == [Self.at(0, 10), Self.at(1, 9), nil])
    }
}
