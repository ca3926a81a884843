import AWSLite
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Sends the simulator's records to a Kinesis stream through `putRecords`, partitioned by store,
/// either as fast as the stream takes them (stamped with simulated time) or in real time (each
/// record stamped with the time it is sent, at a target rate).
///
/// Records Kinesis keeps rejecting are resent with backoff; a record is counted as failed only
/// when every resend failed, and a run with failures ends with an error, never silently.
public struct EventProducer: Sendable {
    /// How a producer sends.
    public struct Configuration: Sendable, Hashable {
        /// The stream to put to.
        public var stream: String
        /// Records per `putRecords` call (at most 500, Kinesis's limit). Default: 500.
        public var recordsPerCall = 500
        /// Events per second to send at, or `nil` for as fast as the stream takes them (the
        /// default for simulated time).
        public var targetRate: Double?
        /// Whether records are stamped with the time they are sent instead of simulated time.
        /// Default: `false`.
        public var realTime = false
        /// How often ``run(_:progress:)`` reports progress. Default: 5 seconds.
        public var progressInterval: Duration = .seconds(5)

        /// A configuration that puts to `stream` with the defaults above.
        public init(stream: String) { self.stream = stream }
    }

    /// What a producer has done so far.
    public struct Progress: Sendable, Hashable, CustomStringConvertible {
        /// Records Kinesis accepted.
        public var sent = 0
        /// Records resent after Kinesis rejected them (each resend counts).
        public var retried = 0
        /// Records that could not be sent.
        public var failed = 0
        /// Wall-clock seconds since the run started.
        public var seconds = 0.0

        /// Records accepted per wall-clock second so far (0 before any time has passed).
        public var eventsPerSecond: Double { seconds > 0 ? Double(sent) / seconds : 0 }

        /// The progress line printed to stderr: `producer: 1998 events/s, sent …, retried …, failed …`.
        public var description: String {
            "producer: \(Int(eventsPerSecond.rounded())) events/s, sent \(sent), retried \(retried), failed \(failed)"
        }
    }

    private let kinesis: KinesisClient
    /// The stream, batch size and pace the producer was made with.
    public let configuration: Configuration
    private let logger: Logger

    /// A producer that puts through `kinesis` as `configuration` says and logs rejected records to `logger`.
    public init(kinesis: KinesisClient, configuration: Configuration, logger: Logger) {
        self.kinesis = kinesis
        self.configuration = configuration
        self.logger = logger
    }

    /// One order a simulated store placed: the day (days since 1970 UTC), store, product, units.
    public struct PlacedOrder: Sendable, Hashable {
        /// The review's day: days since 1970-01-01 UTC.
        public var day: Int64
        /// The store that ordered (`STORE_001`).
        public var storeID: String
        /// The product ordered (`P00042`).
        public var productID: String
        /// Units ordered, in whole cases; always > 0.
        public var units: Int64
    }

    /// Sends every remaining day of `simulator` (or until `stop` is signalled, between two
    /// calls), reporting ``Progress`` every ``Configuration/progressInterval`` and at the end.
    ///
    /// With `orders`, the live closed loop: after its warm-up days, each day is sent up to the
    /// stores' evening review, then each store orders the proposal gold drafted from those
    /// events (``DatabaseOrders/order(day:waitingFor:stop:)``), then the rest of the day is sent.
    /// `placed` receives every order the stores placed on those days.
    ///
    /// - Returns: the final progress.
    /// - Throws: ``AWSError`` when a call fails for good, ``LakehouseError`` with
    ///   ``LakehouseError/Code/deliveryFailed`` when records could not be sent after every resend
    ///   (the rest of the run is still attempted first), or what `orders` throws.
    @discardableResult
    public func run(
        _ simulator: inout StoreSimulator, stop: StopSignal = StopSignal(), orders: DatabaseOrders? = nil,
        placed: @Sendable ([PlacedOrder]) -> Void = { _ in }, progress report: @escaping @Sendable (Progress) -> Void
    ) async throws -> Progress {
        var sender = Sender(producer: self, report: report)
        while !stop.isStopped, !simulator.isFinished {
            let day = simulator.currentDay
            guard let orders, !simulator.calendar.isClosed(day) else {
                guard let records = simulator.nextDay() else { break }
                try await sender.send(records, stop: stop)
                continue
            }
            guard let morning = simulator.beginDay() else { break }
            try await sender.send(morning, stop: stop)
            guard !stop.isStopped else { break }
            // Each store waits for the proposal that rests on its last valid event before the review.
            var waitingFor: [String: Int64] = [:]
            for record in morning where !record.kind.isInvalid {
                waitingFor[record.event.storeID] = max(waitingFor[record.event.storeID] ?? .min, record.eventTime)
            }
            let epochDay =
                EventTimestamp.floorDivide(simulator.configuration.startMicros, ItemStockModel.dayMicros) + Int64(day)
            guard try await orders.waitForProposals(day: epochDay, waitingFor: waitingFor, stop: stop) else { break }
            let catalog = simulator.catalog
            let stores = catalog.stores.map(\.id)
            let evening: [SimulatedRecord]
            let own = day < simulator.configuration.warmUpDays
            if own {
                // The warm-up: the stores order their own way, and say what they ordered.
                evening = simulator.endDay()
            } else {
                let decided = try await orders.orderProposals(day: epochDay, stores: stores)
                evening = simulator.endDay(
                    orders: catalog.stores.map { store in catalog.products.map { Int(decided[store.id]?[$0.id] ?? 0) } }
                )
            }
            var lines: [PlacedOrder] = []
            for (store, row) in simulator.lastOrders.enumerated() {
                for (product, count) in row.enumerated() where count > 0 {
                    lines.append(
                        PlacedOrder(
                            day: epochDay, storeID: catalog.stores[store].id, productID: catalog.products[product].id,
                            units: Int64(count)))
                }
            }
            if own {
                let unknown = try await orders.record(lines, day: epochDay, stores: stores)
                if unknown > 0 {
                    logger.warning(
                        "orders of products gold does not know yet were not recorded",
                        metadata: ["day": "\(SilverEvent.dateText(Int32(epochDay)))", "lines": "\(unknown)"])
                }
            }
            placed(lines)
            try await sender.send(evening, stop: stop)
        }
        if simulator.isFinished { _ = simulator.nextDay() }  // closes the outcome
        return try sender.finish()
    }

