/// What drives a simulated chain's true demand day by day: each product's mean demand in each
/// store, a weekly shape per category, chain-wide promotions (a price cut with a demand lift,
/// visible in the sales' `unit_price`) and holidays with every store closed.
///
/// Deterministic from the configuration's seed, and independent of how the stores replenish:
/// every ordering policy faces the same calendar.
public struct DemandCalendar: Sendable {
    /// A price cut on one product for some days, chain-wide.
    public struct Promotion: Sendable, Hashable {
        /// The first and last day (indices from the simulation's start).
        public var days: ClosedRange<Int>
        /// The share taken off the price (0.15 to 0.35).
        public var discount: Double
        /// How many times the usual demand customers buy meanwhile.
        public var lift: Double
    }

    /// The stores and products whose demand the calendar drives.
    public let catalog: StoreCatalog
    /// Days (from the start) on which every store stays closed.
    public let closedDays: Set<Int>
    /// The promotions of each product, in day order.
    public let promotions: [[Promotion]]
    private let startWeekday: Int
    private let profiles: [[Double]]

    /// The share of products on promotion in a given week.
    public static let promotionShare = 0.05

    /// The calendar of `configuration` for `catalog`.
    public init(catalog: StoreCatalog, configuration: SimulationConfiguration) {
        self.catalog = catalog
        closedDays = Set(configuration.closedDays.filter { $0 >= 0 && $0 < configuration.days })
        let epochDay = EventTimestamp.floorDivide(configuration.startMicros, 86_400_000_000)
        startWeekday = Int(((epochDay + 3) % 7 + 7) % 7)
        profiles = catalog.products.map { StoreCatalog.weekdayProfile(category: $0.category) }
        var random = SeededRandom(seed: configuration.seed, stream: 6)
        let weeks = (configuration.days + 6) / 7
        promotions = catalog.products.map { _ in
            var list: [Promotion] = []
            for week in 0..<weeks {
                // Always draw the same numbers, so that promotions do not depend on the length.
                let chosen = random.chance(configuration.promotions ? Self.promotionShare : 0)
                let discount = random.uniform(0.15...0.35)
                let elasticity = random.uniform(3...5)
                guard chosen else { continue }
                list.append(
                    Promotion(days: (week * 7)...(week * 7 + 6), discount: discount, lift: 1 + discount * elasticity))
            }
            return list
        }
    }

    /// The weekday of `day` (0 = Monday).
    public func weekday(_ day: Int) -> Int { (startWeekday + day) % 7 }

    /// Whether the stores are closed on `day`.
    public func isClosed(_ day: Int) -> Bool { closedDays.contains(day) }

    /// The promotion of `product` running on `day`, if any.
    public func promotion(product: Int, day: Int) -> Promotion? {
        promotions[product].first { $0.days.contains(day) }
    }

    /// The shelf price of `product` on `day`, in cents.
    public func priceCents(product: Int, day: Int) -> Int64 {
        let regular = catalog.products[product].unitPriceCents
        guard let promotion = promotion(product: product, day: day) else { return regular }
        return max(1, Int64((Double(regular) * (1 - promotion.discount)).rounded()))
    }

    /// The true mean demand of `product` in `store` on `day`, in units: the catalog's mean, shaped
    /// by the category's weekday profile and lifted by a promotion; 0 on a closed day.
    public func rate(store: Int, product: Int, day: Int) -> Double {
        guard !isClosed(day) else { return 0 }
        let lift = promotion(product: product, day: day)?.lift ?? 1
        return catalog.dailyDemand(store: store, product: product) * profiles[product][weekday(day)] * lift
    }
}
