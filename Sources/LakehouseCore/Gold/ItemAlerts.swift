import Foundation

/// The alerts of one store × product that need a person, and the rules that open and close
/// them: gold runs them at each refresh, the simulator's `model` policy at each event and
/// review, so both raise the same alerts from the same facts.
///
/// An alert opens when its condition holds and none of its kind is open, and stays open while a
/// weaker condition holds (hysteresis: a day's new estimate does not close and reopen it).
public struct ItemAlerts: Sendable, Hashable {
    /// A change to one alert, with the sentence that says why.
    public struct Change: Sendable, Hashable {
        /// The alert's kind; an item has at most one open alert of each.
        public var kind: StockAlertKind
        /// `true` when the alert opened, `false` when it was resolved.
        public var opened: Bool
        /// Why, with the figures behind it and what to do: `stock_alert.reason`.
        public var reason: String
    }

    /// The kinds open now.
    public private(set) var open: Set<StockAlertKind>
    /// The risk of running empty before the next delivery stated at the last review, from 0 to
    /// 1 (0 before the first review): `demand_forecast.stated_risk`.
    public var statedRisk: Double
    /// The last day ``statedRisk`` covers (days since 1970: the day that delivery is due, or the
    /// day before an order placed then could arrive when none was coming; nil before the first
    /// review). An empty shelf after that day is the next review's to order for, not a surprise.
    public var statedUntil: Int64?

    /// The alerts of an item as gold reads them back: the kinds `open`, and the risk the last
    /// review stated and until when; by default none open and nothing stated.
    public init(open: Set<StockAlertKind> = [], statedRisk: Double = 0, statedUntil: Int64? = nil) {
        self.open = open
        self.statedRisk = statedRisk
        self.statedUntil = statedUntil
    }

    /// After an event of the item on `day` (days since 1970): `UNEXPECTED_STOCKOUT` opens when the
    /// shelf is empty on a day the last review's risk covers, that risk was below
    /// ``StockAlertKind/unexpectedBelow``, and no order on the way is due by the morning the store
    /// next opens (`calendar` says which days it is closed); it closes when the shelf is stocked
    /// again.
    public mutating func afterEvent(
        model: ItemStockModel, openOrders: OpenOrders, policy: ReplenishmentPolicy, day: Int64,
        calendar: DemandDays = .none
    ) -> [Change] {
        let empty = model.lastCountTime != nil && model.onHand <= 0
        guard empty || open.contains(.unexpectedStockout) else { return [] }
        var fixed = false
        if empty {
            let closed = Set(calendar.closed.map { Int($0 - day) }.filter { $0 > 0 && $0 <= 31 })
            var reopens = 1
            while closed.contains(reopens) { reopens += 1 }
            fixed = openOrders.arrivals(today: day, leadTimeDays: policy.leadTimeDays, closedDays: closed).contains {
                $0.day <= reopens
            }
        }
        let covered = statedUntil.map { day <= $0 } ?? false
        let holds = empty && !fixed && covered && statedRisk < StockAlertKind.unexpectedBelow
        let reason = String(
            format:
                "the shelf is empty (%lld on hand) although the last review put the risk at %.1f %% and no delivery is due before the store opens again: check for stock that is not where the system thinks, theft or a run on the item",
            model.onHand, statedRisk * 100)
        return update(.unexpectedStockout, holds: holds, stays: empty, reason: reason).map { [$0] } ?? []
    }

