/// The `model` policy: each store orders what gold's order proposal says, computed by the same
/// code gold runs — an ``ItemStockModel`` per store × product fed the events the stores send,
/// the orders gold proposed and has not seen delivered (``OpenOrders``), the deliveries of the
/// last days (which say how old the perishable units on hand are), and ``OrderPlan``.
public struct ModelOrdering: OrderingPolicy {
    public let name = "model"
    private var models: [[ItemStockModel]]
    private var books: [[OpenOrders]]
    private var deliveries: [[RecentDeliveries]]
    private let policies: [ReplenishmentPolicy]
    private let catalog: StoreCatalog
    private let closedDays: Set<Int64>

    /// The policy for `calendar`'s chain; `serviceLevel` overrides the categories' service levels.
    public init(calendar: DemandCalendar, startMicros: Int64, serviceLevel: Double? = nil) {
        let catalog = calendar.catalog
        self.catalog = catalog
        models = catalog.stores.map { _ in Array(repeating: ItemStockModel(), count: catalog.products.count) }
        books = catalog.stores.map { _ in Array(repeating: OpenOrders(), count: catalog.products.count) }
        deliveries = catalog.stores.map { _ in Array(repeating: RecentDeliveries(), count: catalog.products.count) }
        policies = catalog.products.map { product in
            var policy = ReplenishmentPolicy.defaultPolicy(category: product.category)
            policy.leadTimeDays = Double(product.leadTimeDays)
            if let serviceLevel { policy.serviceLevel = serviceLevel }
            return policy
        }
        let first = EventTimestamp.floorDivide(startMicros, ItemStockModel.dayMicros)
        closedDays = Set(calendar.closedDays.map { first + Int64($0) })
    }

    public mutating func observe(store: Int, product: Int, movement: StockMovement) {
        _ = models[store][product].apply(movement, policy: policies[product], closedDays: closedDays)
        if movement.kind == .restock {
            books[store][product].receive()
            deliveries[store][product].add(
                day: EventTimestamp.floorDivide(movement.time, ItemStockModel.dayMicros), units: movement.quantity,
                keepDays: Int64(catalog.products[product].shelfLifeDays ?? 0))
        }
    }

    public mutating func orders(_ context: ReviewContext) -> [Int] {
        let day = EventTimestamp.floorDivide(context.time, ItemStockModel.dayMicros)
        let closed = Set(closedDays.map { Int($0 - day) }.filter { $0 > 0 })
        return catalog.products.indices.map { index in
            let policy = policies[index]
            books[context.store][index].expire(day: day, leadTimeDays: policy.leadTimeDays)
            let model = models[context.store][index]
            guard model.lastCountTime != nil, let rate = model.demand.dailyDemand else { return 0 }
            let product = catalog.products[index]
            let plan = OrderPlan.plan(
                OrderPlan.Input(
                    lots: deliveries[context.store][index].lots(
                        onHand: model.onHand, today: day, shelfLifeDays: product.shelfLifeDays),
                    arrivals: books[context.store][index].arrivals(
                        today: day, leadTimeDays: policy.leadTimeDays, closedDays: closed),
                    forecast: [rate], dailyVariance: max(model.demand.variance, rate), policy: policy,
                    caseSize: Int64(product.caseSize), shelfLifeDays: product.shelfLifeDays, closedDays: closed))
            books[context.store][index].place(units: plan.quantity, day: day)
            return Int(plan.quantity)
        }
    }
}

/// The `oracle` policy: the same ``OrderPlan`` fed what no store knows — the true mean demand of
/// each coming day (weekday, promotion and holiday included), its true variance, the true stock
/// on the shelf and when each delivery is due. Its outcomes are the bound the model is measured
/// against.
public struct OracleOrdering: OrderingPolicy {
    public let name = "oracle"
    private let policies: [ReplenishmentPolicy]

    /// Variance of a day's units per unit of mean: baskets arrive as a Poisson process and a
    /// line holds 1 + a geometric number of units (mean 1.6), so Var = E[U²] ÷ E[U] × mean.
    public static let varianceToMean = 3.52 / 1.6

    public init(catalog: StoreCatalog, serviceLevel: Double? = nil) {
        policies = catalog.products.map { product in
            var policy = ReplenishmentPolicy.defaultPolicy(category: product.category)
            policy.leadTimeDays = Double(product.leadTimeDays)
            if let serviceLevel { policy.serviceLevel = serviceLevel }
            return policy
        }
    }

    public mutating func orders(_ context: ReviewContext) -> [Int] {
        let closed = context.closedDays()
        return context.catalog.products.enumerated().map { index, product in
            let policy = policies[index]
            let horizon = Int(policy.leadTimeDays) + Int(policy.reviewPeriodDays) + (product.shelfLifeDays ?? 0) + 3
            let forecast = (1...horizon).map {
                context.calendar.rate(store: context.store, product: index, day: context.day + $0)
            }
            let days = Int(policy.leadTimeDays + policy.reviewPeriodDays)
            let mean = forecast.prefix(days).reduce(0, +) / Double(days)
            let plan = OrderPlan.plan(
                OrderPlan.Input(
                    lots: context.lots[index], arrivals: context.arrivals[index], forecast: forecast,
                    dailyVariance: Self.varianceToMean * mean, policy: policy, caseSize: Int64(product.caseSize),
                    shelfLifeDays: product.shelfLifeDays, closedDays: closed))
            return Int(plan.quantity)
        }
    }
}
