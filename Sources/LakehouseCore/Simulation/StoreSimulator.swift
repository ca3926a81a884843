/// Simulates a supermarket chain day by day: baskets arriving as a Poisson process shaped by
/// hour of day and day of week, demand that varies by product and store, an imperfect
/// replenishment policy with lead times and short deliveries, shrinkage corrected by weekly
/// stock counts — so that real stockouts happen — and the records the stores' systems would send,
/// with dirty data mixed in at the configured rate. It keeps the ground truth as it goes.
///
/// Deterministic: the same configuration gives the same records and the same truth.
public struct StoreSimulator: Sendable {
    public let configuration: SimulationConfiguration
    public let catalog: StoreCatalog
    /// What really happened so far.
    public private(set) var truth: GroundTruth

    private var random: SeededRandom
    private var onHand: [[Int]]
    private var onOrder: [[Int]]
    private var pending: [Delivery] = []
    private var policy: [[Policy]]
    /// Per store: cumulative product weights for picking basket lines.
    private var pickWeights: [[Double]]
    private var basketsPerDay: [Double]
    private var day = 0
    private var recentClean: [SimulatedRecord] = []

    private struct Policy: Sendable {
        /// Both from the demand the store believes: the true demand, misjudged by up to ±30 %.
        var reorderPoint: Double
        var orderUpTo: Double
    }

    private struct Delivery: Sendable {
        var store: Int
        var arrivalDay: Int
        var lines: [(product: Int, ordered: Int, delivered: Int)]
    }

    /// An action of the day, processed in time order.
    private enum Action {
        case delivery(Int)
        case basket(store: Int)
        case shrink(store: Int, product: Int)
        case count(store: Int)
        case review
    }

    /// Mean lines per basket and units per line, which turn demand into basket arrivals.
    private static let meanExtraLines = 2.5
    private static let meanExtraUnits = 0.6
    /// Relative busyness by hour of day (from opening) and by weekday (Monday first).
    private static let hourWeights: [Double] = [
        0.4, 0.6, 0.8, 0.9, 1.0, 1.4, 1.5, 1.0, 0.9, 0.9, 1.2, 1.6, 1.7, 1.3, 0.8, 0.5, 0.3,
    ]
    private static let weekdayFactors: [Double] = [0.9, 0.9, 0.95, 1.0, 1.15, 1.3, 0.8]
    private static let payments = ["CREDIT CARD", "CASH", "APP"]
    private static let clients = ["REGULAR", "PREMIUM", "NEW"]

    /// A simulator at the start of its first day: opening stock of 4 to 9 days of demand.
    public init(configuration: SimulationConfiguration) {
        self.configuration = configuration
        let catalog = StoreCatalog(
            stores: configuration.stores, products: configuration.products, seed: configuration.seed)
        self.catalog = catalog
        random = SeededRandom(seed: configuration.seed, stream: 2)
        var random = random
        onHand = catalog.stores.indices.map { store in
            catalog.products.indices.map { product in
                Int((catalog.dailyDemand(store: store, product: product) * random.uniform(4...9)).rounded(.up))
            }
        }
        onOrder = catalog.stores.indices.map { _ in [Int](repeating: 0, count: catalog.products.count) }
        policy = catalog.stores.indices.map { store in
            catalog.products.indices.map { index in
                let product = catalog.products[index]
                let believed = catalog.dailyDemand(store: store, product: index) * random.uniform(0.7...1.3)
                let cover = Double(product.leadTimeDays + 1)
                return Policy(
                    reorderPoint: believed * cover * 1.1,
                    orderUpTo: believed * (cover + 6))
            }
        }
        pickWeights = catalog.stores.indices.map { store in
            var total = 0.0
            return catalog.products.indices.map { product in
                total += catalog.dailyDemand(store: store, product: product)
                return total
            }
        }
        basketsPerDay = pickWeights.map { weights in
            (weights.last ?? 0) / ((1 + Self.meanExtraLines) * (1 + Self.meanExtraUnits))
        }
        self.random = random
        truth = GroundTruth(catalog: catalog, start: configuration.startMicros)
        for store in catalog.stores.indices {
            for product in catalog.products.indices {
                truth.record(
                    store: store, product: product, at: configuration.startMicros, onHand: onHand[store][product])
            }
        }
    }

