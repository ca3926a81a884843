import Foundation

/// What one store should order of one product at tonight's review, and why.
///
/// A periodic review with projected stock: the expected demand of each coming day is taken from
/// the stock on hand (oldest units first, perishable units leaving the shelf after their last
/// day), deliveries already ordered arrive when expected, and tonight's order is the fewest
/// whole cases that leave at least the safety stock when the next order can arrive. Closed days
/// sell nothing and receive nothing, and hold no review.
///
/// Gold's order proposal and the simulator's `model` and `oracle` policies run this same code;
/// they differ only in what they feed it (the forecast, and how well stock is known).
public struct OrderPlan: Sendable, Hashable {
    /// Units to order (whole cases when the case size is known); 0 for no order.
    public var quantity: Int64
    /// Cases to order, when the case size is known.
    public var cases: Int64?
    /// Expected units sold from tomorrow until the next order can arrive.
    public var coverDemand: Double
    /// Units to keep on the shelf when the next order can arrive, on top of ``coverDemand``:
    /// z · σ of the demand until then, plus ``lateDeliveryShare`` of a late day's demand.
    public var safetyStock: Double
    /// Units expected on the shelf when the next order can arrive, with this order.
    public var projectedStock: Double
    /// Units expected to spoil before they sell, with this order (perishables).
    public var projectedWaste: Double
    /// Days of expected demand that go unmet before the next order can arrive, even with this
    /// order (the stock runs out before it arrives): what the order cannot fix.
    public var expectedShortDays: Double
    /// Days from tonight to the morning this order would be delivered (its lead time, moved past closed days).
    public var arrivalDay: Int
    /// Days from tonight to the morning the next review's order could be delivered; the plan
    /// covers the days before it.
    public var nextArrivalDay: Int
    /// The probability that the shelf runs empty before the next delivery (of an order on the
    /// way, or of this one; if nothing is coming, before an order placed now could arrive),
    /// which comes on the morning of ``riskUntilDay`` (days from tonight), a day late with
    /// probability ``lateDeliveryShare``.
    public var stockoutRisk: Double
    /// Days from tonight to the morning of the first delivery coming (an order on the way, or
    /// this one; ``arrivalDay`` if none): the end of ``stockoutRisk``'s window.
    public var riskUntilDay: Int
    /// Whether a delivery is coming (an order on the way, or this one).
    public var deliveryComing: Bool
    /// Why, in words a store manager reads.
    public var reason: String

    /// Units on the shelf that can be sold until one day.
    public struct Lot: Sendable, Hashable {
        /// The last day they can be sold, in days from today (nil: they keep).
        public var lastDay: Int?
        /// Units in the lot (fractions allowed: a projection's expected units).
        public var units: Double

        /// `units` that can be sold until `lastDay` (days from today; nil: they keep).
        public init(lastDay: Int?, units: Double) {
            self.lastDay = lastDay
            self.units = units
        }
    }

    /// A delivery already ordered.
    public struct Arrival: Sendable, Hashable {
        /// Days from today (1 = tomorrow morning; an overdue one is taken as tomorrow).
        public var day: Int
        /// Units expected in the delivery (what was ordered).
        public var units: Double

        /// A delivery of `units` due on the morning of `day` (days from today).
        public init(day: Int, units: Double) {
            self.day = day
            self.units = units
        }
    }

    /// What the plan needs to know about the item.
    public struct Input: Sendable, Hashable {
        /// Stock on hand, by the last day it can be sold.
        public var lots: [Lot]
        /// Deliveries ordered and not yet arrived.
        public var arrivals: [Arrival]
        /// Expected units sold on each coming day, tomorrow first (the last value repeats when
        /// the list is shorter than the plan needs; closed days sell nothing whatever it says).
        public var forecast: [Double]
        /// Variance of one day's units.
        public var dailyVariance: Double
        /// The item's lead time, review period and service level (the z of the safety stock).
        public var policy: ReplenishmentPolicy
        /// Units per case, when known.
        public var caseSize: Int64?
        /// Days a delivered unit can be sold (the day of delivery included), for a perishable.
        public var shelfLifeDays: Int?
        /// Days from today on which the store is closed.
        public var closedDays: Set<Int>
        /// Variance ÷ mean of a day's units, for the risk (nil: `dailyVariance` over the mean
        /// forecast of the coming days).
        public var dispersion: Double?

        /// What to plan from; an item with no arrivals, case size, shelf life or closed days needs
        /// only `lots`, `forecast`, `dailyVariance` and `policy`.
        public init(
            lots: [Lot], arrivals: [Arrival] = [], forecast: [Double], dailyVariance: Double,
            policy: ReplenishmentPolicy, caseSize: Int64? = nil, shelfLifeDays: Int? = nil, closedDays: Set<Int> = [],
            dispersion: Double? = nil
        ) {
            self.dispersion = dispersion
            self.lots = lots
            self.arrivals = arrivals
            self.forecast = forecast
            self.dailyVariance = dailyVariance
            self.policy = policy
            self.caseSize = caseSize
            self.shelfLifeDays = shelfLifeDays
            self.closedDays = closedDays
        }

