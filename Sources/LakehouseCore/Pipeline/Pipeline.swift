import AWSLite
import Foundation
import Logging
import PGLite
import Synchronization

/// The whole pipeline in one process (`lakehouse run`): ingest of the shards this process
/// leases, silver batches as soon as bronze has new objects, and a gold refresh after each
/// silver batch; several processes, on one machine or many, share a stream.
///
/// - **Shards** are leased in PostgreSQL (``ShardLeaseTable``): each process takes its share,
///   free leases first, then at most one stolen at a time from the busiest process (see
///   ``LeaseBalancer``); a child shard only after its parents ended. A process that dies is
///   replaced within ``Configuration/failoverTime``. A checkpoint moves only while its process
///   holds the lease.
/// - **Silver** batches are claimed with a PostgreSQL advisory lock, so two processes never
///   clean the same bronze objects at once; a poison object is quarantined whole after
///   ``SilverJob/Configuration/poisonAttempts`` tries.
/// - **Every stage run** is recorded in `pipeline_run` (``RunHistory``); a failing stage is
///   retried with a doubling pause, and never stops the other stages.
/// - **Stopping** (``StopSignal``): the readers flush and checkpoint, the leases are released,
///   and silver and gold take what bronze then holds.
public struct Pipeline: Sendable {
    /// What a run did.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// Records ingest wrote to bronze, over every shard this process read.
        public var ingestRecords = 0
        /// Bronze objects ingest wrote those records in.
        public var ingestObjects = 0
        /// What silver did.
        public var silver = SilverJob.Report()
        /// Gold refreshes that applied at least one silver batch.
        public var goldRefreshes = 0
        /// Silver rows those refreshes read (the sum of their ``GoldJob/Report/rows``).
        public var goldRows = 0
        /// Stage runs that failed (and were retried).
        public var failures = 0
        /// What this process delivered to webhook endpoints.
        public var webhooks = WebhookDeliverer.Report()

        /// An empty report, for a run to add to.
        public init() {}

