/// The daily demand of one store × product, learned day by day in event time: an exponentially
/// weighted mean and variance of units sold per day and, for intermittent sellers, Croston's
/// estimate (mean size of the days with sales over the mean interval between them, with the
/// Syntetos–Boylan correction).
///
/// A day is learned once it is over (once an event of the item is stamped on a later day); days
/// without events count as zero. A day the item spent out of stock and sold less than expected
/// is censored demand, not low demand, and is skipped.
public struct DemandEstimate: Sendable, Hashable {
    /// The weight of the newest day (α).
    public static let smoothing = 0.15
    /// An item whose days without sales exceed this share is intermittent (Croston's estimate).
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
    /// Croston: weighted mean units on a day with sales, and days between such days.
    public internal(set) var demandSize: Double?
    public internal(set) var demandInterval: Double?
    /// Whole days since the last day with sales.
    public internal(set) var daysSinceDemand: Int64 = 0
    /// Whole days learned, and how many of them had no sales.
    public internal(set) var daysLearned: Int64 = 0
    public internal(set) var zeroDays: Int64 = 0
    /// The weight of the days behind ``level`` (Σ (1 − α)^age over the days learned): how many
    /// days of evidence the estimate rests on.
    public internal(set) var evidenceDays: Double = 0

    /// An estimate that has seen nothing.
    public init() {}

    /// Whether Croston's estimate is used (enough whole days, and many without sales).
    public var isIntermittent: Bool {
        daysLearned >= 4 && Double(zeroDays) > Self.intermittentShare * Double(daysLearned)
    }

    /// Forecast units per day (nil before the first whole day).
    public var dailyDemand: Double? {
        guard let level else { return nil }
        if isIntermittent, let demandSize, let demandInterval, demandInterval > 0 {
            return demandSize / demandInterval * (1 - Self.smoothing / 2)
        }
        return level
    }

    /// A Gamma distribution over the daily rate: a weak prior (``priorUnits`` over
    /// ``priorDays``) updated with the weighted units and days behind ``level``. Its shape and rate
    /// make the risk of running out honest about how little a slow seller's history says.
    public var rateDistribution: (shape: Double, rate: Double) {
        let days = evidenceDays
        return (Self.priorUnits + (level ?? 0) * days, Self.priorDays + days)
    }

    /// The prior: half a unit a day, worth one day of evidence.
    public static let priorUnits = 0.5
    public static let priorDays = 1.0

    /// Standard deviation of units per day.
    public var dailyDeviation: Double { variance.squareRoot() }

    /// The method behind ``dailyDemand``: `ewma` or `croston`.
    public var method: String { isIntermittent ? "croston" : "ewma" }

    /// Adds `units` sold on `day`; a sale stamped on a day already learned only counts in stock.
    mutating func addSale(units: Int64, day saleDay: Int64) {
        advance(to: saleDay)
        if saleDay == day { dayUnits += units }
    }

    /// Learns every whole day before `newDay`; days in `closedDays` (days since 1970 on which
    /// the store was closed) are not demand and are skipped.
    mutating func advance(to newDay: Int64, closedDays: Set<Int64> = []) {
        guard let current = day else {
            day = newDay
            return
        }
        guard newDay > current else { return }
        if !closedDays.contains(current) { learn(units: dayUnits, censored: dayStockedOut) }
        // Days without events: zero demand, or censored when the item stayed out of stock.
        let emptyDays = newDay - current - 1
        if emptyDays > 0 {
            for offset in 1...min(emptyDays, 366) where !closedDays.contains(current + offset) {
                learn(units: 0, censored: stockedOutAtClose)
            }
        }
        day = newDay
        dayUnits = 0
        dayStockedOut = stockedOutAtClose
    }

    /// Whether the item was out of stock when the day being accumulated ended; set by the owner.
    var stockedOutAtClose = false

    private mutating func learn(units: Int64, censored: Bool) {
        let value = Double(units)
        let alpha = Self.smoothing
        if censored, let expected = dailyDemand, value < expected { return }
        daysLearned += 1
        daysSinceDemand += 1
        if units == 0 { zeroDays += 1 }
        evidenceDays = (1 - alpha) * evidenceDays + 1
        if let level {
            let error = value - level
            self.level = level + alpha * error
            variance = (1 - alpha) * (variance + alpha * error * error)
        } else {
            level = value
            variance = max(value, 1)
        }
        if units > 0 {
            if let demandSize, let demandInterval {
                self.demandSize = demandSize + alpha * (value - demandSize)
                self.demandInterval = demandInterval + alpha * (Double(daysSinceDemand) - demandInterval)
            } else {
                demandSize = value
                demandInterval = Double(daysSinceDemand)
            }
            daysSinceDemand = 0
        }
    }
}