    /// Sends records in `putRecords` calls, at the target rate, counting and reporting.
    private struct Sender {
        let producer: EventProducer
        let report: @Sendable (Progress) -> Void
        let clock = ContinuousClock()
        let start: ContinuousClock.Instant
        var lastReport: ContinuousClock.Instant
        var progress = Progress()

        init(producer: EventProducer, report: @escaping @Sendable (Progress) -> Void) {
            self.producer = producer
            self.report = report
            start = clock.now
            lastReport = start
        }

        mutating func send(_ records: [SimulatedRecord], stop: StopSignal) async throws {
            let configuration = producer.configuration
            let perCall = max(1, min(500, configuration.recordsPerCall))
            var index = 0
            while index < records.count, !stop.isStopped {
                let chunk = records[index..<min(index + perCall, records.count)]
                index += chunk.count
                let inputs = chunk.map { record in
                    KinesisRecordInput(
                        data: configuration.realTime
                            ? EventProducer.restamped(record, now: EventProducer.nowMicros()) : record.payload,
                        partitionKey: record.partitionKey)
                }
                // Stopping does not wait for a call that hangs: it is abandoned, and its records
                // may or may not have reached the stream (they are not counted as sent).
                let kinesis = producer.kinesis
                let stream = configuration.stream
                guard
                    let result = try await stop.interruptible({
                        try await kinesis.putRecords(stream: stream, records: inputs)
                    })
                else { break }
                progress.sent += inputs.count - result.failed.count
                progress.retried += result.retriedRecords
                progress.failed += result.failed.count
                for failure in result.failed.prefix(3) {
                    producer.logger.error(
                        "record not delivered",
                        metadata: ["kinesis.stream": "\(configuration.stream)", "error": "\(failure)"])
                }
                if let rate = configuration.targetRate, rate > 0 {
                    let due = start + .seconds(Double(progress.sent + progress.failed) / rate)
                    if due > clock.now { try await Task.sleep(until: due, clock: clock) }
                }
                if clock.now - lastReport >= configuration.progressInterval {
                    lastReport = clock.now
                    progress.seconds = (clock.now - start).inSeconds
                    report(progress)
                }
            }
        }

        mutating func finish() throws -> Progress {
            progress.seconds = (clock.now - start).inSeconds
            report(progress)
            if progress.failed > 0 {
                throw LakehouseError(
                    code: .deliveryFailed,
                    message:
                        "\(progress.failed) of \(progress.sent + progress.failed) records could not be put to \(producer.configuration.stream) after every resend; see the log for the reasons"
                )
            }
            return progress
        }
    }

    static func nowMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    /// The record's payload with its timestamp replaced by `now` (in the same UTC offset); a
    /// record whose timestamp is missing or unreadable (a dirty one) keeps its payload.
    static func restamped(_ record: SimulatedRecord, now: Int64) -> [UInt8] {
        let old = record.event.timestamp
        guard EventTimestamp.parse(old) != nil, let offset = EventTimestamp.offsetMinutes(of: old) else {
            return record.payload
        }
        let needle = Array("\"timestamp\": \"\(old)\"".utf8)
        guard let at = record.payload.firstRange(of: needle) else { return record.payload }
        var payload = record.payload
        payload.replaceSubrange(
            at, with: Array("\"timestamp\": \"\(EventTimestamp.format(micros: now, offsetMinutes: offset))\"".utf8))
        return payload
    }
}
