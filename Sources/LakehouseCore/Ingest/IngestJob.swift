import AWSLite
import Logging

/// Reads every shard of a Kinesis stream into bronze objects on S3, checkpointing each shard in
/// PostgreSQL after the object that holds its records is written — so a crash replays a batch
/// (to the same key) and never loses one.
///
/// Each shard resumes after its checkpoint, else from TRIM_HORIZON; a child shard starts only
/// after its parents were read to their end. Batches are flushed by record count, bytes or age;
/// reads respect Kinesis's limit of 5 calls a second per shard and back off while a shard is idle.
public struct IngestJob: Sendable {
    /// How the job reads and flushes.
    public struct Configuration: Sendable, Hashable {
        /// The Kinesis stream to read: all of its shards with ``IngestJob/run(stop:)``, those this
        /// process leases under ``Pipeline``.
        public var stream: String
        /// The bronze bucket.
        public var bucket: String
        /// Flush a shard's batch at this many records (default 10,000)…
        public var flushRecords = 10_000
        /// …or this many payload bytes (default 8 MiB)…
        public var flushBytes = 8 << 20
        /// …or when its oldest record has waited this long (default 1 second: bronze is at most
        /// about 1.2 s behind the stream, at the cost of one object a second per busy shard;
        /// `make bench-ingest` measures the lag).
        public var flushAge: Duration = .seconds(1)
        /// Stop when every shard is drained (read to its tip or end), instead of running until
        /// stopped (default `false`).
        public var untilCaughtUp = false
        /// The pause between reads of a shard that returned nothing (default 1 second; reads of
        /// a busy shard are 200 ms apart, Kinesis's limit of 5 a second).
        public var idlePause: Duration = .seconds(1)

        /// Reads `stream` into the bronze bucket `bucket`, with every other setting at its
        /// default: until stopped, flushing at 10,000 records, 8 MiB or 1 s.
        public init(stream: String, bucket: String) {
            self.stream = stream
            self.bucket = bucket
        }
    }

    /// What a run did.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// Records written to bronze, over every shard.
        public var records = 0
        /// Bronze objects written (one per flush, more when a flush exceeds
        /// ``Configuration/flushRecords`` or ``Configuration/flushBytes``).
        public var objects = 0
        /// Shards whose reading finished during the run (read to their end, drained or stopped),
        /// each counted once; a shard that had ended before the run is not counted.
        public var shards = 0

        /// An empty report.
        public init() {}

