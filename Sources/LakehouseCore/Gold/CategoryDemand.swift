/// What the stock model learns across the items of a category, refreshed once a day: far
/// steadier than any one item's own few weeks.
public struct CategoryDemand: Sendable, Hashable {
    /// The weekday factors, Monday first (mean 1).
    public var weekdayFactors: [Double]
    /// Variance ÷ mean of one day's units, pooled over the items (at least 1, Poisson).
    public var dispersion: Double
    /// Demand on promotion is 1 + elasticity × discount times the usual.
    public var elasticity: Double

    /// A category's learned figures, as gold reads them back from `category_demand`.
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

    /// What a category's items' estimates add up to: their promotion evidence, and the variance
    /// and level of those with ``CategoryDemand/dispersionDays`` whole days learned.
    public struct Pool: Sendable, Hashable {
        /// The items' ``DemandEstimate/liftGain`` summed: units above the usual on promotion days.
        public var liftGain = 0.0
        /// The items' ``DemandEstimate/liftDiscount`` summed: expected units × discount on promotion days.
        public var liftDiscount = 0.0
        /// The daily variances of the items with ``CategoryDemand/dispersionDays`` whole days learned, summed.
        public var variance = 0.0
        /// The daily levels (mean units a day) of the same items, summed.
        public var level = 0.0

        /// A pool of already summed figures (gold sums them in SQL); the defaults are an empty pool.
        public init(liftGain: Double = 0, liftDiscount: Double = 0, variance: Double = 0, level: Double = 0) {
            self.liftGain = liftGain
            self.liftDiscount = liftDiscount
            self.variance = variance
            self.level = level
        }

        /// Adds one item's estimate.
        public mutating func add(_ estimate: DemandEstimate) {
            liftGain += estimate.liftGain
            liftDiscount += estimate.liftDiscount
            guard estimate.daysLearned >= CategoryDemand.dispersionDays, let mean = estimate.level else { return }
            variance += estimate.variance
            level += mean
        }
    }

    /// Learns a category from its daily units (days since 1970 → units, the chain's sales of the
    /// category), the days the stores were closed, the last whole day, and its items' estimates.
    public static func learn<Items: Sequence<DemandEstimate>>(
        totals: [Int64: Double], closed: Set<Int64>, through day: Int64, estimates: Items
    ) -> CategoryDemand {
        var pool = Pool()
        for estimate in estimates { pool.add(estimate) }
        return learn(totals: totals, closed: closed, through: day, pool: pool)
    }

    /// Learns a category from its daily units and its items' estimates added up (gold sums
    /// them in SQL).
    public static func learn(totals: [Int64: Double], closed: Set<Int64>, through day: Int64, pool: Pool)
        -> CategoryDemand
    {
        let weight = DemandEstimate.elasticityPriorWeight
        let gain = DemandEstimate.elasticityPrior * weight + pool.liftGain
        let discount = weight + pool.liftDiscount
        let ratio = pool.variance / pool.level
        return CategoryDemand(
            weekdayFactors: WeekdayProfile.factors(totals: totals, closed: closed, through: day),
            dispersion: pool.level > 0 && ratio.isFinite ? max(ratio, 1) : 1,
            elasticity: (gain / discount).isFinite ? max(0, gain / discount) : DemandEstimate.elasticityPrior)
    }
}
