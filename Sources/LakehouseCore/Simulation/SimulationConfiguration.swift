/// What to simulate: a chain of stores over days, and how dirty its data is.
public struct SimulationConfiguration: Sendable, Hashable {
    /// Stores in the chain (default 10).
    public var stores = 10
    /// Products in the assortment (default 200).
    public var products = 200
    /// Simulated days (default 14).
    public var days = 14
    /// The seed: the same seed and settings give the same records (default 1).
    public var seed: UInt64 = 1
    /// Midnight UTC of the first day, in microseconds since 1970 (default Monday 2026-01-05).
    public var startMicros: Int64 = 1_767_571_200_000_000
    /// The share of records that are dirty, one kind per record, spread evenly over
    /// ``RecordKind/dirtyKinds`` (default 0).
    public var dirtyRate = 0.0
    /// The hour (UTC) at which stores open (default 7).
    public var openingHour = 7
    /// The hour (UTC) at which stores close (default 22); customers come between the two hours.
    public var closingHour = 22
    /// Days (from 0) on which every store stays closed: a holiday. Default: day 10 (Thursday
    /// 2026-01-15 from the default start), so that any run of 11 days or more has one.
    public var closedDays: [Int] = [10]
    /// Whether chain-wide promotions run (5 % of products a week, 15 % to 35 % off; default on).
    public var promotions = true
    /// Whether the stores count their perishable products every evening before the review
    /// (default on): that count is how waste reaches the pipeline.
    public var freshCounts = true
    /// Days at the start during which the stores order as they always did (``NaiveOrdering``)
    /// while the policy under test only watches the events, as a chain adopting a new policy
    /// has history; the outcome counts only the days after (default 0).
    public var warmUpDays = 0
    /// Multiplies every product's mean demand (default 1: from 0.2 to 40 units a day). A chain
    /// of 100 stores × 5,000 products at 0.05 sends about as many events per item as a real
    /// one: fewer baskets per product, not more per store.
    public var demandScale = 1.0
    /// Whether records (and the truth's stock trajectory) are produced (default on). Off, only
    /// the outcome is kept: evaluating ordering policies needs no records.
    public var emitsRecords = true

    /// The defaults.
    public init() {}

    /// Microseconds of [from, to) that fall in the stores' open hours (closed days have none).
    public func openMicros(from: Int64, to: Int64) -> Int64 {
        guard to > from else { return 0 }
        let day = StoreSimulator.dayMicros
        let hour = StoreSimulator.hour
        var total: Int64 = 0
        let first = EventTimestamp.floorDivide(from - startMicros, day)
        let last = EventTimestamp.floorDivide(to - 1 - startMicros, day)
        for index in max(first, 0)...max(last, 0) where !closedDays.contains(Int(index)) {
            let midnight = startMicros + index * day
            total += max(
                0, min(to, midnight + Int64(closingHour) * hour) - max(from, midnight + Int64(openingHour) * hour))
        }
        return total
    }

    /// A chain of `stores` × `products` over `days`, the rest as by default.
    public init(stores: Int, products: Int, days: Int, seed: UInt64 = 1, dirtyRate: Double = 0) {
        self.stores = stores
        self.products = products
        self.days = days
        self.seed = seed
        self.dirtyRate = dirtyRate
    }
}