        /// Expected units on day `day` (1 = tomorrow).
        func expected(_ day: Int) -> Double {
            guard !closedDays.contains(day), let last = forecast.last, day >= 1 else { return 0 }
            return day <= forecast.count ? forecast[day - 1] : last
        }

        /// The first day from `day` on that the store is open.
        func open(from day: Int) -> Int {
            var day = day
            while closedDays.contains(day) && day < 400 { day += 1 }
            return day
        }
    }

    /// The probability that a delivery comes a day late, which the safety stock also covers.
    public static let lateDeliveryShare = 0.15

    /// The plan for `input`.
    public static func plan(_ input: Input) -> OrderPlan {
        let policy = input.policy
        let lead = max(Int(policy.leadTimeDays.rounded()), 1)
        let review = max(Int(policy.reviewPeriodDays.rounded()), 1)
        let arrival = input.open(from: lead)
        let nextReview = input.open(from: review)
        let nextArrival = max(input.open(from: nextReview + lead), arrival + 1)
        let window = 1..<nextArrival
        let cover = window.reduce(0.0) { $0 + input.expected($1) }
        let openDays = Double(window.filter { !input.closedDays.contains($0) }.count)
        let late = lateDeliveryShare
        let lateDay = input.expected(nextArrival)
        let variance = openDays * input.dailyVariance + late * (1 - late) * lateDay * lateDay
        let safety = policy.z * variance.squareRoot() + late * lateDay
        let size = max(input.caseSize ?? 1, 1)
        let projection = Projection(input: input, arrival: arrival, window: window)
        let (cases, projected) = projection.cases(size: size, cover: cover, safety: safety)
        let quantity = cases * size
        let reason = Self.reason(input, quantity: quantity, days: nextArrival - 1, cover: cover, safety: safety)
        let coming = input.arrivals.map { max($0.day, 1) } + (quantity > 0 ? [arrival] : [])
        let until = coming.min() ?? arrival
        let risk = stockoutRisk(input, until: until)
        return OrderPlan(
            quantity: quantity, cases: input.caseSize.map { _ in cases }, coverDemand: cover, safetyStock: safety,
            projectedStock: projected.stock, projectedWaste: projected.waste, expectedShortDays: projected.short,
            arrivalDay: arrival,
            nextArrivalDay: nextArrival, stockoutRisk: risk, riskUntilDay: until, deliveryComing: !coming.isEmpty,
            reason: reason)
    }

    /// The stock over the days a plan covers, projected day by day with an order of some size:
    /// the oldest units sell first, perishable ones leave the shelf after their last day,
    /// deliveries ordered arrive when expected and tonight's order on its arrival day.
    private struct Projection {
        /// Units left when the window ends, units spoiled in it, and the days of demand unmet.
        typealias Outcome = (stock: Double, waste: Double, short: Double)

        let input: Input
        /// The day tonight's order would arrive.
        let arrival: Int
        /// The days the plan covers (1 = tomorrow).
        let window: Range<Int>

        /// The outcome of ordering `units` tonight.
        func outcome(ordering units: Int64) -> Outcome {
            let lotDays = input.shelfLifeDays.map { max($0, 1) }
            var lots = input.lots.filter { $0.units > 0 }
            var waste = 0.0
            var short = 0.0
            for day in window {
                for delivery in input.arrivals where max(delivery.day, 1) == day {
                    lots.append(Lot(lastDay: lotDays.map { day + $0 - 1 }, units: delivery.units))
                }
                if day == arrival, units > 0 {
                    lots.append(Lot(lastDay: lotDays.map { day + $0 - 1 }, units: Double(units)))
                }
                lots.sort { ($0.lastDay ?? .max) < ($1.lastDay ?? .max) }
                var demand = input.expected(day)
                let wanted = demand
                for index in lots.indices where demand > 0 {
                    let taken = min(demand, lots[index].units)
                    lots[index].units -= taken
                    demand -= taken
                }
                if wanted > 0 { short += demand / wanted }
                for index in lots.indices where (lots[index].lastDay ?? .max) <= day {
                    waste += lots[index].units
                    lots[index].units = 0
                }
                lots.removeAll { $0.units <= 1e-9 }
            }
            return (lots.reduce(0) { $0 + $1.units }, waste, short)
        }

        /// The fewest whole cases of `size` units that leave at least `safety` units when the
        /// window ends (`cover` being the window's demand), and the outcome with them; a case
        /// that would spoil whole before it sells is not ordered.
        func cases(size: Int64, cover: Double, safety: Double) -> (cases: Int64, projected: Outcome) {
            var cases: Int64 = 0
            var projected = outcome(ordering: 0)
            // A forecast that is not a number orders nothing rather than trapping.
            let needed = (cover + safety) / Double(size)
            let limit = needed.isFinite ? Int64(min(max(needed, 0), 1e9).rounded(.up)) + 1 : 0
            while projected.stock < safety && cases < limit {
                cases += 1
                let next = outcome(ordering: cases * size)
                // A case that would spoil whole before it sells is not ordered.
                if next.waste - projected.waste >= Double(size) - 1e-9 {
                    cases -= 1
                    break
                }
                projected = next
            }
            return (cases, projected)
        }
    }

