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

        public init(stream: String) { self.stream = stream }
    }

    /// What a producer has done so far.
    public struct Progress: Sendable, Hashable, CustomStringConvertible {
        public var sent = 0
        /// Records resent after Kinesis rejected them (each resend counts).
        public var retried = 0
        /// Records that could not be sent.
        public var failed = 0
        public var seconds = 0.0

        public var eventsPerSecond: Double { seconds > 0 ? Double(sent) / seconds : 0 }

        public var description: String {
            "producer: \(Int(eventsPerSecond.rounded())) events/s, sent \(sent), retried \(retried), failed \(failed)"
        }
    }

    private let kinesis: KinesisClient
    public let configuration: Configuration
    private let logger: Logger

    public init(kinesis: KinesisClient, configuration: Configuration, logger: Logger) {
        self.kinesis = kinesis
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends every remaining day of `simulator` (or until `stop` is signalled, between two
    /// calls), reporting ``Progress`` every ``Configuration/progressInterval`` and at the end.
    ///
    /// - Returns: the final progress.
    /// - Throws: ``AWSError`` when a call fails for good, or ``LakehouseError`` with
    ///   ``LakehouseError/Code/deliveryFailed`` when records could not be sent after every resend
    ///   (the rest of the run is still attempted first).
    @discardableResult
    public func run(
        _ simulator: inout StoreSimulator, stop: StopSignal = StopSignal(),
        progress report: @Sendable (Progress) -> Void
    ) async throws -> Progress {
        let clock = ContinuousClock()
        let start = clock.now
        var lastReport = start
        var progress = Progress()
        let perCall = max(1, min(500, configuration.recordsPerCall))
        while !stop.isStopped, let day = simulator.nextDay() {
            var index = 0
            while index < day.count, !stop.isStopped {
                let chunk = day[index..<min(index + perCall, day.count)]
                index += chunk.count
                let records = chunk.map { record in
                    KinesisRecordInput(
                        data: configuration.realTime ? Self.restamped(record, now: Self.nowMicros()) : record.payload,
                        partitionKey: record.partitionKey)
                }
                // Stopping does not wait for a call that hangs: it is abandoned, and its records
                // may or may not have reached the stream (they are not counted as sent).
                let kinesis = kinesis
                let stream = configuration.stream
                guard
                    let result = try await stop.interruptible({
                        try await kinesis.putRecords(stream: stream, records: records)
                    })
                else { break }
                progress.sent += records.count - result.failed.count
                progress.retried += result.retriedRecords
                progress.failed += result.failed.count
                for failure in result.failed.prefix(3) {
                    logger.error(
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
        progress.seconds = (clock.now - start).inSeconds
        report(progress)
        if progress.failed > 0 {
            throw LakehouseError(
                code: .deliveryFailed,
                message:
                    "\(progress.failed) of \(progress.sent + progress.failed) records could not be put to \(configuration.stream) after every resend; see the log for the reasons"
            )
        }
        return progress
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
