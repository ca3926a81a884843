/// What the stock model learns across the items of a category, refreshed once a day: far
/// steadier than any one item's own few weeks.
public struct CategoryDemand: Sendable, Hashable {
    /// The weekday factors, Monday first (mean 1).
    public var weekdayFactors: [Double]
    /// Variance ÷ mean of one day's units, pooled over the items (at least 1, Poisson).
    public var dispersion: Double
    /// Demand on promotion is 1 + elasticity × discount times the usual.
    public var elasticity: Double

    public init(weekdayFactors: [Double], dispersion: Double, elasticity: Double) {
        self.weekdayFactors = weekdayFactors
        self.dispersion = dispersion
        self.elasticity = elasticity
    }

    /// Before anything is learned: flat weeks, Poisson days, the prior elasticity.
    public static let unknown = CategoryDemand(
        weekdayFactors: WeekdayProfile.flat, dispersion: 1, elasticity: DemandEstimate.elasticityPrior)

    /// Items with fewer whole days learned do not count in the dispersion.
    public static let dispersionDays: Int64 = 7

    /// Learns a category from its daily units (days since 1970 → units, the chain's sales of the
    /// category), the days the stores were closed, the last whole day, and its items' estimates.
    public static func learn<Items: Sequence<DemandEstimate>>(
        totals: [Int64: Double], closed: Set<Int64>, through day: Int64, estimates: Items
    ) -> CategoryDemand {
        var variance = 0.0
        var level = 0.0
        var gain = DemandEstimate.elasticityPrior * DemandEstimate.elasticityPriorWeight
        var weight = DemandEstimate.elasticityPriorWeight
        for estimate in estimates {
            gain += estimate.liftGain
            weight += estimate.liftDiscount
            guard estimate.daysLearned >= dispersionDays, let mean = estimate.level else { continue }
            variance += estimate.variance
            level += mean
        }
        return CategoryDemand(
            weekdayFactors: WeekdayProfile.factors(totals: totals, closed: closed, through: day),
            dispersion: level > 0 && (variance / level).isFinite ? max(variance / level, 1) : 1,
            elasticity: (gain / weight).isFinite ? max(0, gain / weight) : DemandEstimate.elasticityPrior)
    }
}

/// The order proposal of one store × product at the evening review: the stock model's forecast
/// for each coming day (its level, the category's weekday profile and promotion lift, closed
/// days), the units on hand by age, the orders on the way, and ``OrderPlan``. Gold writes it to
/// `order_proposal`; the simulator's `model` policy orders it.
public enum OrderProposal {
    /// The plan for an item on `today` (days since 1970), or nil while its stock is unknown
    /// (never counted) or nothing has been learned of its demand.
    public static func plan(
        model: ItemStockModel, openOrders: OpenOrders, deliveries: RecentDeliveries, days: DemandDays,
        policy: ReplenishmentPolicy, caseSize: Int64?, shelfLifeDays: Int?, today: Int64
    ) -> OrderPlan? {
        guard model.lastCountTime != nil else { return nil }
        let horizon =
            Int(policy.leadTimeDays.rounded(.up) + policy.reviewPeriodDays.rounded(.up)) + (shelfLifeDays ?? 0) + 3
        let span = max(Int(policy.leadTimeDays + policy.reviewPeriodDays), 1)
        guard let (forecast, variance) = forecast(model.demand, days: days, after: today, count: horizon, sizedOn: span)
        else { return nil }
        let closed = Set(days.closed.map { Int($0 - today) }.filter { $0 > 0 })
        return OrderPlan.plan(
            OrderPlan.Input(
                lots: deliveries.lots(onHand: model.onHand, today: today, shelfLifeDays: shelfLifeDays),
                arrivals: openOrders.arrivals(today: today, leadTimeDays: policy.leadTimeDays, closedDays: closed),
                forecast: forecast, dailyVariance: variance, policy: policy,
                caseSize: caseSize, shelfLifeDays: shelfLifeDays, closedDays: closed, dispersion: days.dispersion))
    }

    /// The forecast of `demand` for each of the `count` days after `today` (days since 1970), and
    /// the variance of a day's units: the category's dispersion times the mean of the first
    /// `span` days (at least ``minimumRate``); nil before anything is learned.
    public static func forecast(
        _ demand: DemandEstimate, days: DemandDays, after today: Int64, count: Int, sizedOn span: Int
    ) -> (daily: [Double], dailyVariance: Double)? {
        guard let rate = demand.dailyDemand else { return nil }
        let daily = (1...max(count, 1)).map { demand.forecast(day: today + Int64($0), calendar: days) ?? rate }
        let first = daily.prefix(max(span, 1))
        let mean = first.reduce(0, +) / Double(first.count)
        return (daily, days.dispersion * max(mean, minimumRate))
    }

    /// The least daily rate the safety stock is sized for (a seller not yet seen to sell).
    public static let minimumRate = 0.1
}
