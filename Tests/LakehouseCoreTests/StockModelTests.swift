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
        model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 1000))
        for day in 0..<30 {
            for sale in 0..<10 {
                model.apply(
                    StockMovement(time: Self.at(day, 8 + sale), kind: .sale, quantity: 1))
            }
        }
        // Day 29 is still open: 29 whole days learned.
        #expect(model.demand.daysLearned == 29)
        #expect(model.demand.method == "ewma")
        #expect(abs((model.demand.dailyDemand ?? 0) - 10) < 1e-9)
        #expect(model.onHand == 700)
        let figures = model.figures(policy: Self.policy)
        #expect(abs((figures.daysOfCover ?? 0) - 70) < 1e-9)
    }

    /// Found by `make bench-serve`: a demand decayed to almost nothing made days of cover too
    /// large for a time, and the refresh trapped converting it.
    @Test func vanishingDemandStatesNoStockout() {
        var demand = DemandEstimate()
        demand.level = 1e-300
        demand.daysLearned = 30
        let model = ItemStockModel(onHand: 1000, time: Self.at(0, 6), lastCountTime: Self.at(0, 6), demand: demand)
        let figures = model.figures(policy: Self.policy)
        #expect((figures.daysOfCover ?? 0) > 1e300)
        #expect(figures.predictedStockoutTime == nil)
        #expect(figures.suggestedOrderQuantity == 0)
        let near = ItemStockModel(
            onHand: 1000, time: Self.at(0, 6), lastCountTime: Self.at(0, 6),
            demand: {
                var d = demand; d.level = 1000.0 / 36_000; return d
            }())
        #expect(near.figures(policy: Self.policy).predictedStockoutTime == Self.at(0, 6) + 36_000 * Self.day)
    }

    @Test func intermittentSellerUsesTSB() {
        var model = ItemStockModel()
        model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 500))
        // 3 units every fourth day for 240 days, nothing in between: 0.75 a day on average.
        for day in stride(from: 0, to: 240, by: 4) {
            model.apply(StockMovement(time: Self.at(day, 12), kind: .sale, quantity: 3))
        }
        model.apply(StockMovement(time: Self.at(240, 6), kind: .stockCount, quantity: 320))
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
        model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 100))
        for day in 0..<10 {
            for sale in 0..<8 {
                model.apply(
                    StockMovement(time: Self.at(day, 8 + sale), kind: .sale, quantity: 1))
            }
        }
        #expect(model.onHand == 20)
        let before = model.demand.level
        // Day 10: the last 20 units go by 9:00 (more than usual), then nothing until a delivery on day 12.
        model.apply(StockMovement(time: Self.at(10, 8), kind: .sale, quantity: 20))
        #expect(model.onHand == 0)
        model.apply(StockMovement(time: Self.at(12, 6), kind: .restock, quantity: 50))
        // Day 10 (20 units) is learned; day 11 (out of stock all day, 0 sold) is censored, not zero demand.
        #expect(model.demand.daysLearned == 11)
        #expect(model.demand.zeroDays == 0)
        #expect((model.demand.level ?? 0) > (before ?? 0))
    }

    /// A plan with the figures the alert rules read.
    static func plan(risk: Double, shortDays: Double, waste: Double = 0, coming: Bool = true) -> ReviewFigures {
        ReviewFigures(
            plan: OrderPlan(
                quantity: 12, cases: 2, coverDemand: 10, safetyStock: 3, projectedStock: 2, projectedWaste: waste,
                expectedShortDays: shortDays, arrivalDay: 2, nextArrivalDay: 3, stockoutRisk: risk, riskUntilDay: 2,
                deliveryComing: coming, reason: "test"))
    }

    @Test func unexpectedStockoutNeedsALowStatedRiskAndNoDeliveryTomorrow() {
        var model = ItemStockModel()
        model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 4))
        model.apply(StockMovement(time: Self.at(0, 9), kind: .sale, quantity: 4))
        #expect(model.onHand == 0)
        // The review put the risk at 5 % until tomorrow: an empty shelf now is unexpected.
        var alerts = ItemAlerts(statedRisk: 0.05, statedUntil: 1)
        let opened = alerts.afterEvent(model: model, openOrders: OpenOrders(), policy: Self.policy, day: 0)
        #expect(opened.map(\.kind) == [.unexpectedStockout] && opened.allSatisfy(\.opened))
        #expect(opened.first?.reason.contains("5.0 %") == true)
        // Still empty: it stays open, and is not opened twice.
        #expect(alerts.afterEvent(model: model, openOrders: OpenOrders(), policy: Self.policy, day: 0).isEmpty)
        // Expected (risk 0.3 ≥ 0.2), or fixed by tomorrow's delivery (ordered 1 day before a 2-day lead): none.
        var expected = ItemAlerts(statedRisk: 0.3, statedUntil: 1)
        #expect(expected.afterEvent(model: model, openOrders: OpenOrders(), policy: Self.policy, day: 0).isEmpty)
        var coming = ItemAlerts(statedRisk: 0.05, statedUntil: 1)
        let due = OpenOrders(lines: [OpenOrders.Line(day: -1, units: 12)])
        #expect(coming.afterEvent(model: model, openOrders: due, policy: Self.policy, day: 0).isEmpty)
        // Tomorrow the store is closed: a delivery the day after, when it opens again, fixes it.
        let afterHoliday = OpenOrders(lines: [OpenOrders.Line(day: 0, units: 12)])
        var holiday = ItemAlerts(statedRisk: 0.05, statedUntil: 1)
        #expect(
            holiday.afterEvent(
                model: model, openOrders: afterHoliday, policy: Self.policy, day: 0, calendar: DemandDays(closed: [1])
            ).isEmpty)
        var workday = ItemAlerts(statedRisk: 0.05, statedUntil: 1)
        #expect(
            workday.afterEvent(model: model, openOrders: afterHoliday, policy: Self.policy, day: 0).map(\.kind) == [
                .unexpectedStockout
            ])
        // After the day the stated risk covered, an empty shelf is tonight's review's to order for;
        // before any review, nothing was stated.
        var lapsed = ItemAlerts(statedRisk: 0.05, statedUntil: -1)
        #expect(lapsed.afterEvent(model: model, openOrders: OpenOrders(), policy: Self.policy, day: 0).isEmpty)
        var unreviewed = ItemAlerts()
        #expect(unreviewed.afterEvent(model: model, openOrders: OpenOrders(), policy: Self.policy, day: 0).isEmpty)
        // Never counted: the shelf is not known to be empty.
        var unknown = ItemStockModel()
        unknown.apply(StockMovement(time: Self.at(0, 9), kind: .sale, quantity: 4))
        var blind = ItemAlerts(statedRisk: 0)
        #expect(blind.afterEvent(model: unknown, openOrders: OpenOrders(), policy: Self.policy, day: 0).isEmpty)
        // A delivery closes it.
        model.apply(StockMovement(time: Self.at(1, 6), kind: .restock, quantity: 12))
        let closed = alerts.afterEvent(model: model, openOrders: OpenOrders(), policy: Self.policy, day: 1)
        #expect(closed.map(\.kind) == [.unexpectedStockout] && closed.allSatisfy { !$0.opened })
        #expect(alerts.open.isEmpty)
    }

    @Test func stockoutRiskOpensHighAndHoldsDownToItsFloor() {
        var alerts = ItemAlerts()
        // A high risk that tonight's order cannot fix for half a day or more opens it.
        #expect(
            alerts.atReview(Self.plan(risk: 0.4, shortDays: 1), day: 0, onHand: 3, caseSize: 6, shelfLifeDays: nil)
                .isEmpty)
        #expect(
            alerts.atReview(Self.plan(risk: 0.6, shortDays: 0.4), day: 0, onHand: 3, caseSize: 6, shelfLifeDays: nil)
                .isEmpty)
        let opened = alerts.atReview(
            Self.plan(risk: 0.6, shortDays: 0.5), day: 0, onHand: 3, caseSize: 6, shelfLifeDays: nil)
        #expect(opened.map(\.kind) == [.stockoutRisk] && opened[0].opened)
        #expect(alerts.statedRisk == 0.6)
        // It holds at 0.3 with some demand unmet, and closes below 0.25.
        #expect(
            alerts.atReview(Self.plan(risk: 0.3, shortDays: 0.1), day: 0, onHand: 3, caseSize: 6, shelfLifeDays: nil)
                .isEmpty)
        let closed = alerts.atReview(
            Self.plan(risk: 0.2, shortDays: 0.1), day: 0, onHand: 3, caseSize: 6, shelfLifeDays: nil)
        #expect(closed.map(\.kind) == [.stockoutRisk] && !closed[0].opened)
        // The risk is stated with the day it covers: the review's day plus the days to the delivery.
        _ = alerts.atReview(Self.plan(risk: 0.1, shortDays: 0), day: 100, onHand: 4, caseSize: 6, shelfLifeDays: nil)
        #expect(alerts.statedRisk == 0.1 && alerts.statedUntil == 102)
        // Nothing coming: the days before an order placed then could arrive.
        _ = alerts.atReview(
            Self.plan(risk: 0.1, shortDays: 0, coming: false), day: 100, onHand: 4, caseSize: 6, shelfLifeDays: nil)
        #expect(alerts.statedUntil == 101)
    }

    @Test func aReviewTheStoreDidNotFollowStatesNothing() {
        var alerts = ItemAlerts(statedRisk: 0.05, statedUntil: 10)
        // The store ordered its own way: no risk stated, no STOCKOUT_RISK, but spoiling stock is
        // still to be marked down.
        let changes = alerts.atReview(
            Self.plan(risk: 0.9, shortDays: 2, waste: 16), day: 10, onHand: 30, caseSize: 4, shelfLifeDays: 3,
            followed: false)
        #expect(changes.map(\.kind) == [.perishableOverstock])
        #expect(alerts.statedUntil == nil && alerts.statedRisk == 0)
    }

    @Test func perishableOverstockNeedsTwoCasesAndHalfTheStockAndHoldsWhileAnyWillSpoil() {
        var alerts = ItemAlerts()
        // 10 units to spoil of 30 on hand (cases of 4): two cases, but not half the stock.
        #expect(
            alerts.atReview(
                Self.plan(risk: 0, shortDays: 0, waste: 10), day: 0, onHand: 30, caseSize: 4, shelfLifeDays: 3
            ).isEmpty)
        // A product that keeps never spoils.
        #expect(
            alerts.atReview(
                Self.plan(risk: 0, shortDays: 0, waste: 20), day: 0, onHand: 30, caseSize: 4, shelfLifeDays: nil
            ).isEmpty)
        let opened = alerts.atReview(
            Self.plan(risk: 0, shortDays: 0, waste: 16), day: 0, onHand: 30, caseSize: 4, shelfLifeDays: 3)
        #expect(opened.map(\.kind) == [.perishableOverstock] && opened[0].opened)
        #expect(opened[0].reason.contains("16 of the 30 units"))
        // Held while some units are still expected to spoil, closed when none are.
        #expect(
            alerts.atReview(
                Self.plan(risk: 0, shortDays: 0, waste: 2), day: 1, onHand: 10, caseSize: 4, shelfLifeDays: 3
            ).isEmpty)
        let closed = alerts.atReview(
            Self.plan(risk: 0, shortDays: 0, waste: 0.4), day: 2, onHand: 10, caseSize: 4, shelfLifeDays: 3)
        #expect(closed.map(\.kind) == [.perishableOverstock] && !closed[0].opened)
    }

    @Test func lateEventsFollowEventTime() {
        var model = ItemStockModel()
        model.apply(StockMovement(time: Self.at(0, 6), kind: .stockCount, quantity: 30))
        model.apply(StockMovement(time: Self.at(0, 10), kind: .sale, quantity: 2))
        model.apply(StockMovement(time: Self.at(0, 22), kind: .stockCount, quantity: 25))
        // A sale stamped before the count arrives late: the count already saw it.
        model.apply(StockMovement(time: Self.at(0, 12), kind: .sale, quantity: 3))
        #expect(model.onHand == 25)
        // A sale stamped after the count arrives late: it counts.
        model.apply(StockMovement(time: Self.at(1, 9), kind: .sale, quantity: 1))
        model.apply(StockMovement(time: Self.at(0, 23), kind: .sale, quantity: 4))
        #expect(model.onHand == 20)
        #expect(model.time == Self.at(1, 9))
        // The late sale of day 0 does not reopen the day already learned.
        #expect(model.demand.daysLearned == 1)
    }
}
