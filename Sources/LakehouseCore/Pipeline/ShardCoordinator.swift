import AWSLite
import Foundation
import Logging
import PGLite

/// The ingest half of a ``Pipeline`` process: it keeps the process's share of shard leases and
/// one ``ShardReader`` on each held shard, until stopped (or, with `untilCaughtUp`, until every
/// shard it can hold is drained); then it stops the readers, waits for their last checkpoints
/// and releases the leases.
///
/// The readers are child tasks of one task group, so none outlives the coordinator. It passes
/// over the leases every ``Pipeline/Configuration/takeInterval``, or at once when a reader ends.
/// Its PostgreSQL connection heals: while the server is away, each pass fails and is tried
/// again after a doubling pause, and the next pass that reaches it carries on (leases that
/// expired meanwhile are taken again like any free lease).
struct ShardCoordinator {
    private let context: ShardReader.Context
    private let failures: SharedCount
    private let clock = ContinuousClock()

    /// Shards whose lease this process holds.
    private var held: Set<String> = []
    /// Shards read to their tip here with `untilCaughtUp`: not read again unless taken anew.
    private var drained: Set<String> = []
    /// When a failed reader may start again, and how many times in a row it failed.
    private var retryAt: [String: ContinuousClock.Instant] = [:]
    private var failuresInRow: [String: Int] = [:]
    /// When leases were last renewed (`nil`: not yet) and shards last listed.
    private var lastRenew: ContinuousClock.Instant?
    private var lastList: ContinuousClock.Instant
    /// Passes that failed in a row.
    private var errorsInRow = 0
    /// The database server's clock when the first pass ran.
    private var startedAt: Date?

    private var configuration: Pipeline.Configuration { context.configuration }
    private var worker: String { context.configuration.worker }
    private var logger: Logger { context.logger }

    init(context: ShardReader.Context, failures: SharedCount) {
        self.context = context
        self.failures = failures
        lastList = clock.now
    }

    /// Coordinates until `stop` (or, with `untilCaughtUp`, until caught up), then stops the
    /// readers, waits for them and releases the leases it holds.
    mutating func run(stop: StopSignal) async {
        await withDiscardingTaskGroup { readerTasks in
            while !stop.isStopped {
                do {
                    if try await pass(readerTasks: &readerTasks) { break }
                    errorsInRow = 0
                } catch {
                    await passFailed(error, stop: stop)
                }
                await stop.sleep(for: configuration.takeInterval, orUntil: context.readers.changed)
            }
            context.readers.stopAll()
        }
        _ = context.readers.takeEndings()
        if let connection = try? await context.connection.current() {
            try? await table(connection).release(Array(held))
        }
    }

    /// One pass: what the readers did, lease upkeep, this process's share, a reader on each held
    /// shard. Whether the process is caught up (with `untilCaughtUp`) and can stop.
    private mutating func pass(readerTasks: inout DiscardingTaskGroup) async throws -> Bool {
        let connection = try await context.connection.current()
        let leases = table(connection)
        let history = RunHistory(connection: connection, worker: worker)
        if startedAt == nil { startedAt = try await leases.serverNow() }
        try await collectEndings(leases)
        try await renewIfDue(leases, history: history)
        if clock.now - lastList >= .seconds(30) {
            try await leases.register(try await context.kinesis.listShards(configuration.ingest.stream))
            lastList = clock.now
        }
        let (all, plan) = try await takeShare(leases, history: history)
        try await startReaders(readerTasks: &readerTasks)
        guard configuration.untilCaughtUp, plan.take.isEmpty, plan.steal == nil else { return false }
        return try await isCaughtUp(leases, all: all)
    }

    /// Takes how the readers ended since the last pass: an ended shard's lease goes, a failed
    /// reader waits a growing pause before it starts again.
    private mutating func collectEndings(_ leases: ShardLeaseTable) async throws {
        context.readers.changed.take()
        for (shard, ending) in context.readers.takeEndings() {
            switch ending {
            case .ended:
                try await leases.release([shard])
                held.remove(shard)
                lastList = clock.now - .seconds(3600)  // its children may be readable now
            case .stopped:
                if configuration.untilCaughtUp { drained.insert(shard) }
            case .leaseLost:
                held.remove(shard)
            case .failed(_, let progressed):
                failures.add(1)
                let inRow = progressed ? 1 : failuresInRow[shard, default: 0] + 1
                failuresInRow[shard] = inRow
                retryAt[shard] = clock.now + configuration.backoff(after: inRow)
            }
        }
    }

