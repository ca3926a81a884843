/// Simulates a supermarket chain day by day, keeping the ground truth as it goes:
/// - customers: baskets arriving as a Poisson process shaped by hour of day, a weekly shape per
///   category, chain-wide promotions (a price cut with a demand lift) and holidays with the stores
///   closed; a customer who finds an empty shelf buys nothing of it (a lost sale);
/// - shelves: perishable products held in lots that are wasted after their shelf life, and
///   shrinkage that only stock counts reveal (every product on Sundays, perishables every evening);
/// - replenishment: a pluggable ``OrderingPolicy`` decides at each store's evening review; orders
///   arrive after the product's lead time, sometimes a day late, sometimes short;
/// - the records the stores' systems would send, with dirty data mixed in at the configured rate.
///
/// Deterministic, with common random numbers: the same configuration gives the same customers
/// (arrivals, baskets, wanted units), the same shrinkage chances and the same delivery delays
/// whatever the policy does, so that policies are compared on the same demand.
public struct StoreSimulator: Sendable {
    /// The chain's size, span, seed and dirty-record rate the simulator was made with.
    public let configuration: SimulationConfiguration
    /// The stores and products, generated from the configuration's seed.
    public let catalog: StoreCatalog
    /// The demand drivers: weekdays, promotions, holidays.
    public let calendar: DemandCalendar
    /// What really happened so far (the trajectory only when ``SimulationConfiguration/emitsRecords``).
    public private(set) var truth: GroundTruth
    /// The shelves' outcomes so far: availability, lost sales, inventory, waste.
    public private(set) var outcome: SimulationOutcome
    /// Who decides the orders.
    public private(set) var policy: any OrderingPolicy
    /// Who decides during the warm-up: the stores' own practice.
    private var warmUp: NaiveOrdering

    private var random: SeededRandom
    private var stock: [[StockLots]]
    private var onOrder: [[Int]]
    private var pending: [Delivery] = []
    private var day = 0
    /// The day's actions after the review, while a day is between ``beginDay()`` and ``endDay(orders:)``.
    private var rest: [(time: Int64, action: Action)]?
    private var customers: [SeededRandom] = []
    private var pickWeights: [[Double]] = []
    private var recentClean: [SimulatedRecord] = []
    /// For the outcome: when each item's stock last changed, and since when it is empty.
    private var lastChange: [[Int64]]
    /// Units on hand as of `lastChange`.
    private var booked: [[Int]]
    /// Whether the books were closed at the end of the last day.
    private var finished = false
    private var emptySince: [[Int64?]]

    private struct Delivery: Sendable {
        var store: Int
        /// When it comes, and when it was due.
        var arrivalDay: Int
        var dueDay: Int
        var lines: [(product: Int, ordered: Int, delivered: Int)]
    }

    /// An action of the day, processed in time order.
    private enum Action {
        case delivery(Int)
        case basket(store: Int)
        case shrink(store: Int, product: Int)
        case expire
        case count(store: Int, perishableOnly: Bool)
        case review
    }

    /// Mean lines per basket and units per line, which turn demand into basket arrivals.
    static let meanExtraLines = 2.5
    static let meanExtraUnits = 0.6
    /// Relative busyness by hour of day (from opening).
    private static let hourWeights: [Double] = [
        0.4, 0.6, 0.8, 0.9, 1.0, 1.4, 1.5, 1.0, 0.9, 0.9, 1.2, 1.6, 1.7, 1.3, 0.8, 0.5, 0.3,
    ]
    private static let payments = ["CREDIT CARD", "CASH", "APP"]
    private static let clients = ["REGULAR", "PREMIUM", "NEW"]
    /// The chance that a delivery comes a day late: 0.15.
    public static let lateShare = 0.15
    /// The chance that a delivery comes short, bringing 40 % to 90 % of what was ordered: 0.1.
    public static let shortShare = 0.1
    /// The chance that one unit of an item is lost to shrinkage on a day.
    public static let shrinkShare = 0.01

