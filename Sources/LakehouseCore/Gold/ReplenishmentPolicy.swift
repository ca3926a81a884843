import Foundation

/// How one store × product is replenished: what the stock model needs to turn a demand forecast
/// into safety stock, a reorder point, an order quantity and alerts.
///
/// In PostgreSQL these come from `replenishment_policy`: a row for the whole chain, rows per
/// category, and overrides per product and per product in one store; the most specific row wins.
public struct ReplenishmentPolicy: Sendable, Hashable {
    /// Days from placing an order to the delivery (L).
    public var leadTimeDays: Double
    /// The share of replenishment cycles that should not run out (0.5 up to, not including, 1).
    public var serviceLevel: Double
    /// Days between two orders (R); an order covers the lead time plus this.
    public var reviewPeriodDays: Double
    /// More days of cover than this is `OVERSTOCK`.
    public var maxDaysOfCover: Double

    /// A policy.
    public init(leadTimeDays: Double, serviceLevel: Double, reviewPeriodDays: Double, maxDaysOfCover: Double) {
        self.leadTimeDays = leadTimeDays
        self.serviceLevel = serviceLevel
        self.reviewPeriodDays = reviewPeriodDays
        self.maxDaysOfCover = maxDaysOfCover
    }

    /// The standard normal quantile of ``serviceLevel`` (z: 1.645 at 95 %).
    public var z: Double { Self.normalQuantile(min(max(serviceLevel, 0.5), 0.9999)) }

    /// The policy for the whole chain when nothing more specific is set: a 2-day lead time,
    /// 95 % service, daily review, at most 21 days of cover.
    public static let chainDefault = ReplenishmentPolicy(
        leadTimeDays: 2, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 21)

    /// The default policy of each category of ``StoreCatalog/categories``: fresh food on short
    /// lead times and little cover, dry goods on longer ones (the lead times suppliers quote for
    /// each category; the simulator's deliveries follow the same ranges).
    public static let categoryDefaults: [String: ReplenishmentPolicy] = [
        "DAIRY": .init(leadTimeDays: 2, serviceLevel: 0.97, reviewPeriodDays: 1, maxDaysOfCover: 10),
        "BAKERY": .init(leadTimeDays: 1, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 7),
        "FRUIT": .init(leadTimeDays: 2, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 10),
        "VEGETABLES": .init(leadTimeDays: 2, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 10),
        "MEAT": .init(leadTimeDays: 2, serviceLevel: 0.97, reviewPeriodDays: 1, maxDaysOfCover: 10),
        "FISH": .init(leadTimeDays: 2, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 8),
        "FROZEN": .init(leadTimeDays: 4, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 30),
        "PANTRY": .init(leadTimeDays: 5, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 30),
        "BEVERAGES": .init(leadTimeDays: 4, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 30),
        "HOUSEHOLD": .init(leadTimeDays: 5, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 30),
        "HYGIENE": .init(leadTimeDays: 5, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 30),
        "SNACKS": .init(leadTimeDays: 3, serviceLevel: 0.95, reviewPeriodDays: 1, maxDaysOfCover: 30),
    ]

    /// The default policy of `category` (``chainDefault`` for a category not listed).
    public static func defaultPolicy(category: String) -> ReplenishmentPolicy {
        categoryDefaults[category] ?? chainDefault
    }

    /// The standard normal quantile of `p` in (0, 1) (Acklam's rational approximation, relative
    /// error below 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
