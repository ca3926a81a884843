/// The daily demand of one store × product, learned day by day in event time: an exponentially
/// weighted mean and variance of units sold per day and, for intermittent sellers, the
/// Teunter–Syntetos–Babai (TSB) estimate: the weighted share of days with sales times the
/// weighted units on such a day. (Croston's estimate, size over interval, updates only on days
/// with sales and is biased upwards for a slow seller's few weeks; TSB is not.)
///
/// A day is learned once it is over (once an event of the item is stamped on a later day); days
/// without events count as zero. A day the item spent out of stock and sold less than expected
/// is censored demand, not low demand, and is skipped. A day the store was closed is skipped.
///
/// Two multiplicative effects sit on top of the level:
/// - a **weekday profile**, the category's (``WeekdayProfile``, from the chain's daily sales of
///   the category: far steadier than one item's own few weeks), given in ``DemandDays``;
/// - a **promotion lift** 1 + e × discount, where the elasticity e is learned from promotion
///   days (prior ``elasticityPrior``): the item's own ``elasticity``, or its category's pooled
///   over all items when ``DemandDays/elasticity`` gives it (``CategoryDemand``).
/// The level learns from each day's units with both effects divided out.
public struct DemandEstimate: Sendable, Hashable {
    /// The weight of the newest day (α).
    public static let smoothing = 0.1
    /// An item whose days without sales exceed this share is intermittent (the TSB estimate).
    public static let intermittentShare = 0.4

    /// The day being accumulated (days since 1970, UTC).
    public internal(set) var day: Int64?
    /// Units sold so far on ``day``.
    public internal(set) var dayUnits: Int64 = 0
    /// Whether the item was out of stock at some point of ``day``.
    public internal(set) var dayStockedOut = false
    /// Weighted mean units per day (nil before the first whole day).
    public internal(set) var level: Double?
    /// Weighted variance of units per day.
    public internal(set) var variance: Double = 0
    /// TSB: weighted mean units on a day with sales (nil before the first such day).
    public internal(set) var demandSize: Double?
    /// TSB: the mean days between days with sales, 1 ÷ the weighted share of days with sales
    /// (nil before the first day with sales).
    public internal(set) var demandInterval: Double?
    /// Whole days since the last day with sales.
    public internal(set) var daysSinceDemand: Int64 = 0
    /// Whole days learned (closed and censored days are not).
    public internal(set) var daysLearned: Int64 = 0
    /// How many of ``daysLearned`` had no sales: above ``intermittentShare`` of them, the item is intermittent.
    public internal(set) var zeroDays: Int64 = 0
    /// The weight of the days behind ``level`` (Σ (1 − α)^age over the days learned): how many
    /// days of evidence the estimate rests on.
    public internal(set) var evidenceDays: Double = 0

    /// Promotion days: weighted units above those expected without the promotion (the numerator
    /// of ``elasticity``).
    public internal(set) var liftGain: Double = 0
    /// Promotion days: weighted expected units × discount, the denominator of ``elasticity``, so
    /// that slow sellers weigh little.
    public internal(set) var liftDiscount: Double = 0

    /// The weight of a promotion day's newest evidence.
    public static let liftSmoothing = 0.25
    /// The elasticity assumed before an item's own promotions say otherwise: 3, so 30 % off
    /// doubles demand.
    public static let elasticityPrior = 3.0
    /// The weight of ``elasticityPrior``, in expected units × discount: 3 is one day at 30 % off
    /// of an item selling 10 a day.
    public static let elasticityPriorWeight = 3.0

    /// An estimate that has seen nothing.
    public init() {}

    /// The weekday (0 = Monday) of `day` (days since 1970, a Thursday).
    public static func weekday(_ day: Int64) -> Int { Int(((day + 3) % 7 + 7) % 7) }

    /// The learned promotion elasticity: demand is 1 + e × discount times the usual.
    public var elasticity: Double {
        max(
            0,
            (liftGain + Self.elasticityPrior * Self.elasticityPriorWeight) / (liftDiscount + Self.elasticityPriorWeight)
        )
    }

    /// Forecast units on `day` (days since 1970): the daily demand times the weekday factor and
    /// the promotion lift; 0 when the store is closed (nil before the first whole day).
    public func forecast(day: Int64, calendar: DemandDays = .none) -> Double? {
        guard let base = dailyDemand else { return nil }
        guard !calendar.isClosed(day) else { return 0 }
        return base * calendar.factor(day) * (1 + (calendar.elasticity ?? elasticity) * calendar.discount(day))
    }

    /// Whether the TSB estimate is used (enough whole days, and many without sales).
    public var isIntermittent: Bool {
        daysLearned >= 4 && Double(zeroDays) > Self.intermittentShare * Double(daysLearned)
    }

    /// Forecast units per day (nil before the first whole day).
    public var dailyDemand: Double? {
        guard let level else { return nil }
        if isIntermittent, let demandSize, let demandInterval, demandInterval > 0 {
            return demandSize / demandInterval
        }
        return level
    }

    /// Standard deviation of units per day.
    public var dailyDeviation: Double { variance.squareRoot() }

    /// The method behind ``dailyDemand``: `ewma` or `tsb`.
    public var method: String { isIntermittent ? "tsb" : "ewma" }