    /// A simulator at the start of its first day, with the stores ordering by `policy` (by
    /// default ``NaiveOrdering``, today's store policy): opening stock of 4 to 9 days of demand
    /// (at most a perishable's shelf life).
    public init(configuration: SimulationConfiguration, policy: (any OrderingPolicy)? = nil) {
        self.configuration = configuration
        let catalog = StoreCatalog(
            stores: configuration.stores, products: configuration.products, seed: configuration.seed,
            demandScale: configuration.demandScale)
        self.catalog = catalog
        calendar = DemandCalendar(catalog: catalog, configuration: configuration)
        warmUp = NaiveOrdering(catalog: catalog, seed: configuration.seed)
        self.policy = policy ?? warmUp
        var random = SeededRandom(seed: configuration.seed, stream: 2)
        stock = catalog.stores.indices.map { store in
            catalog.products.indices.map { index in
                let product = catalog.products[index]
                var days = random.uniform(4...9)
                if let life = product.shelfLifeDays { days = min(days, Double(life)) }
                var lots = StockLots(perishable: product.shelfLifeDays != nil)
                lots.add(
                    Int((catalog.dailyDemand(store: store, product: index) * days).rounded(.up)),
                    lastDay: (product.shelfLifeDays ?? 1) - 1)
                return lots
            }
        }
        onOrder = catalog.stores.indices.map { _ in [Int](repeating: 0, count: catalog.products.count) }
        self.random = random
        truth = GroundTruth(catalog: catalog, start: configuration.startMicros)
        outcome = SimulationOutcome(catalog: catalog)
        lastChange = catalog.stores.map { _ in
            [Int64](repeating: configuration.startMicros, count: catalog.products.count)
        }
        emptySince = stock.map { row in row.map { $0.units == 0 ? configuration.startMicros : nil } }
        booked = stock.map { row in row.map(\.units) }
        guard configuration.emitsRecords else { return }
        for store in catalog.stores.indices {
            for product in catalog.products.indices {
                truth.record(
                    store: store, product: product, at: configuration.startMicros, onHand: stock[store][product].units)
            }
        }
    }

    /// Whether every day has been simulated.
    public var isFinished: Bool { day >= configuration.days }

    /// The day being simulated (or next to be), from 0.
    public var currentDay: Int { day }

    /// The units each store ordered of each product at the last review (whole cases), indexed
    /// by store then product.
    public private(set) var lastOrders: [[Int]] = []

    /// The records of the next day in time order (across stores), or `nil` after the last day;
    /// the policy decides at the evening review.
    public mutating func nextDay() -> [SimulatedRecord]? {
        guard var records = beginDay() else { return nil }
        records += endDay()
        return records
    }

    /// The records of the next day up to the evening review (nil after the last day). Then
    /// ``endDay(orders:)`` holds the review and returns the rest of the day: a producer that lets
    /// the live pipeline decide sends these first, waits for gold, and passes gold's proposal.
    public mutating func beginDay() -> [SimulatedRecord]? {
        guard !isFinished else {
            finish()
            return nil
        }
        if rest != nil { _ = endDay() }
        guard !isFinished else {
            finish()
            return nil
        }
        let midnight = midnight(of: day)
        if day == configuration.warmUpDays && day > 0 { startMeasuring(at: midnight) }
        var actions: [(time: Int64, action: Action)] = []
        let closed = calendar.isClosed(day)
        if closed {
            // Nothing is delivered on a closed day: the trucks come the next morning.
            for index in pending.indices where pending[index].arrivalDay == day { pending[index].arrivalDay += 1 }
        } else {
            outcome.openStoreDays += catalog.stores.count
            if day == 0 {
                for store in catalog.stores.indices {
                    actions.append((midnight + Self.hour * 6, .count(store: store, perishableOnly: false)))
                }
            }
            for (index, delivery) in pending.enumerated() where delivery.arrivalDay == day {
                actions.append((midnight + Self.hour * 6 + Int64(delivery.store) * 60_000_000, .delivery(index)))
            }
        }
        prepareCustomers()
        let weekday = calendar.weekday(day)
        actions.append((midnight + Self.hour * 21, .expire))
        if !closed {
            for store in catalog.stores.indices {
                for time in basketTimes(store: store, midnight: midnight) {
                    actions.append((time, .basket(store: store)))
                }
                var shrink = SeededRandom(seed: configuration.seed, stream: Self.stream(5, store, day))
                for product in catalog.products.indices where shrink.chance(Self.shrinkShare) {
                    actions.append((midnight + Self.hour * 23, .shrink(store: store, product: product)))
                }
                if configuration.freshCounts {
                    actions.append(
                        (midnight + Self.hour * 21 + Self.hour / 4, .count(store: store, perishableOnly: true)))
                }
                if weekday == 6 {
                    actions.append(
                        (midnight + Self.hour * 22 + Self.hour / 2, .count(store: store, perishableOnly: false)))
                }
            }
            actions.append((midnight + Self.hour * 21 + Self.hour / 2, .review))
        }
        actions.sort { $0.time < $1.time }
        let split = actions.firstIndex { if case .review = $0.action { true } else { false } } ?? actions.count
        rest = Array(actions[split...])
        return run(actions[..<split])
    }