        /// One line for a log or a terminal: `lakehouse run: ingest … records in … objects;
        /// silver: …; gold … refreshes of … rows; … failed stage runs`.
        public var description: String {
            "lakehouse run: ingest \(ingestRecords) records in \(ingestObjects) objects; \(silver); gold \(goldRefreshes) refreshes of \(goldRows) rows; \(failures) failed stage runs"
                + (webhooks == WebhookDeliverer.Report()
                    ? ""
                    : "; webhooks \(webhooks.delivered) delivered, \(webhooks.failed) retried, \(webhooks.dead) dead")
        }
    }

    /// The stream and buckets the pipeline works on, and its failover time and pacing.
    public let configuration: Configuration
    private let kinesis: KinesisClient
    let s3: S3Client
    let connect: @Sendable (String) async throws -> PGConnection
    let logger: Logger
    let objectHook: SilverJob.ObjectHook?

    /// A pipeline for `configuration`; nothing is connected or read until ``run(stop:)`` or
    /// ``backfill(from:through:force:stop:)``.
    ///
    /// - Parameters:
    ///   - connect: opens a connection to the pipeline's database, given a name for it (the
    ///     pipeline keeps three: coordination, silver and gold, and opens new ones after a
    ///     connection breaks).
    public init(
        configuration: Configuration, kinesis: KinesisClient, s3: S3Client,
        connect: @escaping @Sendable (String) async throws -> PGConnection, logger: Logger
    ) {
        self.init(
            configuration: configuration, kinesis: kinesis, s3: s3, connect: connect, logger: logger, objectHook: nil)
    }

    /// With the package's test seam: `objectHook` before silver cleans each bronze object.
    package init(
        configuration: Configuration, kinesis: KinesisClient, s3: S3Client,
        connect: @escaping @Sendable (String) async throws -> PGConnection, logger: Logger,
        objectHook: SilverJob.ObjectHook?
    ) {
        self.configuration = configuration
        self.kinesis = kinesis
        self.s3 = s3
        self.connect = connect
        self.logger = logger
        self.objectHook = objectHook
    }

    /// Runs until `stop` is signalled (or, with ``Configuration/untilCaughtUp``, until there is
    /// nothing left), then drains: readers flush and checkpoint, leases are released, silver and
    /// gold take what bronze holds.
    ///
    /// Cancelling the task that runs it stops it too, as `stop` does, but the drain's own calls
    /// are cancelled with it: calls in flight are abandoned (AWSLite's transfers, PGLite's
    /// statements through `PQcancel`), nothing read is lost (a checkpoint moves only after its
    /// object is written), and leases not released expire within
    /// ``Configuration/failoverTime``. ``JobService`` maps a graceful shutdown to `stop` and
    /// cancellation to cancellation.
    ///
    /// - Throws: ``PGError`` or ``AWSError`` only when the process cannot start (no database, no
    ///   stream); failures after that are retried.
    public func run(stop: StopSignal = StopSignal()) async throws -> Report {
        let coordination = HealingConnection(name: "lakehouse-coordination", logger: logger, connect: connect)
        let leases = configuration.leaseTable(try await coordination.current())
        try await leases.heartbeat(host: ProcessInfo.processInfo.hostName, pid: getpid())
        try await leases.register(try await kinesis.listShards(configuration.ingest.stream))
        logger.info(
            "lakehouse run started",
            metadata: [
                "worker": "\(configuration.worker)", "stream": "\(configuration.ingest.stream)",
                "failover.seconds": "\(configuration.failoverTime.components.seconds)",
            ])
        let readers = ShardReaders()
        let bronzeWritten = WakeSignal()
        let ingestDone = StopSignal()
        let failures = SharedCount()
        var coordinator = ShardCoordinator(
            context: ShardReader.Context(
                configuration: configuration, kinesis: kinesis, s3: s3, logger: logger, connection: coordination,
                readers: readers, bronzeWritten: bronzeWritten),
            failures: failures)
        var report = await withTaskCancellationHandler {
            async let batches = batchLoop(
                bronzeWritten: bronzeWritten, ingestDone: ingestDone, stop: stop, failures: failures)
            async let maintained: Void = maintenanceLoop(stop: ingestDone, failures: failures)
            let batchesDone = StopSignal()
            async let delivered = deliveryLoop(stop: batchesDone)
            await coordinator.run(stop: stop)
            ingestDone.stop()
            await maintained
            var report = await batches
            batchesDone.stop()
            report.webhooks = await delivered
            return report
        } onCancel: {
            stop.stop()
        }
        let totals = readers.totals
        report.ingestRecords = totals.records
        report.ingestObjects = totals.objects
        report.failures += failures.count
        if let connection = try? await coordination.current() {
            try? await configuration.leaseTable(connection).stopped()
        }
        await coordination.close()
        logger.info("lakehouse run stopped", metadata: ["report": "\(report)"])
        return report
    }

    // MARK: - Silver and gold

    /// Runs silver one batch at a time, each followed by a gold refresh, as soon as this process
    /// wrote to bronze (or every ``Configuration/silverPollInterval``, for what other processes
    /// wrote); after `ingestDone`, until neither has anything left.
    private func batchLoop(bronzeWritten: WakeSignal, ingestDone: StopSignal, stop: StopSignal, failures: SharedCount)
        async -> Report
    {
        var report = Report()
        let clock = ContinuousClock()
        let silverConnection = HealingConnection(name: "lakehouse-silver", logger: logger, connect: connect)
        let goldConnection = HealingConnection(name: "lakehouse-gold", logger: logger, connect: connect)
        var failuresInRow = 0
        var lastPass = clock.now - configuration.silverPollInterval
        var busy = false
        while true {
            let finishing = ingestDone.isStopped
            if !busy && !finishing {
                // Wait for new bronze, the poll interval, or the end of ingest.
                let left = configuration.silverPollInterval - (clock.now - lastPass)
                await ingestDone.sleep(for: left, orUntil: bronzeWritten)
            }
            bronzeWritten.take()
            lastPass = clock.now
            do {
                let silver = try await silverBatch(try await silverConnection.current())
                report.silver.add(silver ?? SilverJob.Report())
                let gold = try await goldRefresh(try await goldConnection.current())
                if gold.batches != nil {
                    report.goldRefreshes += 1
                    report.goldRows += gold.rows
                }
                failuresInRow = 0
                // Another batch at once while there is one; otherwise wait again.
                // (A claim another process kept: try again at once, unless draining.)
                busy = (silver.map { $0.batches > 0 } ?? !finishing) || gold.batches != nil
                if finishing && !busy { break }
            } catch {
                failuresInRow += 1
                failures.add(1)
                logger.error(
                    "silver or gold failed; retrying", metadata: ["error": "\(error)", "failures": "\(failuresInRow)"])
                // A broken connection is replaced at the next try.
                await silverConnection.heal()
                await goldConnection.heal()
                busy = false
                // Stopping (or cancelled): a few more tries, then give up (what is left waits
                // for the next run).
                if stop.isStopped && failuresInRow >= 3 { break }
                try? await Task.sleep(for: configuration.backoff(after: failuresInRow))
            }
        }
        await silverConnection.close()
        await goldConnection.close()
        return report
    }

    /// One silver batch at most, of the bronze objects in the registry that no batch holds
    /// (``BronzeRegistry``), under the silver claim (an advisory lock, waited for while another
    /// process holds it); an empty report when there is nothing new, `nil` when the claim stayed
    /// taken for ``claimWait``.
    private func silverBatch(_ connection: PGConnection) async throws -> SilverJob.Report? {
        try await silverBatch(connection) { job, progress in
            let one = StopSignal()
            return try await job.runOnce(stop: one) { number, counts in
                one.stop()
                progress(number, counts)
            }
        }?.0
    }

    /// One batch at most, as `run` makes it, under the silver claim and recorded in the run
    /// history; its report and number, or `nil` when another process kept the claim longer than
    /// ``claimWait``.
    private func silverBatch(
        _ connection: PGConnection,
        _ run: (SilverJob, @escaping @Sendable (Int64, SilverStore.BatchCounts) -> Void) async throws
            -> SilverJob.Report
    ) async throws -> (SilverJob.Report, Int64?)? {
        let history = RunHistory(connection: connection, worker: configuration.worker)
        let job = SilverJob(
            s3: s3, store: SilverStore(connection: connection), configuration: configuration.silver, logger: logger,
            faultHook: nil, objectHook: objectHook)
        do {
            return try await claimed(connection, job: job, history: history, run)
        } catch let error as PGError where error.sqlState == "55P03" {
            logger.debug("the silver claim stayed taken; trying again", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// How long a batch waits for the silver claim before giving up for this turn.
    static let claimWait: Duration = .seconds(2)

    /// Runs `run` under the silver claim and records it in the run history.
    private func claimed(
        _ connection: PGConnection, job: SilverJob, history: RunHistory,
        _ run: (SilverJob, @escaping @Sendable (Int64, SilverStore.BatchCounts) -> Void) async throws
            -> SilverJob.Report
    ) async throws -> (SilverJob.Report, Int64?) {
        // Wait for another process's batch, but not for ever: a holder cut off by the network
        // keeps its session (and the claim) until the server notices.
        try await connection.withAdvisoryLock(Self.silverClaim(configuration.silver), timeout: Self.claimWait) {
            _ -> (SilverJob.Report, Int64?) in
            let started = Date()
            let batches = Mutex<ClosedRange<Int64>?>(nil)
            do {
                let report = try await run(job) { number, _ in batches.withLock { $0 = number...number } }
                let batch = batches.withLock { $0 }
                if report.batches > 0 {
                    try await history.record(
                        .silver, startedAt: started, rowsIn: report.counts.input, rowsOut: report.counts.valid,
                        batches: batch)
                    PipelineMetrics.silver(report, seconds: Date().timeIntervalSince(started))
                }
                return (report, batch?.lowerBound)
            } catch {
                PipelineMetrics.failed(.silver)
                try? await history.record(.silver, startedAt: started, rowsIn: 0, rowsOut: 0, error: "\(error)")
                throw error
            }
        }
    }

    /// One gold refresh (it waits for another process's refresh, then applies what is left).
    private func goldRefresh(_ connection: PGConnection) async throws -> GoldJob.Report {
        let history = RunHistory(connection: connection, worker: configuration.worker)
        let started = Date()
        do {
            let report = try await GoldJob(connection: connection, logger: logger).refresh()
            if let batches = report.batches {
                try await history.record(
                    .gold, startedAt: started, rowsIn: report.rows, rowsOut: report.movements, batches: batches)
                PipelineMetrics.gold(report, seconds: Date().timeIntervalSince(started))
            }
            return report
        } catch {
            PipelineMetrics.failed(.gold)
            try? await history.record(.gold, startedAt: started, rowsIn: 0, rowsOut: 0, error: "\(error)")
            throw error
        }
    }

    /// The advisory lock key of silver's claim on a silver bucket (FNV-1a of its name).
    static func silverClaim(_ silver: SilverJob.Configuration) -> Int64 {
        advisoryKey("lakehouse.silver:\(silver.silverBucket)")
    }

    /// An advisory lock key for `name` (FNV-1a), the same in every process.
    static func advisoryKey(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int64(bitPattern: hash)
    }

}
