/// The `model` policy: each store orders what gold's order proposal says, computed by the same
/// code gold runs — an ``ItemStockModel`` per store × product fed the events the stores send,
/// what the categories share (``CategoryDemand``, refreshed once a day), the orders placed and
/// not seen delivered (``OpenOrders``), the recent deliveries (how old perishable units are),
/// and ``OrderProposal``.
public struct ModelOrdering: OrderingPolicy {
    /// `model`.
    public let name = "model"
    private var models: [[ItemStockModel]]
    private var books: [[OpenOrders]]
    private var deliveries: [[RecentDeliveries]]
    private let policies: [ReplenishmentPolicy]
    private let catalog: StoreCatalog
    private let closedDays: Set<Int64>
    /// Per product: the chain's calendar and promotion plan, with its category's learned demand.
    private var days: [DemandDays]
    /// Units sold per category and day (days since 1970), for the categories' weekday profiles.
    private var categoryTotals: [String: [Int64: Double]] = [:]
    private var learnedDay: Int64?
    /// Every risk the model stated at a review, to judge against what happened.
    public private(set) var predictions: [RiskPrediction] = []
    /// Whether ``predictions`` are kept (for the evaluation).
    public var keepsPredictions = false
    /// Alerts that need a person, opened since the policy began deciding, by kind.
    public private(set) var alertsOpened: [StockAlertKind: Int] = [:]
    /// Reviews at which a store's mark-down list gained items (``StockAlertKind/perishableOverstock``
    /// opened): what a store sees of those alerts, one list a day.
    public private(set) var markDownLists = 0
    /// Per store × product: the open alerts and the risk stated at the last review.
    private var alerts: [[ItemAlerts]]
    private var deciding = false

    /// The policy for `calendar`'s chain, whose first day starts at `startMicros`;
    /// `serviceLevel` overrides the categories' service levels.
    public init(calendar: DemandCalendar, startMicros: Int64, serviceLevel: Double? = nil) {
        let catalog = calendar.catalog
        self.catalog = catalog
        models = catalog.stores.map { _ in Array(repeating: ItemStockModel(), count: catalog.products.count) }
        books = catalog.stores.map { _ in Array(repeating: OpenOrders(), count: catalog.products.count) }
        deliveries = catalog.stores.map { _ in Array(repeating: RecentDeliveries(), count: catalog.products.count) }
        alerts = catalog.stores.map { _ in Array(repeating: ItemAlerts(), count: catalog.products.count) }
        policies = catalog.products.map { ReplenishmentPolicy.simulated($0, serviceLevel: serviceLevel) }
        let first = EventTimestamp.floorDivide(startMicros, ItemStockModel.dayMicros)
        let closed = Set(calendar.closedDays.map { first + Int64($0) })
        closedDays = closed
        days = calendar.promotions.map { promotions in
            var discounts: [Int64: Double] = [:]
            for promotion in promotions {
                for day in promotion.days { discounts[first + Int64(day)] = promotion.discount }
            }
            return DemandDays(closed: closed, discounts: discounts).with(.unknown)
        }
    }

    /// Applies one event to the item's stock model and alerts, as gold does: a delivery closes
    /// the oldest open order and joins the recent deliveries, a sale counts in its category's
    /// day; the day's first event first refreshes what the categories share.
    public mutating func observe(store: Int, product: Int, movement: StockMovement) {
        let day = EventTimestamp.floorDivide(movement.time, ItemStockModel.dayMicros)
        // The first event of a day: what the categories share, from the days before (as gold).
        if learnedDay.map({ day > $0 }) ?? true {
            learnedDay = day
            learnCategories(through: day - 1)
        }
        models[store][product].apply(movement, calendar: days[product])
        count(
            alerts[store][product].afterEvent(
                model: models[store][product], openOrders: books[store][product], policy: policies[product], day: day,
                calendar: days[product]))
        switch movement.kind {
        case .sale:
            categoryTotals[catalog.products[product].category, default: [:]][day, default: 0] +=
                Double(movement.quantity)
        case .restock:
            books[store][product].receive()
            deliveries[store][product].add(
                day: day, units: movement.quantity, keepDays: Int64(catalog.products[product].shelfLifeDays ?? 0))
        case .stockCount: break
        }
    }

    /// Books each product's ordered units as an open order of the review's day (UTC), so that
    /// the next plans count them as on the way until a delivery closes them.
    public mutating func placed(store: Int, time: Int64, units: [Int]) {
        let day = EventTimestamp.floorDivide(time, ItemStockModel.dayMicros)
        for (index, count) in units.enumerated() where count > 0 {
            books[store][index].place(units: Int64(count), day: day)
        }
    }

    /// The model's forecast for one store × product for the `days` days after `day` (days since
    /// 1970), made from the days up to and including `day` (learned as if it were over), and
    /// the variance of a day's units; nil before anything is learned.
    public func forecast(store: Int, product: Int, after day: Int64, days count: Int) -> (
        daily: [Double], dailyVariance: Double
    )? {
        var demand = models[store][product].demand
        demand.advance(to: day + 1, calendar: days[product])
        return OrderProposal.forecast(demand, days: days[product], after: day, count: count, sizedOn: count)
    }

    /// Counts the alerts opened once the policy decides (not while it only watches a warm-up);
    /// returns whether one was a mark-down.
    @discardableResult
    private mutating func count(_ changes: [ItemAlerts.Change]) -> Bool {
        guard deciding else { return false }
        for change in changes where change.opened { alertsOpened[change.kind, default: 0] += 1 }
        return changes.contains { $0.opened && $0.kind == .perishableOverstock }
    }