    /// Holds the evening review of the day begun by ``beginDay()`` and returns the rest of the
    /// day's records. `orders`, indexed by store then product, replaces the policy's decision
    /// (units, rounded up to whole cases); stores missing from it order nothing.
    public mutating func endDay(orders: [[Int]]? = nil) -> [SimulatedRecord] {
        guard let actions = rest else { return [] }
        rest = nil
        var records: [SimulatedRecord] = []
        for (time, action) in actions {
            if case .review = action {
                review(at: time, orders: orders)
            } else {
                records += run([(time, action)])
            }
        }
        closeDay()
        day += 1
        if isFinished { finish() }
        return records
    }

    static let dayMicros: Int64 = 86_400_000_000
    static let hour: Int64 = 3_600_000_000

    private func midnight(of day: Int) -> Int64 { configuration.startMicros + Int64(day) * Self.dayMicros }

    /// A stream number for one purpose and one (store or item, day): the same whatever happened before.
    static func stream(_ purpose: UInt64, _ subject: Int, _ day: Int) -> UInt64 {
        purpose << 56 ^ UInt64(subject) << 24 ^ UInt64(day)
    }

    private mutating func run(_ actions: ArraySlice<(time: Int64, action: Action)>) -> [SimulatedRecord] {
        var records: [SimulatedRecord] = []
        for (time, action) in actions {
            switch action {
            case .basket(let store): records += basket(store: store, at: time)
            case .delivery(let index): records += deliver(pending[index], at: time)
            case .shrink(let store, let product):
                guard stock[store][product].units > 0 else { continue }
                stock[store][product].take(1)
                changed(store: store, product: product, at: time)
                truth.shrunkUnits += 1
            case .expire: expire(at: time)
            case .count(let store, let perishableOnly):
                records += count(store: store, perishableOnly: perishableOnly, at: time)
            case .review: review(at: time, orders: nil)
            }
        }
        guard configuration.emitsRecords else { return [] }
        return withDirtyRecords(records)
    }

    // MARK: Demand

    /// Today's customers of each store, from a stream of their own, and what they pick from.
    private mutating func prepareCustomers() {
        customers = catalog.stores.indices.map {
            SeededRandom(seed: configuration.seed, stream: Self.stream(3, $0, day))
        }
        pickWeights = catalog.stores.indices.map { store in
            var total = 0.0
            return catalog.products.indices.map { product in
                total += calendar.rate(store: store, product: product, day: day)
                return total
            }
        }
    }

    /// Basket arrival times of one store for one day: a Poisson process whose rate follows the
    /// hour weights, drawn hour by hour (the process is memoryless, so restarting at each hour
    /// is exact).
    private mutating func basketTimes(store: Int, midnight: Int64) -> [Int64] {
        let open = configuration.openingHour
        let hours = max(0, configuration.closingHour - open)
        guard hours > 0 else { return [] }
        let weights = (0..<hours).map { Self.hourWeights[min($0, Self.hourWeights.count - 1)] }
        let total = weights.reduce(0, +)
        let baskets = (pickWeights[store].last ?? 0) / ((1 + Self.meanExtraLines) * (1 + Self.meanExtraUnits))
        var times: [Int64] = []
        for (offset, weight) in weights.enumerated() {
            let perHour = baskets * weight / total
            guard perHour > 0 else { continue }
            var at = customers[store].exponential(rate: perHour)
            while at < 1 {
                times.append(midnight + Int64(open + offset) * Self.hour + Int64(at * Double(Self.hour)))
                at += customers[store].exponential(rate: perHour)
            }
        }
        return times
    }