    /// Every ``Pipeline/Configuration/renewInterval``: the heartbeat, the readers' progress in
    /// their runs, the held leases renewed (a reader whose lease is gone is stopped), and the
    /// runs of processes that stopped answering closed.
    private mutating func renewIfDue(_ leases: ShardLeaseTable, history: RunHistory) async throws {
        if let lastRenew, clock.now - lastRenew < configuration.renewInterval { return }
        try await leases.heartbeat(host: ProcessInfo.processInfo.hostName, pid: getpid())
        for (_, reader) in context.readers.running {
            try await history.progress(reader.run, rowsIn: reader.records, rowsOut: reader.objects)
        }
        let kept = try await leases.renew(Array(held), lags: context.readers.lags)
        let lost = held.subtracting(kept)
        if !lost.isEmpty {
            logger.warning("shard leases lost", metadata: ["kinesis.shards": "\(lost.sorted())"])
            context.readers.stop(lost)
        }
        held = kept
        lastRenew = clock.now
        try await abandonRunsOfSilentWorkers(leases, history: history)
    }

    /// Takes this process's share of the leases (``LeaseBalancer``): free ones first, at most one
    /// stolen from the busiest process. All leases as read, and the plan.
    private mutating func takeShare(_ leases: ShardLeaseTable, history: RunHistory) async throws
        -> ([ShardLease], LeaseBalancer.Plan)
    {
        let all = try await leases.leases()
        let plan = LeaseBalancer.plan(
            leases: all.filter { !drained.contains($0.shardID) || $0.owner != worker },
            worker: worker, workers: try await leases.liveWorkers())
        var tookExpired = false
        for lease in plan.take + (plan.steal.map { [$0] } ?? []) where try await leases.take(lease) {
            if let owner = lease.owner, lease.isLive {
                logger.info("shard lease stolen", metadata: ["kinesis.shard": "\(lease.shardID)", "from": "\(owner)"])
            } else if let owner = lease.owner, owner != worker {
                logger.warning(
                    "expired shard lease taken over",
                    metadata: ["kinesis.shard": "\(lease.shardID)", "from": "\(owner)"])
                tookExpired = true
            }
            held.insert(lease.shardID)
            drained.remove(lease.shardID)
        }
        // A process whose leases expired has stopped answering: its open runs end here.
        if tookExpired { try await abandonRunsOfSilentWorkers(leases, history: history) }
        return (all, plan)
    }

    /// Closes the runs of processes that stopped answering (no heartbeat for a lease's duration).
    private func abandonRunsOfSilentWorkers(_ leases: ShardLeaseTable, history: RunHistory) async throws {
        let silent = try await leases.silentWorkers(after: configuration.leaseDuration.inSeconds)
        _ = try await history.abandonRuns(of: silent)
    }

    /// A reader on every held shard that has none (new, or failed and paused long enough).
    private mutating func startReaders(readerTasks: inout DiscardingTaskGroup) async throws {
        let running = context.readers.running
        for shard in held.sorted()
        where running[shard] == nil && !drained.contains(shard) && (retryAt[shard] ?? clock.now) <= clock.now {
            retryAt[shard] = nil
            let reader = try await ShardReader.prepare(shard, context: context)
            readerTasks.addTask { await reader.read() }
        }
    }

    /// With `untilCaughtUp`: whether every readable shard was drained here or is read by a
    /// process heard from since this one started (a dead one's leases expire first).
    private func isCaughtUp(_ leases: ShardLeaseTable, all: [ShardLease]) async throws -> Bool {
        guard context.readers.running.isEmpty, retryAt.isEmpty, held.isSubset(of: drained) else { return false }
        let alive = try await leases.workers(heardAfter: startedAt ?? Date())
        let pending = LeaseBalancer.readable(all).filter { lease in
            guard !drained.contains(lease.shardID) else { return false }
            guard let owner = lease.owner, lease.isHeld, owner != worker else { return true }
            return !alive.contains(owner)
        }
        return pending.isEmpty
    }

    /// A pass failed: count it, let the connection heal, and pause (doubling while it fails).
    private mutating func passFailed(_ error: any Error, stop: StopSignal) async {
        errorsInRow += 1
        failures.add(1)
        await context.connection.heal()
        let pause = configuration.backoff(after: errorsInRow)
        logger.error(
            "shard coordination failed; retrying",
            metadata: ["error": "\(error)", "failures": "\(errorsInRow)", "retry.seconds": "\(pause.inSeconds)"])
        await stop.sleep(for: pause)
    }

    private func table(_ connection: PGConnection) -> ShardLeaseTable { configuration.leaseTable(connection) }
}