    /// At the review of `day` (days since 1970), with the figures of its plan: `STOCKOUT_RISK` and
    /// `PERISHABLE_OVERSTOCK`. Also states the risk the next events are judged against.
    ///
    /// When the store did not order the proposal (`followed` false: it recorded ordering its own
    /// way), nothing is stated and `STOCKOUT_RISK`, which assumes tonight's proposed order, is
    /// left as it was; stock that will spoil is still stock that will spoil.
    public mutating func atReview(
        _ review: ReviewFigures, day: Int64, onHand: Int64, caseSize: Int64?, shelfLifeDays: Int?,
        followed: Bool = true
    ) -> [Change] {
        var changes: [Change] = []
        let waste = review.waste
        let spoiling =
            shelfLifeDays != nil && waste >= Double(StockAlertKind.spoilingCases * (caseSize ?? 1))
            && waste >= Double(onHand) / 2
        // Held while any unit is still expected to spoil: a mark-down under way is not closed
        // and reopened as the stock and the forecast move.
        let stillSpoiling = shelfLifeDays != nil && waste >= 1
        let spoilingReason = String(
            format: "about %.0f of the %lld units on hand will spoil before they sell: mark them down", waste, onHand)
        guard followed else {
            forgetStatement()
            if let change = update(.perishableOverstock, holds: spoiling, stays: stillSpoiling, reason: spoilingReason)
            {
                changes.append(change)
            }
            return changes
        }
        statedRisk = review.risk
        // A delivery due that morning may come a day late, which the risk counts; an order that
        // could be placed now covers only the days before it could arrive.
        statedUntil = day + Int64(review.riskUntilDay) - (review.deliveryComing ? 0 : 1)
        let risk = statedRisk
        let short = review.shortDays
        let due = review.deliveryComing ? "the delivery in \(review.riskUntilDay) days" : "any delivery"
        if let change = update(
            .stockoutRisk, holds: risk >= StockAlertKind.riskOpens && short >= StockAlertKind.shortDays,
            stays: risk >= StockAlertKind.riskHolds && short > 0,
            reason: String(
                format:
                    "even with tonight's order of %lld, a %.0f %% risk of running empty before %@, with about %.1f days of demand unmet: arrange a transfer or an extra delivery",
                review.quantity, risk * 100, due, short))
        {
            changes.append(change)
        }
        if let change = update(.perishableOverstock, holds: spoiling, stays: stillSpoiling, reason: spoilingReason) {
            changes.append(change)
        }
        return changes
    }

    /// Drops the stated risk: the store did not order what it was stated for.
    public mutating func forgetStatement() {
        statedRisk = 0
        statedUntil = nil
    }

    private mutating func update(_ kind: StockAlertKind, holds: Bool, stays: Bool, reason: String) -> Change? {
        if open.contains(kind) {
            guard !stays else { return nil }
            open.remove(kind)
            return Change(kind: kind, opened: false, reason: reason)
        }
        guard holds else { return nil }
        open.insert(kind)
        return Change(kind: kind, opened: true, reason: reason)
    }
}

/// What the alert rules read of a review's plan; gold keeps them with each draft, so that the
/// alerts are raised once, from the draft the store ordered (or the last one).
public struct ReviewFigures: Sendable, Hashable {
    /// Units to order.
    public var quantity: Int64
    /// The risk of running empty before the next delivery (of an order on the way, of this one,
    /// or of one placed now when none is coming); 1 for an item already empty.
    public var risk: Double
    /// Days of expected demand unmet before the next delivery, even with the order.
    public var shortDays: Double
    /// Units expected to spoil before they sell.
    public var waste: Double
    /// Days from the review to the morning the next delivery is due.
    public var riskUntilDay: Int
    /// Whether a delivery is coming: an order on the way, or this one.
    public var deliveryComing: Bool

    /// The figures as gold kept them with a draft (`demand_forecast.draft_*`).
    public init(
        quantity: Int64, risk: Double, shortDays: Double, waste: Double, riskUntilDay: Int, deliveryComing: Bool
    ) {
        self.quantity = quantity
        self.risk = risk
        self.shortDays = shortDays
        self.waste = waste
        self.riskUntilDay = riskUntilDay
        self.deliveryComing = deliveryComing
    }

    /// The figures of `plan`; none (nothing to order, no risk) without a plan.
    public init(plan: OrderPlan?) {
        self.init(
            quantity: plan?.quantity ?? 0, risk: plan?.stockoutRisk ?? 0,
            shortDays: plan?.expectedShortDays ?? 0, waste: plan?.projectedWaste ?? 0,
            riskUntilDay: plan?.riskUntilDay ?? 0,
            deliveryComing: plan?.deliveryComing ?? false)
    }
}
