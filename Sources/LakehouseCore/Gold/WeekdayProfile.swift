/// How a category's demand moves over the week, from the chain's daily units of the category:
/// per weekday, the mean units of the open days in the window over the mean of all seven
/// weekdays' means. A category's daily totals are large, so a few weeks give steady factors
/// where one item's own days would not.
public enum WeekdayProfile {
    /// No weekly shape.
    public static let flat = [Double](repeating: 1, count: 7)
    /// The days of history a profile is learned from: 56 (eight weeks).
    public static let windowDays: Int64 = 56
    /// The fewest open days in the window, each weekday seen, before the profile leaves ``flat``: 14.
    public static let minimumDays = 14
    /// Units at the overall mean added to each weekday's.
    public static let priorUnits = 20.0

    /// The factors (Monday first, mean 1) from `totals` (units per day since 1970) over the
    /// ``windowDays`` up to and including `through`, leaving out `closed` days; ``flat`` while
    /// fewer than ``minimumDays`` days, or a weekday, are known.
    public static func factors(totals: [Int64: Double], closed: Set<Int64>, through last: Int64) -> [Double] {
        var sums = [Double](repeating: 0, count: 7)
        var counts = [Double](repeating: 0, count: 7)
        var days = 0
        guard let first = totals.keys.min(), first <= last else { return flat }
        for day in max(first, last - windowDays + 1)...last where !closed.contains(day) {
            let weekday = DemandEstimate.weekday(day)
            sums[weekday] += totals[day] ?? 0
            counts[weekday] += 1
            days += 1
        }
        guard days >= minimumDays, counts.allSatisfy({ $0 > 0 }) else { return flat }
        let daily = sums.reduce(0, +) / counts.reduce(0, +)
        guard daily > 0 else { return flat }
        // Each weekday's mean is shrunk towards the overall one by ``priorUnits`` units of it, so
        // that a category selling a few units a week gets a flat profile, not zeros, while one
        // selling hundreds a day keeps its own.
        let prior = priorUnits / daily
        let means = (0..<7).map { (sums[$0] + prior * daily) / (counts[$0] + prior) }
        let overall = means.reduce(0, +) / 7
        return means.map { min(max($0 / overall, 0.2), 5) }
    }
}
