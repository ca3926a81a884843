/// What a store knows at its evening review, when it decides what to order.
public struct ReviewContext: Sendable {
    /// The store reviewing: its index in ``StoreCatalog/stores``.
    public var store: Int
    /// The day of the review: its index from the simulation's start (0 = the first day).
    public var day: Int
    /// The moment of the review, microseconds since 1970 UTC.
    public var time: Int64
    /// Units on the shelf now, by product (what the staff see).
    public var onHand: [Int]
    /// Units ordered and not yet delivered, by product.
    public var onOrder: [Int]
    /// The chain's calendar (closed days, planned promotions) and its products.
    public var calendar: DemandCalendar
    /// What no store system knows exactly, for the `oracle`: each product's units on the shelf
    /// by the last day they can be sold (in days from today), indexed like the catalog.
    public var lots: [[OrderPlan.Lot]]
    /// Also for the `oracle` only: each product's deliveries on the way by the day they are due
    /// (on time, in days from today), indexed like the catalog.
    public var arrivals: [[OrderPlan.Arrival]]

    /// Days from today on which the stores are closed (within `horizon` days).
    public func closedDays(within horizon: Int = 21) -> Set<Int> {
        Set((1...horizon).filter { calendar.isClosed(day + $0) })
    }

    /// The chain's stores and products, from ``calendar``.
    public var catalog: StoreCatalog { calendar.catalog }
}

/// How a simulated store decides what to order: a pluggable part of ``StoreSimulator``.
///
/// The simulator calls ``observe(store:product:movement:)`` with every event the stores send
/// (sales, deliveries, counts, in time order, as the pipeline would receive them cleaned), then
/// ``orders(_:)`` at each store's evening review. Orders are rounded up to whole cases by the
/// simulator and arrive after the product's lead time, sometimes a day late, sometimes short.
public protocol OrderingPolicy: Sendable {
    /// The name reports use (`naive`, `seed-rule`, `model`, `oracle`).
    var name: String { get }
    /// Sees one event of a store × product.
    mutating func observe(store: Int, product: Int, movement: StockMovement)
    /// The units to order of each product of the store (0 for none), indexed like the catalog.
    mutating func orders(_ context: ReviewContext) -> [Int]
    /// What the store did order at the review at `time` (whole cases), whoever decided: the
    /// policy's own orders, or the stores' during a warm-up.
    mutating func placed(store: Int, time: Int64, units: [Int])
}

extension OrderingPolicy {
    /// Ignores the event: a policy that learns nothing from the stores' events.
    public mutating func observe(store: Int, product: Int, movement: StockMovement) {}
    /// Ignores what was ordered: a policy that tracks no orders of its own.
    public mutating func placed(store: Int, time: Int64, units: [Int]) {}
}

/// Today's store policy: each store believes its demand to be the true mean misjudged by up to
/// ±30 % (fixed per item), and orders up to 7 days beyond the lead time once stock on hand plus
/// on order falls to 1.1 × the believed demand over the lead time plus a day. It knows nothing of
/// weekdays or promotions.
public struct NaiveOrdering: OrderingPolicy {
    /// `naive`.
    public let name = "naive"
    private var believed: [[Double]]

    /// The policy for `catalog`, with misjudgements drawn from `seed`.
    public init(catalog: StoreCatalog, seed: UInt64) {
        var random = SeededRandom(seed: seed, stream: 7)
        believed = catalog.stores.indices.map { store in
            catalog.products.indices.map { catalog.dailyDemand(store: store, product: $0) * random.uniform(0.7...1.3) }
        }
    }

    /// For each product whose stock on hand plus on order is at or below 1.1 × the believed
    /// demand over the lead time plus a day, the units that bring it to the lead time plus 7
    /// days of believed demand; 0 for the others.
    public mutating func orders(_ context: ReviewContext) -> [Int] {
        context.catalog.products.enumerated().map { index, product in
            let rate = believed[context.store][index]
            let cover = Double(product.leadTimeDays + 1)
            let position = Double(context.onHand[index] + context.onOrder[index])
            guard position <= rate * cover * 1.1 else { return 0 }
            return max(0, Int((rate * (cover + 6) - position).rounded(.up)))
        }
    }
}

/// The original project's rule: an item is low when on hand is at most 5 units, whatever it
/// sells. Its quantity rule (the original had none; this is the simplest a store would apply):
/// when low and nothing is on order, order up to 20 units (in whole cases).
public struct SeedRuleOrdering: OrderingPolicy {
    /// `seed-rule`.
    public let name = "seed-rule"
    /// The original's low-stock threshold: an item with at most 5 units on hand is low.
    public static let threshold = 5
    /// The units on hand an order brings a low item back to: 20 (at least 1 unit is ordered).
    public static let orderUpTo = 20

    /// The rule; it has no settings and learns nothing.
    public init() {}

    /// For each product with at most ``threshold`` units on hand and nothing on order, the units
    /// up to ``orderUpTo``; 0 for the others.
    public mutating func orders(_ context: ReviewContext) -> [Int] {
        context.catalog.products.indices.map { index in
            guard context.onHand[index] <= Self.threshold, context.onOrder[index] == 0 else { return 0 }
            return max(1, Self.orderUpTo - context.onHand[index])
        }
    }
}