    /// A basket: a few distinct products picked by demand, a few units each, sold as far as
    /// stock allows (the rest is lost demand).
    private mutating func basket(store: Int, at time: Int64) -> [SimulatedRecord] {
        let lines = min(1 + customers[store].geometric(mean: Self.meanExtraLines), catalog.products.count)
        var picked: [Int] = []
        for _ in 0..<(lines * 3) where picked.count < lines {
            let product = pick(store: store)
            if !picked.contains(product) { picked.append(product) }
        }
        let transaction = nextID(&customers[store])
        let payment = Self.payments[Int(customers[store].next() % 3)]
        let client = Self.clients[Int(customers[store].next() % 3)]
        var records: [SimulatedRecord] = []
        for product in picked {
            let wanted = 1 + customers[store].geometric(mean: Self.meanExtraUnits)
            let sold = stock[store][product].take(wanted)
            let price = calendar.priceCents(product: product, day: day)
            truth.addDemand(store: store, product: product, wanted: wanted, sold: sold, priceCents: price)
            let index = store * catalog.products.count + product
            outcome.items[index].wantedUnits += Int64(wanted)
            outcome.items[index].soldUnits += Int64(sold)
            outcome.items[index].lostValueCents += Int64(wanted - sold) * price
            guard sold > 0 else { continue }
            if outcome.soldDaily.isEmpty {
                outcome.soldDaily = Array(repeating: [], count: catalog.stores.count * catalog.products.count)
            }
            while outcome.soldDaily[index].count <= day { outcome.soldDaily[index].append(0) }
            outcome.soldDaily[index][day] += Int32(sold)
            changed(store: store, product: product, at: time)
            let movement = StockMovement(time: time, kind: .sale, quantity: Int64(sold))
            policy.observe(store: store, product: product, movement: movement)
            guard configuration.emitsRecords else { continue }
            let item = catalog.products[product]
            records.append(
                record(
                    POSEvent(
                        transactionID: transaction, productID: item.id, productName: item.name, category: item.category,
                        quantity: sold, unitPriceCents: price, totalPriceCents: price * Int64(sold),
                        timestamp: EventTimestamp.format(micros: time), storeID: catalog.stores[store].id,
                        paymentMethod: payment, clientType: client, eventType: .sale), kind: .sale, at: time))
        }
        return records
    }