    /// The plan's ``reason``: what covers the next `days` days (`cover` units) and the safety
    /// stock, or what `quantity` is for.
    private static func reason(_ input: Input, quantity: Int64, days: Int, cover: Double, safety: Double) -> String {
        let onHand = input.lots.reduce(0) { $0 + $1.units }
        let onOrder = input.arrivals.reduce(0) { $0 + $1.units }
        return quantity == 0
            ? String(
                format:
                    "no order: %.0f on hand and %.0f on order cover the next %d day%@ (%.1f units) and safety stock %.1f",
                onHand, onOrder, days, days == 1 ? "" : "s", cover, safety)
            : String(
                format:
                    "%lld to cover the next %d day%@ (%.1f units) and safety stock %.1f: %.0f on hand, %.0f on order",
                quantity, days, days == 1 ? "" : "s", cover, safety, onHand, onOrder)
    }

    /// P(the shelf runs empty before the morning of `until`): demand over the days before it
    /// (negative binomial with the plan's dispersion, widened by the forecast level's own error)
    /// reaching the units on hand that do not spoil first; a day longer when the delivery is late.
    static func stockoutRisk(_ input: Input, until: Int) -> Double {
        let lots = input.lots.filter { $0.units > 0 }
        let onHand = lots.reduce(0) { $0 + $1.units }
        guard onHand >= 1 else { return 1 }
        let meanForecast = input.forecast.isEmpty ? 0 : input.forecast.reduce(0, +) / Double(input.forecast.count)
        let stated = input.dispersion ?? input.dailyVariance / max(meanForecast, OrderProposal.minimumRate)
        let dispersion = stated.isFinite ? stated : 1
        func risk(days: Int) -> Double {
            // Perishable units leave the shelf at the evening check of their last day, an hour
            // before closing: if none outlive the window's last day, the shelf is empty then.
            if days > 1, !lots.contains(where: { ($0.lastDay ?? .max) > days - 1 }) { return 1 }
            var usable = 0.0
            // Units that spoil before the end are usable only for the demand before their last day.
            var demandSoFar = 0.0
            var remaining = lots.sorted { ($0.lastDay ?? .max) < ($1.lastDay ?? .max) }
            for day in 1..<max(days, 1) {
                demandSoFar += input.expected(day)
                for index in remaining.indices where (remaining[index].lastDay ?? .max) <= day {
                    usable += min(remaining[index].units, max(demandSoFar - usable, 0))
                    remaining[index].units = 0
                }
            }
            let mean = demandSoFar
            usable += remaining.reduce(0) { $0 + $1.units }
            guard mean > 0 else { return 0 }
            // The mean itself is an estimate: an exponentially weighted level's variance is
            // α ÷ (2 − α) of a day's, and its error repeats on every day of the window.
            let days = Double(max(days - 1, 1))
            let levelVariance = DemandEstimate.smoothing / (2 - DemandEstimate.smoothing) * input.dailyVariance
            let variance = max(dispersion, 1) * mean + days * days * levelVariance
            return negativeBinomialTail(atLeast: usable.rounded(.down) + 1, mean: mean, variance: variance)
        }
        let late = lateDeliveryShare
        return (1 - late) * risk(days: until) + late * risk(days: until + 1)
    }

    /// P(X ≥ `units`) for a count X with `mean` and `variance` (negative binomial; Poisson when
    /// the variance does not exceed the mean).
    static func negativeBinomialTail(atLeast units: Double, mean: Double, variance: Double) -> Double {
        guard units > 0 else { return 1 }
        guard mean > 0, mean.isFinite, variance.isFinite, units.isFinite else { return 0 }
        // Beyond what the recurrence can start from (e^−mean underflows), a normal approximation.
        if mean > 500 {
            let deviation = max(variance, mean).squareRoot()
            return 0.5 * erfc((units - 0.5 - mean) / (deviation * 2.0.squareRoot()))
        }
        let count = Int(min(units, 100_000))
        var term: Double
        var ratio: (Int) -> Double
        if variance <= mean * (1 + 1e-9) {
            term = exp(-mean)
            ratio = { k in mean / Double(k + 1) }
        } else {
            let shape = mean * mean / (variance - mean)
            let success = mean / variance
            term = exp(shape * log(success))
            ratio = { k in (shape + Double(k)) / Double(k + 1) * (1 - success) }
        }
        var below = term
        for k in 0..<(count - 1) {
            term *= ratio(k)
            below += term
            if below >= 1 { return 0 }
        }
        return min(max(1 - below, 0), 1)
    }
}