    /// Adds `units` sold on `day`; a sale stamped on a day already learned only counts in stock.
    mutating func addSale(units: Int64, day saleDay: Int64) {
        advance(to: saleDay)
        if saleDay == day { dayUnits += units }
    }

    /// Learns every whole day before `newDay`; days `calendar` says the store was closed are
    /// not demand and are skipped.
    mutating func advance(to newDay: Int64, calendar: DemandDays = .none) {
        guard let current = day else {
            day = newDay
            return
        }
        guard newDay > current else { return }
        if !calendar.isClosed(current) {
            learn(units: dayUnits, censored: dayStockedOut, day: current, calendar: calendar)
        }
        // Days without events: zero demand, or censored when the item stayed out of stock.
        let emptyDays = newDay - current - 1
        if emptyDays > 0 {
            for offset in 1...min(emptyDays, 366) where !calendar.isClosed(current + offset) {
                learn(units: 0, censored: stockedOutAtClose, day: current + offset, calendar: calendar)
            }
        }
        day = newDay
        dayUnits = 0
        dayStockedOut = stockedOutAtClose
    }

    /// Whether the item was out of stock when the day being accumulated ended; set by the owner.
    var stockedOutAtClose = false

    private mutating func learn(units: Int64, censored: Bool, day learned: Int64, calendar: DemandDays) {
        let discount = calendar.discount(learned)
        let factor = calendar.factor(learned)
        let lift = 1 + (calendar.elasticity ?? elasticity) * discount
        let raw = Double(units)
        if censored, let expected = dailyDemand, raw < expected * factor * lift { return }
        if let usual = dailyDemand, usual > 0, discount > 0 {
            let keep = 1 - Self.liftSmoothing
            liftGain = keep * liftGain + (raw - usual * factor)
            liftDiscount = keep * liftDiscount + usual * factor * discount
        }
        let value = factor * lift > 0 ? raw / (factor * lift) : raw
        let alpha = Self.smoothing
        daysLearned += 1
        daysSinceDemand += 1
        if units == 0 { zeroDays += 1 }
        evidenceDays = (1 - alpha) * evidenceDays + 1
        if let level {
            // A warm start: the plain mean of the days so far until there are 1 ÷ α of them, so
            // that the first day does not weigh on the level for weeks.
            let weight = max(alpha, 1 / Double(daysLearned))
            let error = value - level
            self.level = level + weight * error
            variance = (1 - weight) * (variance + weight * error * error)
        } else {
            level = value
            variance = max(value, 1)
        }
        // TSB: the share of days with sales learns every day (the same warm start), the size on
        // days with sales only.
        let share = demandInterval.map { 1 / $0 } ?? 0
        let weight = max(alpha, 1 / Double(daysLearned))
        let updated = share + weight * ((units > 0 ? 1 : 0) - share)
        if units > 0 || demandInterval != nil { demandInterval = 1 / max(updated, 1e-6) }
        if units > 0 {
            if let demandSize {
                let sizeWeight = max(alpha, 1 / Double(max(daysLearned - zeroDays, 1)))
                self.demandSize = demandSize + sizeWeight * (value - demandSize)
            } else {
                demandSize = value
            }
            daysSinceDemand = 0
        }
    }
}

/// What the stock model knows of the days of one store × product: which the store is closed on,
/// which the product is on promotion (the chain's calendar and promotion plan), and how its
/// category's demand moves over the week.
public struct DemandDays: Sendable, Hashable {
    /// Days since 1970 on which the store is closed.
    public var closed: Set<Int64>
    /// Days since 1970 on which the product is on promotion, with the share taken off the price.
    public var discounts: [Int64: Double]
    /// The category's weekday factors, Monday first (mean 1; all 1 when not known).
    public var weekdayFactors: [Double]
    /// The category's promotion elasticity, pooled over its items (nil: the item's own).
    public var elasticity: Double?
    /// Variance ÷ mean of a day's units (the category's, pooled).
    public var dispersion: Double = 1

    /// A calendar of `closed` days and promotion `discounts` (fractions off the price);
    /// `weekdayFactors` other than seven values are taken as flat.
    public init(
        closed: Set<Int64> = [], discounts: [Int64: Double] = [:], weekdayFactors: [Double] = WeekdayProfile.flat
    ) {
        self.closed = closed
        self.discounts = discounts
        self.weekdayFactors = weekdayFactors.count == 7 ? weekdayFactors : WeekdayProfile.flat
    }

    /// The calendar with `category`'s learned weekday profile, elasticity and dispersion.
    public func with(_ category: CategoryDemand) -> DemandDays {
        var days = self
        days.weekdayFactors = category.weekdayFactors.count == 7 ? category.weekdayFactors : WeekdayProfile.flat
        days.elasticity = category.elasticity
        days.dispersion = category.dispersion
        return days
    }

    /// The weekday factor of `day`.
    public func factor(_ day: Int64) -> Double { weekdayFactors[DemandEstimate.weekday(day)] }

    /// No closed days, no promotions.
    public static let none = DemandDays()

    /// Whether the store is closed on `day` (days since 1970).
    public func isClosed(_ day: Int64) -> Bool { closed.contains(day) }
    /// The share taken off the price on `day` (days since 1970): 0.15 for 15 % off; 0 without a promotion.
    public func discount(_ day: Int64) -> Double { discounts[day] ?? 0 }
}