    /// Whether every day has been simulated.
    public var isFinished: Bool { day >= configuration.days }

    /// The records of the next day in time order (across stores), or `nil` after the last day.
    public mutating func nextDay() -> [SimulatedRecord]? {
        guard !isFinished else {
            truth.finish(at: configuration.startMicros + Int64(configuration.days) * Self.dayMicros)
            return nil
        }
        defer { day += 1 }
        let midnight = configuration.startMicros + Int64(day) * Self.dayMicros
        var actions: [(time: Int64, action: Action)] = []
        if day == 0 {
            for store in catalog.stores.indices { actions.append((midnight + Self.hour * 6, .count(store: store))) }
        }
        for (index, delivery) in pending.enumerated() where delivery.arrivalDay == day {
            actions.append((midnight + Self.hour * 6 + Int64(delivery.store) * 60_000_000, .delivery(index)))
        }
        // 1970-01-01 was a Thursday; weekdays count from Monday.
        let epochDay = EventTimestamp.floorDivide(midnight, Self.dayMicros)
        let weekday = Int(((epochDay + 3) % 7 + 7) % 7)
        for store in catalog.stores.indices {
            for time in basketTimes(store: store, midnight: midnight, weekday: weekday) {
                actions.append((time, .basket(store: store)))
            }
            for product in catalog.products.indices where random.chance(0.01) {
                actions.append((midnight + Self.hour * 23, .shrink(store: store, product: product)))
            }
            if weekday == 6 { actions.append((midnight + Self.hour * 22 + Self.hour / 2, .count(store: store))) }
        }
        actions.append((midnight + Self.hour * 21 + Self.hour / 2, .review))
        actions.sort { $0.time < $1.time }

        var records: [SimulatedRecord] = []
        for (time, action) in actions {
            switch action {
            case .basket(let store): records += basket(store: store, at: time)
            case .delivery(let index): records += deliver(pending[index], at: time)
            case .shrink(let store, let product):
                guard onHand[store][product] > 0 else { continue }
                change(store: store, product: product, by: -1, at: time)
                truth.shrunkUnits += 1
            case .count(let store): records += count(store: store, at: time)
            case .review: review(day: day)
            }
        }
        pending.removeAll { $0.arrivalDay <= day }
        return withDirtyRecords(records)
    }

    static let dayMicros: Int64 = 86_400_000_000
    static let hour: Int64 = 3_600_000_000

    // MARK: Demand

    /// Basket arrival times of one store for one day: a Poisson process whose rate follows the
    /// hour weights, drawn hour by hour (the process is memoryless, so restarting at each hour
    /// is exact).
    private mutating func basketTimes(store: Int, midnight: Int64, weekday: Int) -> [Int64] {
        let open = configuration.openingHour
        let hours = max(0, configuration.closingHour - open)
        guard hours > 0 else { return [] }
        let weights = (0..<hours).map { Self.hourWeights[min($0, Self.hourWeights.count - 1)] }
        let total = weights.reduce(0, +)
        var times: [Int64] = []
        for (offset, weight) in weights.enumerated() {
            let perHour = basketsPerDay[store] * Self.weekdayFactors[weekday] * weight / total
            guard perHour > 0 else { continue }
            var at = random.exponential(rate: perHour)
            while at < 1 {
                times.append(midnight + Int64(open + offset) * Self.hour + Int64(at * Double(Self.hour)))
                at += random.exponential(rate: perHour)
            }
        }
        return times
    }