    private mutating func pick(store: Int) -> Int {
        let weights = pickWeights[store]
        let target = customers[store].unit() * (weights.last ?? 0)
        var low = 0
        var high = weights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if weights[middle] <= target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: Replenishment

    /// The evening review: the policy (or `orders`) says what each store orders, in whole cases;
    /// the delivery comes after the lead time, sometimes a day late, and sometimes short. Each
    /// truck brings one store's lines that arrive on one day.
    private mutating func review(at time: Int64, orders given: [[Int]]?) {
        lastOrders = Array(repeating: [], count: catalog.stores.count)
        for store in catalog.stores.indices {
            let units: [Int]
            if let given {
                units = store < given.count ? given[store] : []
            } else {
                var arrivals = [[OrderPlan.Arrival]](repeating: [], count: catalog.products.count)
                for delivery in pending where delivery.store == store && delivery.arrivalDay > day {
                    for line in delivery.lines {
                        arrivals[line.product].append(
                            OrderPlan.Arrival(day: max(delivery.dueDay - day, 1), units: Double(line.ordered)))
                    }
                }
                let context = ReviewContext(
                    store: store, day: day, time: time, onHand: stock[store].map(\.units), onOrder: onOrder[store],
                    calendar: calendar, lots: stock[store].map { $0.planLots(today: day) }, arrivals: arrivals)
                // During the warm-up the stores order as they always did; the policy only watches.
                units = day < configuration.warmUpDays ? warmUp.orders(context) : policy.orders(context)
            }
            var placed = [Int](repeating: 0, count: catalog.products.count)
            defer {
                policy.placed(store: store, time: time, units: placed)
                lastOrders[store] = placed
            }
            var byArrival: [Int: (due: Int, lines: [(product: Int, ordered: Int, delivered: Int)])] = [:]
            for (index, product) in catalog.products.enumerated() where index < units.count && units[index] > 0 {
                let ordered = (units[index] + product.caseSize - 1) / product.caseSize * product.caseSize
                placed[index] = ordered
                onOrder[store][index] += ordered
                outcome.orderLines += 1
                var supply = SeededRandom(
                    seed: configuration.seed, stream: Self.stream(4, store * catalog.products.count + index, day))
                let late = supply.chance(Self.lateShare) ? 1 : 0
                let short = supply.chance(Self.shortShare)
                let share = supply.uniform(0.4...0.9)
                let delivered = short ? Int(Double(ordered) * share) : ordered
                var due = day + product.leadTimeDays
                while calendar.isClosed(due) { due += 1 }
                byArrival[(due + late) << 16 | due, default: (due, [])].lines.append((index, ordered, delivered))
            }
            for (key, trip) in byArrival.sorted(by: { $0.key < $1.key }) {
                pending.append(Delivery(store: store, arrivalDay: key >> 16, dueDay: trip.due, lines: trip.lines))
            }
        }
    }

    private mutating func deliver(_ delivery: Delivery, at time: Int64) -> [SimulatedRecord] {
        let transaction = nextID(&random)
        outcome.deliveries += 1
        var records: [SimulatedRecord] = []
        for (product, ordered, quantity) in delivery.lines {
            let item = catalog.products[product]
            // The order is closed on arrival, whether delivered in full or not.
            onOrder[delivery.store][product] -= ordered
            guard quantity > 0 else { continue }
            stock[delivery.store][product].add(quantity, lastDay: day + (item.shelfLifeDays ?? 1) - 1)
            outcome.items[delivery.store * catalog.products.count + product].restockTimes.append(time)
            changed(store: delivery.store, product: product, at: time)
            let movement = StockMovement(time: time, kind: .restock, quantity: Int64(quantity))
            policy.observe(store: delivery.store, product: product, movement: movement)
            guard configuration.emitsRecords else { continue }
            records.append(
                record(
                    POSEvent(
                        transactionID: transaction, productID: item.id, productName: item.name, category: item.category,
                        quantity: quantity, unitPriceCents: item.unitCostCents,
                        totalPriceCents: item.unitCostCents * Int64(quantity),
                        timestamp: EventTimestamp.format(micros: time), storeID: catalog.stores[delivery.store].id,
                        eventType: .restock), kind: .restock, at: time))
        }
        return records
    }

    /// The evening check: perishable units on their last sale day leave the shelf as waste.
    private mutating func expire(at time: Int64) {
        for store in catalog.stores.indices {
            for index in catalog.products.indices where catalog.products[index].shelfLifeDays != nil {
                let wasted = stock[store][index].expire(through: day)
                guard wasted > 0 else { continue }
                let position = store * catalog.products.count + index
                outcome.items[position].wasteUnits += Int64(wasted)
                outcome.items[position].wasteCostCents += Int64(wasted) * catalog.products[index].unitCostCents
                truth.addWaste(
                    store: store, product: index, units: wasted, costCents: catalog.products[index].unitCostCents)
                changed(store: store, product: index, at: time)
            }
        }
    }

    private mutating func count(store: Int, perishableOnly: Bool, at time: Int64) -> [SimulatedRecord] {
        let transaction = configuration.emitsRecords ? nextID(&random) : ""
        var records: [SimulatedRecord] = []
        for product in catalog.products.indices where !perishableOnly || catalog.products[product].shelfLifeDays != nil
        {
            let units = stock[store][product].units
            policy.observe(
                store: store, product: product,
                movement: StockMovement(time: time, kind: .stockCount, quantity: Int64(units)))
            guard configuration.emitsRecords else { continue }
            let item = catalog.products[product]
            let price = calendar.priceCents(product: product, day: day)
            records.append(
                record(
                    POSEvent(
                        transactionID: transaction, productID: item.id, productName: item.name, category: item.category,
                        quantity: units, unitPriceCents: price, totalPriceCents: price * Int64(units),
                        timestamp: EventTimestamp.format(micros: time), storeID: catalog.stores[store].id,
                        eventType: .stockCount), kind: .stockCount, at: time))
        }
        return records
    }

    // MARK: Outcome

    /// Books a change of one item's stock (already made) at `time`.
    private mutating func changed(store: Int, product: Int, at time: Int64) {
        let units = stock[store][product].units
        let index = store * catalog.products.count + product
        // The units before the change held since the last one.
        outcome.items[index].unitMicros += Double(booked[store][product]) * Double(time - lastChange[store][product])
        lastChange[store][product] = time
        booked[store][product] = units
        if units == 0, emptySince[store][product] == nil {
            emptySince[store][product] = time
        } else if units > 0, let since = emptySince[store][product] {
            outcome.items[index].emptyOpenMicros += configuration.openMicros(from: since, to: time)
            outcome.items[index].emptyIntervals += [since, time]
            emptySince[store][product] = nil
        }
        if configuration.emitsRecords { truth.record(store: store, product: product, at: time, onHand: units) }
    }

    /// The end of a day: overstock is judged on the stock left.
    private mutating func closeDay() {
        pending.removeAll { $0.arrivalDay <= day }
        outcome.days += 1
        for store in catalog.stores.indices {
            for index in catalog.products.indices {
                let product = catalog.products[index]
                let limit = ReplenishmentPolicy.defaultPolicy(category: product.category).maxDaysOfCover
                let position = store * catalog.products.count + index
                if Double(stock[store][index].units) > limit * outcome.items[position].meanDailyDemand {
                    outcome.items[position].overstockDays += 1
                }
            }
        }
    }

    /// Forgets the warm-up's outcome: from `time` on, the shelves are measured.
    private mutating func startMeasuring(at time: Int64) {
        let previous = outcome
        outcome = SimulationOutcome(catalog: catalog)
        // Kept from the warm-up: daily sales, when shelves were empty and when deliveries came
        // (what a forecast's history and its censored days need); every figure restarts.
        outcome.soldDaily = previous.soldDaily
        for index in outcome.items.indices {
            outcome.items[index].emptyIntervals = previous.items[index].emptyIntervals
            outcome.items[index].restockTimes = previous.items[index].restockTimes
        }
        for store in catalog.stores.indices {
            for product in catalog.products.indices {
                lastChange[store][product] = time
                if emptySince[store][product] != nil { emptySince[store][product] = time }
            }
        }
    }

    /// Closes the books at the end of the last day.
    private mutating func finish() {
        let end = midnight(of: configuration.days)
        guard !finished else { return }
        finished = true
        let first = min(configuration.warmUpDays, configuration.days)
        outcome.spanMicros = end - midnight(of: first)
        let open = Int64(max(0, configuration.closingHour - configuration.openingHour)) * Self.hour
        let openDays = (first..<configuration.days).filter { !calendar.isClosed($0) }.count
        for store in catalog.stores.indices {
            for product in catalog.products.indices {
                let index = store * catalog.products.count + product
                outcome.items[index].unitMicros +=
                    Double(stock[store][product].units) * Double(end - lastChange[store][product])
                lastChange[store][product] = end
                if let since = emptySince[store][product] {
                    outcome.items[index].emptyOpenMicros += configuration.openMicros(from: since, to: end)
                    outcome.items[index].emptyIntervals += [since, end]
                    emptySince[store][product] = end
                }
                outcome.items[index].openMicros = open * Int64(openDays)
            }
        }
        truth.finish(at: end)
    }

    // MARK: Records

    private mutating func record(_ event: POSEvent, kind: RecordKind, at time: Int64) -> SimulatedRecord {
        SimulatedRecord(
            payload: EventJSON.encode(event), partitionKey: event.storeID, kind: kind, eventTime: time, event: event)
    }

    /// A transaction id shaped like a UUID, from a seeded stream.
    private func nextID(_ random: inout SeededRandom) -> String {
        let high = random.next()
        let low = random.next()
        let hex = Array((Self.hex(high) + Self.hex(low)).utf8)
        func part(_ range: Range<Int>) -> String { String(decoding: hex[range], as: UTF8.self) }
        return "\(part(0..<8))-\(part(8..<12))-\(part(12..<16))-\(part(16..<20))-\(part(20..<32))"
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The day's records with dirty ones mixed in: each clean record is followed, with a
    /// probability chosen so that dirty records make up ``SimulationConfiguration/dirtyRate`` of
    /// all records, by one dirty record (an offset timestamp replaces the clean record instead).
    private mutating func withDirtyRecords(_ clean: [SimulatedRecord]) -> [SimulatedRecord] {
        let rate = configuration.dirtyRate
        var output: [SimulatedRecord] = []
        output.reserveCapacity(clean.count + Int(Double(clean.count) * rate * 1.2) + 1)
        // Eight of the nine kinds add a record, the ninth replaces one.
        let perClean = rate > 0 ? rate / (1 - rate * 8 / 9) : 0
        for record in clean {
            truth.count(record.kind)
            guard perClean > 0, random.chance(perClean) else {
                output.append(record)
                remember(record)
                continue
            }
            let kind = RecordKind.dirtyKinds[Int(random.next() % UInt64(RecordKind.dirtyKinds.count))]
            if kind == .offsetTimestamp {
                truth.uncount(record.kind)
                truth.count(.offsetTimestamp)
                var event = record.event
                let offset = [120, -300, 330, -60, 60][Int(random.next() % 5)]
                event.timestamp = EventTimestamp.format(micros: record.eventTime, offsetMinutes: offset)
                let shifted = SimulatedRecord(
                    payload: EventJSON.encode(event), partitionKey: record.partitionKey, kind: .offsetTimestamp,
                    eventTime: record.eventTime, event: event)
                output.append(shifted)
                remember(shifted)
                continue
            }
            output.append(record)
            remember(record)
            output.append(dirty(kind, from: record))
            truth.count(kind)
        }
        return output
    }

    private mutating func remember(_ record: SimulatedRecord) {
        recentClean.append(record)
        if recentClean.count > 512 { recentClean.removeFirst(256) }
    }

    /// A dirty record of `kind` made from `record`.
    private mutating func dirty(_ kind: RecordKind, from record: SimulatedRecord) -> SimulatedRecord {
        var event = record.event
        var payload: [UInt8]
        switch kind {
        case .missingField, .nullValue:
            let field = EventJSON.requiredFields[Int(random.next() % UInt64(EventJSON.requiredFields.count))]
            payload = EventJSON.encode(event, editing: kind == .missingField ? .omit(field) : .null(field))
        case .badQuantity:
            event.quantity = event.eventType == .stockCount ? -(1 + Int(random.next() % 5)) : -Int(random.next() % 3)
            event.totalPriceCents = event.unitPriceCents * Int64(event.quantity)
            payload = EventJSON.encode(event)
        case .inconsistentTotal:
            // Off by 0.05 to 5.04, never below zero (a negative total would break another rule).
            let lower = random.chance(0.5)
            let delta = Int64(5 + random.next() % 500)
            event.totalPriceCents += lower && event.totalPriceCents >= delta ? -delta : delta
            payload = EventJSON.encode(event)
        case .malformedJSON:
            let whole = EventJSON.encode(event)
            payload = Array(whole.prefix(1 + Int(random.next() % UInt64(whole.count - 1))))
        case .badTimestamp:
            let texts = ["yesterday", "2026-13-45 25:61:00", "26/11/2026 10:00", "1767571200", ""]
            event.timestamp = texts[Int(random.next() % UInt64(texts.count))]
            payload = EventJSON.encode(event)
        case .unknownEventType:
            payload = EventJSON.encode(
                event, editing: .raw("event_type", ["refund", "transfer", "SALE!"][Int(random.next() % 3)]))
        default:  // a duplicate: an earlier record, byte for byte
            let earlier = recentClean[Int(random.next() % UInt64(recentClean.count))]
            return SimulatedRecord(
                payload: earlier.payload, partitionKey: earlier.partitionKey, kind: .duplicate,
                eventTime: earlier.eventTime, event: earlier.event)
        }
        return SimulatedRecord(
            payload: payload, partitionKey: record.partitionKey, kind: kind, eventTime: record.eventTime, event: event)
    }
}