        /// One line for a log or a terminal: `ingest: 120 records in 3 bronze objects from 2 shards`.
        public var description: String {
            "ingest: \(records) records in \(objects) bronze objects from \(shards) shards"
        }
    }

    private let kinesis: KinesisClient
    private let s3: S3Client
    private let checkpoints: CheckpointStore
    /// The stream it reads, the bronze bucket it writes, and when it flushes and pauses.
    public let configuration: Configuration
    private let logger: Logger

    /// A job reading `configuration.stream` into `configuration.bucket`; nothing is read until
    /// ``run(stop:)`` (or a ``Pipeline``'s shard readers).
    ///
    /// - Parameters:
    ///   - kinesis: lists the shards and reads them (`ListShards`, `GetShardIterator`, `GetRecords`).
    ///   - s3: writes the bronze objects.
    ///   - checkpoints: where ``run(stop:)`` loads and saves the shards' checkpoints; `readShard`
    ///     saves only through its `save`.
    ///   - logger: gets a debug line for each bronze object and an info line when a shard is
    ///     caught up, with `kinesis.shard` metadata.
    public init(
        kinesis: KinesisClient, s3: S3Client, checkpoints: CheckpointStore, configuration: Configuration, logger: Logger
    ) {
        self.kinesis = kinesis
        self.s3 = s3
        self.checkpoints = checkpoints
        self.configuration = configuration
        self.logger = logger
    }

    /// Ingests until `stop` is signalled (each shard then flushes and checkpoints) or, with
    /// ``Configuration/untilCaughtUp``, every shard is drained.
    ///
    /// - Throws: ``AWSError`` or ``PGError`` when a shard cannot go on after retries; the other
    ///   shards flush and checkpoint first.
    public func run(stop: StopSignal = StopSignal()) async throws -> Report {
        var report = Report()
        var state = try await checkpoints.load(stream: configuration.stream)
        var done = Set(state.values.filter(\.shardEnded).map(\.shardID))
        var started = Set<String>()
        return try await withThrowingTaskGroup(of: ShardOutcome.self) { group in
            /// Starts every shard not started yet whose parents have ended (or aged out).
            func startReady() async throws {
                guard !stop.isStopped else { return }
                let shards = try await kinesis.listShards(configuration.stream)
                let known = Set(shards.map(\.shardID))
                for shard in shards where !done.contains(shard.shardID) && !started.contains(shard.shardID) {
                    let parents = [shard.parentShardID, shard.adjacentParentShardID].compactMap { $0 }
                    guard parents.allSatisfy({ done.contains($0) || !known.contains($0) }) else { continue }
                    started.insert(shard.shardID)
                    let checkpoint = state[shard.shardID]
                    group.addTask {
                        try await readShard(
                            shard.shardID, after: checkpoint, stop: stop, save: { try await checkpoints.save($0) })
                    }
                }
            }
            try await startReady()
            while let outcome = try await group.next() {
                report.records += outcome.records
                report.objects += outcome.objects
                report.shards += 1
                if let checkpoint = outcome.checkpoint { state[outcome.shardID] = checkpoint }
                if outcome.ended {
                    // Its children may start now, while the other shards go on.
                    done.insert(outcome.shardID)
                    try await startReady()
                }
            }
            return report
        }
    }

    /// What reading one shard did.
    package struct ShardOutcome: Sendable, Hashable {
        /// The shard that was read; ``run(stop:)`` files ``checkpoint`` under it.
        public var shardID: String
        /// Records this read wrote to bronze (not those of earlier runs).
        public var records = 0
        /// Bronze objects holding those records.
        public var objects = 0
        /// Whether the shard was read to its end (a closed parent).
        public var ended = false
        /// The last checkpoint saved (or the one reading started from).
        public var checkpoint: IngestCheckpoint?
    }

    /// How one read of a shard went, for callers that watch the shards (``Pipeline``).
    package struct ShardRead: Sendable, Hashable {
        /// The shard that was read, so that one callback can watch several readers.
        public var shardID: String
        /// Records the read returned.
        public var records: Int
        /// How far behind the shard's tip the read was, as Kinesis says (`nil` when it did not).
        public var millisBehindLatest: Int64?
    }

    /// Reads one shard until it ends, is drained (with ``Configuration/untilCaughtUp``) or
    /// `stop` is signalled, flushing batches to bronze as it goes; ``run(stop:)`` does this for
    /// every shard, and ``Pipeline`` for the shards its process leases.
    ///
    /// - Parameters:
    ///   - checkpoint: where to resume (after its sequence number); `nil` reads from the start
    ///     of the shard (TRIM_HORIZON).
    ///   - save: records a checkpoint once the object holding its records is written; what it
    ///     throws ends the read (``Pipeline`` throws when its lease on the shard is gone).
    ///   - onFlush: called after each bronze object is written and its checkpoint saved (not for
    ///     the checkpoint that only marks the shard ended, which writes no object).
    ///   - onRead: called after each read.
    /// - Throws: ``AWSError`` or ``PGError`` when the shard cannot go on after retries, or what
    ///   `save` throws.
    package func readShard(
        _ shardID: String, after checkpoint: IngestCheckpoint?, stop: StopSignal,
        save: @Sendable (IngestCheckpoint) async throws -> Void,
        onFlush: @Sendable (IngestCheckpoint) -> Void = { _ in },
        onRead: @Sendable (ShardRead) -> Void = { _ in }
    ) async throws -> ShardOutcome {
        var outcome = ShardOutcome(shardID: shardID, checkpoint: checkpoint)
        var lastRead = checkpoint?.sequenceNumber
        func iterator() async throws -> String {
            try await kinesis.getShardIterator(
                stream: configuration.stream, shardID: shardID,
                position: lastRead.map { .afterSequenceNumber($0) } ?? .trimHorizon)
        }
        var current: String? = try await iterator()
        var buffer: [KinesisRecord] = []
        var bufferBytes = 0
        let clock = ContinuousClock()
        var oldest: ContinuousClock.Instant?
        var caughtUp = false

        // Writes the buffer as objects of at most `flushRecords` records and `flushBytes` bytes of
        // payload each (a larger record is an object of its own); the last carries `ended`.
        func flush(ended: Bool) async throws {
            repeat {
                var count = 0
                var bytes = 0
                while count < buffer.count, count < configuration.flushRecords,
                    count == 0 || bytes + buffer[count].data.count <= configuration.flushBytes
                {
                    bytes += buffer[count].data.count
                    count += 1
                }
                try await write(count, bytes: bytes, ended: ended && count == buffer.count)
            } while !buffer.isEmpty
        }

        func write(_ count: Int, bytes: Int, ended: Bool) async throws {
            guard count > 0 || ended else { return }
            let records = Array(buffer[..<count])
            if !records.isEmpty {
                let batch = BronzeBatch(stream: configuration.stream, shardID: shardID, records: records)
                let body = batch.encoded()
                let stored = try await s3.putObject(
                    bucket: configuration.bucket, key: batch.key, body: body, contentType: "application/x-ndjson")
                var written: BronzeObject?
                if case .stored(let eTag) = stored {
                    written = BronzeObject(key: batch.key, eTag: eTag, size: body.count)
                }
                outcome.objects += 1
                outcome.records += records.count
                outcome.checkpoint = IngestCheckpoint(
                    stream: configuration.stream, shardID: shardID,
                    sequenceNumber: records[records.count - 1].sequenceNumber,
                    bronzeKey: batch.key, records: records.count, shardEnded: ended, written: written)
                logger.debug(
                    "bronze object written",
                    metadata: ["kinesis.shard": "\(shardID)", "s3.key": "\(batch.key)", "records": "\(records.count)"])
            } else if var last = outcome.checkpoint {
                last.shardEnded = true
                last.written = nil
                outcome.checkpoint = last
            } else {
                outcome.checkpoint = IngestCheckpoint(
                    stream: configuration.stream, shardID: shardID, sequenceNumber: "", bronzeKey: "", records: 0,
                    shardEnded: true)
            }
            // Only now that the object exists does the checkpoint move past its records.
            if let checkpoint = outcome.checkpoint {
                try await save(checkpoint)
                if !records.isEmpty { onFlush(checkpoint) }
            }
            buffer.removeFirst(count)
            bufferBytes -= bytes
            if buffer.isEmpty { oldest = nil }
        }

        while let shardIterator = current {
            if stop.isStopped || Task.isCancelled { break }
            let started = clock.now
            let result: KinesisGetRecordsResult
            do {
                // Stopping does not wait for a read that hangs: it is abandoned (nothing read is lost).
                let kinesis = kinesis
                guard
                    let read = try await stop.interruptible({
                        try await kinesis.getRecords(shardIterator: shardIterator)
                    })
                else { break }
                result = read
            } catch let error as AWSError where error.code.rawValue == "ExpiredIteratorException" {
                current = try await iterator()
                continue
            }
            onRead(
                ShardRead(
                    shardID: shardID, records: result.records.count,
                    millisBehindLatest: result.millisBehindLatest.map { Int64($0) }))
            for record in result.records {
                buffer.append(record)
                bufferBytes += record.data.count
                lastRead = record.sequenceNumber
            }
            if oldest == nil && !buffer.isEmpty { oldest = clock.now }
            current = result.nextShardIterator
            if current == nil {
                try await flush(ended: true)
                outcome.ended = true
                return outcome
            }
            let drained = result.records.isEmpty && (result.millisBehindLatest ?? 0) == 0
            if drained && !caughtUp {
                caughtUp = true
                logger.info(
                    "caught up with the shard",
                    metadata: ["kinesis.shard": "\(shardID)", "records.unflushed": "\(buffer.count)"])
            }
            if buffer.count >= configuration.flushRecords || bufferBytes >= configuration.flushBytes
                || oldest.map({ clock.now - $0 >= configuration.flushAge }) == true
                || (drained && configuration.untilCaughtUp)
            {
                try await flush(ended: false)
            }
            if drained && configuration.untilCaughtUp { break }
            // At most 5 reads a second per shard; longer pauses while the shard is idle.
            let pause: Duration = result.records.isEmpty ? configuration.idlePause : .milliseconds(200)
            let next = started + pause
            if next > clock.now { await stop.sleep(for: next - clock.now) }
        }
        try await flush(ended: false)
        return outcome
    }
}
