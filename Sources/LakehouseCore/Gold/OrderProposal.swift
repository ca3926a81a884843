/// The order proposal of one store × product at the evening review: the stock model's forecast
/// for each coming day (its level, the category's weekday profile and promotion lift, closed
/// days), the units on hand by age, the orders on the way, and ``OrderPlan``. Gold writes it to
/// `order_line`; the simulator's `model` policy orders it.
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