    /// A basket: a few distinct products picked by demand, a few units each, sold as far as
    /// stock allows (the rest is lost demand).
    private mutating func basket(store: Int, at time: Int64) -> [SimulatedRecord] {
        let lines = min(1 + random.geometric(mean: Self.meanExtraLines), catalog.products.count)
        var picked: [Int] = []
        for _ in 0..<(lines * 3) where picked.count < lines {
            let product = pick(store: store)
            if !picked.contains(product) { picked.append(product) }
        }
        let transaction = nextID()
        let payment = Self.payments[Int(random.next() % 3)]
        let client = Self.clients[Int(random.next() % 3)]
        var records: [SimulatedRecord] = []
        for product in picked {
            let wanted = 1 + random.geometric(mean: Self.meanExtraUnits)
            let sold = min(wanted, onHand[store][product])
            truth.addDemand(store: store, product: product, wanted: wanted, sold: sold)
            guard sold > 0 else { continue }
            change(store: store, product: product, by: -sold, at: time)
            let item = catalog.products[product]
            records.append(
                record(
                    POSEvent(
                        transactionID: transaction, productID: item.id, productName: item.name, category: item.category,
                        quantity: sold, unitPriceCents: item.unitPriceCents,
                        totalPriceCents: item.unitPriceCents * Int64(sold),
                        timestamp: EventTimestamp.format(micros: time), storeID: catalog.stores[store].id,
                        paymentMethod: payment, clientType: client, eventType: .sale), kind: .sale, at: time))
        }
        return records
    }

    private mutating func pick(store: Int) -> Int {
        let weights = pickWeights[store]
        let target = random.unit() * (weights.last ?? 0)
        var low = 0
        var high = weights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if weights[middle] <= target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: Replenishment

    /// The evening review: each product at or below its reorder point is ordered up to its
    /// order-up-to level in whole cases; the delivery comes after the lead time, sometimes a day
    /// late, and sometimes short.
    private mutating func review(day: Int) {
        for store in catalog.stores.indices {
            var byArrival: [Int: [(product: Int, ordered: Int, delivered: Int)]] = [:]
            for (index, product) in catalog.products.enumerated() {
                let rule = policy[store][index]
                let position = Double(onHand[store][index] + onOrder[store][index])
                guard position <= rule.reorderPoint, rule.orderUpTo > position else { continue }
                let cases = Int(((rule.orderUpTo - position) / Double(product.caseSize)).rounded(.up))
                let ordered = max(1, cases) * product.caseSize
                onOrder[store][index] += ordered
                let late = random.chance(0.15) ? 1 : 0
                let delivered = random.chance(0.1) ? Int(Double(ordered) * random.uniform(0.4...0.9)) : ordered
                byArrival[day + product.leadTimeDays + late, default: []].append((index, ordered, delivered))
            }
            for (arrival, lines) in byArrival.sorted(by: { $0.key < $1.key }) {
                pending.append(Delivery(store: store, arrivalDay: arrival, lines: lines))
            }
        }
    }

    private mutating func deliver(_ delivery: Delivery, at time: Int64) -> [SimulatedRecord] {
        let transaction = nextID()
        var records: [SimulatedRecord] = []
        for (product, ordered, quantity) in delivery.lines {
            let item = catalog.products[product]
            // The order is closed on arrival, whether delivered in full or not.
            onOrder[delivery.store][product] -= ordered
            guard quantity > 0 else { continue }
            change(store: delivery.store, product: product, by: quantity, at: time)
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

    private mutating func count(store: Int, at time: Int64) -> [SimulatedRecord] {
        let transaction = nextID()
        return catalog.products.indices.map { product in
            let item = catalog.products[product]
            let units = onHand[store][product]
            return record(
                POSEvent(
                    transactionID: transaction, productID: item.id, productName: item.name, category: item.category,
                    quantity: units, unitPriceCents: item.unitPriceCents,
                    totalPriceCents: item.unitPriceCents * Int64(units), timestamp: EventTimestamp.format(micros: time),
                    storeID: catalog.stores[store].id, eventType: .stockCount), kind: .stockCount, at: time)
        }
    }

    private mutating func change(store: Int, product: Int, by delta: Int, at time: Int64) {
        onHand[store][product] += delta
        truth.record(store: store, product: product, at: time, onHand: onHand[store][product])
    }

    // MARK: Records

    private mutating func record(_ event: POSEvent, kind: RecordKind, at time: Int64) -> SimulatedRecord {
        SimulatedRecord(
            payload: EventJSON.encode(event), partitionKey: event.storeID, kind: kind, eventTime: time, event: event)
    }

    /// A transaction id shaped like a UUID, from the seeded stream.
    private mutating func nextID() -> String {
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