    /// Each product's quantity from ``OrderProposal`` (0 where it plans none, or while the stock
    /// or demand is unknown), after giving up open orders overdue by ``OpenOrders/giveUpDays``;
    /// also raises and counts the review's alerts and, with ``keepsPredictions``, keeps each risk.
    public mutating func orders(_ context: ReviewContext) -> [Int] {
        deciding = true
        let day = EventTimestamp.floorDivide(context.time, ItemStockModel.dayMicros)
        var listed = false
        let quantities = catalog.products.indices.map { index in
            let policy = policies[index]
            books[context.store][index].expire(day: day, leadTimeDays: policy.leadTimeDays)
            let product = catalog.products[index]
            let plan = OrderProposal.plan(
                model: models[context.store][index], openOrders: books[context.store][index],
                deliveries: deliveries[context.store][index], days: days[index], policy: policy,
                caseSize: Int64(product.caseSize), shelfLifeDays: product.shelfLifeDays, today: day)
            let changes = alerts[context.store][index].atReview(
                ReviewFigures(plan: plan), day: day, onHand: models[context.store][index].onHand,
                caseSize: Int64(product.caseSize), shelfLifeDays: product.shelfLifeDays)
            if count(changes) { listed = true }
            if keepsPredictions, let plan, plan.deliveryComing, models[context.store][index].onHand > 0 {
                predictions.append(
                    RiskPrediction(
                        store: context.store, product: index, time: context.time, probability: plan.stockoutRisk,
                        days: plan.riskUntilDay))
            }
            return Int(plan?.quantity ?? 0)
        }
        if listed { markDownLists += 1 }
        return quantities
    }

    /// Once a day, at its first event, as gold does: what each category shares, from the days
    /// before.
    private mutating func learnCategories(through day: Int64) {
        var estimates: [String: [DemandEstimate]] = [:]
        for row in models {
            for (index, model) in row.enumerated() {
                estimates[catalog.products[index].category, default: []].append(model.demand)
            }
        }
        var learned: [String: CategoryDemand] = [:]
        for (category, items) in estimates {
            learned[category] = CategoryDemand.learn(
                totals: categoryTotals[category] ?? [:], closed: closedDays, through: day, estimates: items)
        }
        for index in days.indices {
            days[index] = days[index].with(learned[catalog.products[index].category] ?? .unknown)
        }
    }
}

/// The `oracle` policy: the same ``OrderPlan`` fed what no store knows — the true mean demand of
/// each coming day (weekday, promotion and holiday included), its true variance, the true stock
/// on the shelf and when each delivery is due. Its outcomes are the bound the model is measured
/// against.
public struct OracleOrdering: OrderingPolicy {
    /// `oracle`.
    public let name = "oracle"
    private let policies: [ReplenishmentPolicy]

    /// Variance of a day's units per unit of mean: baskets arrive as a Poisson process and a
    /// line holds 1 + a geometric number of units (mean 1.6), so Var = E[U²] ÷ E[U] × mean.
    public static let varianceToMean = 3.52 / 1.6

    /// The oracle for `catalog`'s products, each with its category's policy
    /// (``ReplenishmentPolicy/simulated(_:serviceLevel:)``); `serviceLevel` (a fraction) overrides
    /// the categories' service levels.
    public init(catalog: StoreCatalog, serviceLevel: Double? = nil) {
        policies = catalog.products.map { ReplenishmentPolicy.simulated($0, serviceLevel: serviceLevel) }
    }

    /// Each product's quantity from ``OrderPlan``, fed the true lots, arrivals and daily mean
    /// demand from ``ReviewContext``.
    public mutating func orders(_ context: ReviewContext) -> [Int] {
        let closed = context.closedDays()
        return context.catalog.products.enumerated().map { index, product in
            let policy = policies[index]
            let horizon = Int(policy.leadTimeDays) + Int(policy.reviewPeriodDays) + (product.shelfLifeDays ?? 0) + 3
            let forecast = (1...horizon).map {
                context.calendar.rate(store: context.store, product: index, day: context.day + $0)
            }
            let days = max(Int(policy.leadTimeDays + policy.reviewPeriodDays), 1)
            let mean = forecast.prefix(days).reduce(0, +) / Double(days)
            let plan = OrderPlan.plan(
                OrderPlan.Input(
                    lots: context.lots[index], arrivals: context.arrivals[index], forecast: forecast,
                    dailyVariance: Self.varianceToMean * mean, policy: policy, caseSize: Int64(product.caseSize),
                    shelfLifeDays: product.shelfLifeDays, closedDays: closed, dispersion: Self.varianceToMean))
            return Int(plan.quantity)
        }
    }
}

/// A risk the model stated: at the review at `time`, the probability that the shelf of one store
/// × product runs empty before its next delivery.
public struct RiskPrediction: Sendable, Hashable {
    /// The store's index in the catalog.
    public var store: Int
    /// The product's index in the catalog.
    public var product: Int
    /// The review's moment, microseconds since 1970 UTC.
    public var time: Int64
    /// The stated risk of an empty shelf before the delivery, from 0 to 1.
    public var probability: Double
    /// Days from the review to the morning the delivery is due.
    public var days: Int
}

extension ReplenishmentPolicy {
    /// The policy of a simulated product: its category's, with the product's own lead time and,
    /// when given, another service level.
    public static func simulated(_ product: Product, serviceLevel: Double? = nil) -> ReplenishmentPolicy {
        var policy = defaultPolicy(category: product.category)
        policy.leadTimeDays = Double(product.leadTimeDays)
        if let serviceLevel { policy.serviceLevel = serviceLevel }
        return policy
    }
}
