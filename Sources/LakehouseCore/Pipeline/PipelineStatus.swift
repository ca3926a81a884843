import Foundation
import PGLite

/// Where the pipeline of one stream stands, as `lakehouse status` prints it: its processes, each
/// shard's owner and lag, the last runs of each stage, gold's freshness and the open alerts.
public struct PipelineStatus: Sendable {
    /// A `lakehouse run` process.
    public struct Worker: Sendable, Hashable {
        /// Its worker id in leases and run history (``Pipeline/Configuration/worker``).
        public var id: String
        /// The host it runs on, as its heartbeat said.
        public var host: String
        /// Its process id on that host.
        public var pid: Int32
        /// Seconds since its last heartbeat, by the database server's clock.
        public var secondsSinceHeartbeat: Double
        /// Whether it stopped cleanly (drained and said so) rather than went silent.
        public var isStopped: Bool
        /// Whether its process still runs, when it ran on this host (`nil`: another host, so
        /// unknown). A process that runs but is silent is waiting for PostgreSQL (it reconnects
        /// by itself) or stuck; one that does not run is dead.
        public var processRunning: Bool?
    }

    /// One stage run (`pipeline_run`).
    public struct Run: Sendable, Hashable {
        /// The run's id in `pipeline_run`.
        public var id: Int64
        /// `ingest`, `silver` or `gold`.
        public var stage: String
        /// The worker id of the process that ran it.
        public var worker: String
        /// What it ran on: the shard of an ingest run; `nil` for silver and gold.
        public var subject: String?
        /// When it started, in microseconds since 1970 (UTC).
        public var startedAt: Int64
        /// How long it took, or has taken so far while running.
        public var seconds: Double
        /// `running`, `succeeded`, `failed` or `abandoned` (its process died).
        public var status: String
        /// Rows it read: records for ingest, bronze lines for silver, silver rows for gold.
        public var rowsIn: Int64
        /// Rows it wrote: bronze objects for ingest, valid rows for silver, movements for gold.
        public var rowsOut: Int64
        /// Why it failed, when it did.
        public var error: String?
    }

    /// The Kinesis stream this is the status of.
    public var stream: String
    /// The `lakehouse run` processes that have worked on the stream, live or not.
    public var workers: [Worker] = []
    /// Each shard's lease: owner, expiry and lag.
    public var shards: [ShardLease] = []
    /// The last runs of each stage, newest first.
    public var runs: [String: [Run]] = [:]
    /// The newest event visible in gold (its event time, microseconds since the epoch) and its
    /// age in seconds; `nil` before gold has any.
    public var newestGoldEvent: Int64?
    /// The age of ``newestGoldEvent`` in seconds, by the database server's clock.
    public var freshnessSeconds: Double?
    /// Silver batches loaded but not yet applied to gold.
    public var silverBatchesPending: Int64 = 0
    /// Open item alerts by kind, the most first (as `gold summary` counts them).
    public var openAlerts: [(kind: String, count: Int64)] = []
    /// Items gold knows, those never counted (stock unknown), and those whose last count is more
    /// than ``countAgeDays`` days older than the newest event.
    public var items: Int64 = 0
    /// Items whose stock was never counted (their on-hand is unknown).
    public var neverCounted: Int64 = 0
    /// Items whose last count is more than ``countAgeDays`` days older than the newest event.
    public var countOlderThanDays: Int64 = 0
    /// How old a count may be before ``countOlderThanDays`` counts it (default 7 days).
    public var countAgeDays = 7

    /// An empty status of `stream`, to fill with ``readGold(_:)`` alone.
    package init(stream: String) {
        self.stream = stream
    }

    /// Reads the status of `stream`'s pipeline, with the last `runsPerStage` runs of each stage.
    ///
    /// - Throws: ``PGError`` (run `provision apply` first when the tables are missing).
    public static func read(connection: PGConnection, stream: String, runsPerStage: Int = 5) async throws
        -> PipelineStatus
    {
        var status = PipelineStatus(stream: stream)
        let leases = ShardLeaseTable(connection: connection, stream: stream, worker: "", duration: .zero)
        status.workers = try await leases.workers()
        let host = ProcessInfo.processInfo.hostName
        for index in status.workers.indices where status.workers[index].host == host {
            // Signal 0 only asks whether the process exists (EPERM: it does, as another user).
            status.workers[index].processRunning =
                kill(status.workers[index].pid, 0) == 0 || errno == EPERM
        }
        status.shards = try await leases.leases()
        for run in try await RunHistory.lastRuns(connection, perStage: runsPerStage) {
            status.runs[run.stage, default: []].append(run)
        }
        try await status.readGold(connection)
        (status.items, status.neverCounted, status.countOlderThanDays) = try await GoldJob.countAges(
            connection, days: status.countAgeDays)
        return status
    }

    /// Reads gold's part alone: freshness, silver batches pending, open alerts by kind (a few
    /// index lookups; no process, shard, run or item is read).
    package mutating func readGold(_ connection: PGConnection) async throws {
        let fresh = try await connection.query(
            """
            SELECT (extract(epoch FROM max(last_event_time)) * 1000000)::bigint,
                extract(epoch FROM now() - max(last_event_time))::float8
            FROM store_activity
            """
        ).rows[0]
        newestGoldEvent = try fresh.decode(Int64?.self, at: 0)
        freshnessSeconds = try fresh.decode(Double?.self, at: 1)
        silverBatchesPending = try await connection.query(
            """
            SELECT greatest(0, coalesce((SELECT max(silver_batch) FROM sales_silver), 0)
                - coalesce((SELECT value FROM gold_state WHERE name = 'silver_batch'), 0))
            """
        ).rows[0].decode(Int64.self, at: 0)
        openAlerts = try await GoldJob.openAlertsByKind(connection)
    }

    /// Seconds without a heartbeat after which `text` calls a process silent: a process sends
    /// one every fifth of its failover time, so with the default (10 s) a live one is never
    /// this quiet.
    public static let silentAfter = 6.0

    /// The status as `lakehouse status` prints it: aligned tables, with text that came from the
    /// database (ids, errors) escaped.
    public var text: String {
        var lines = ["stream \(TerminalText.escaped(stream))", "processes:"]
        lines += processLines
        lines.append("shards:")
        lines += shardLines
        if let freshnessSeconds, let newestGoldEvent {
            lines.append(
                "gold freshness: newest event \(EventTimestamp.format(micros: newestGoldEvent).prefix(19))Z, \(Self.seconds(freshnessSeconds)) old; \(silverBatchesPending) silver batches pending"
            )
        } else {
            lines.append("gold freshness: gold holds no event yet")
        }
        lines.append(
            "open item alerts: "
                + (openAlerts.isEmpty ? "none" : openAlerts.map { "\($0.kind) \($0.count)" }.joined(separator: ", ")))
        lines.append(
            "stock counts: \(items) items; \(neverCounted) never counted (stock unknown, no stock alerts); "
                + "\(countOlderThanDays) last counted over \(countAgeDays) days before the newest event")
        lines += runLines
        return lines.joined(separator: "\n")
    }

    /// A table's lines, indented under their heading.
    private static func indented(_ table: String) -> [String] { table.split(separator: "\n").map { "  " + $0 } }

    /// Each process's last heartbeat and what that says of it.
    private var processLines: [String] {
        guard !workers.isEmpty else { return ["  none has run"] }
        let rows = workers.map { worker -> [String] in
            let state =
                switch (worker.isStopped, worker.secondsSinceHeartbeat < Self.silentAfter, worker.processRunning) {
                case (true, _, _): "stopped"
                case (false, true, _): "alive"
                case (false, false, true?):
                    "silent, but process \(worker.pid) runs here: waiting for PostgreSQL (it reconnects by itself)"
                case (false, false, false?): "dead: no process \(worker.pid) on this host"
                case (false, false, nil): "silent (on \(worker.host): dead, or cut off from PostgreSQL)"
                }
            return [worker.id, "last heard \(Self.seconds(worker.secondsSinceHeartbeat)) ago", state]
        }
        return Self.indented(TerminalText.table(["process", "heartbeat", "state"], rows, alignments: [.left]))
    }

    /// Each shard's owner, lag and last read.
    private var shardLines: [String] {
        guard !shards.isEmpty else { return ["  none registered"] }
        let rows = shards.map { shard -> [String] in
            [
                shard.shardID, shard.isEnded ? "(ended)" : shard.isHeld ? shard.owner! : "(free)",
                shard.lagMilliseconds.map { "\(Self.seconds(Double($0) / 1000)) behind the tip" } ?? "lag unknown",
                shard.secondsSinceRead.map { "read \(Self.seconds($0)) ago" } ?? "",
            ]
        }
        return Self.indented(TerminalText.table(["shard", "owner", "lag", "last read"], rows, alignments: [.left]))
    }

    /// The last runs of each stage that has any, in the stages' order.
    private var runLines: [String] {
        var lines: [String] = []
        for stage in PipelineStage.allCases.map(\.rawValue) {
            guard let runs = runs[stage] else { continue }
            lines.append("last \(stage) runs:")
            let rows = runs.map { run -> [String] in
                [
                    "#\(run.id)", run.subject ?? "", "\(EventTimestamp.format(micros: run.startedAt).prefix(19))Z",
                    run.status, Self.seconds(run.seconds), String(run.rowsIn), String(run.rowsOut), run.worker,
                    run.error.map { String($0.prefix(200)) } ?? "",
                ]
            }
            lines += Self.indented(
                TerminalText.table(
                    ["run", "subject", "started", "status", "took", "in", "out", "by", "error"], rows,
                    alignments: [.left, .left, .left, .left, .right, .right, .right, .left, .left]))
        }
        return lines
    }

    /// `0.4 s`, `12 s`, `3 min 5 s`, `2 h 3 min`, `3 d 4 h`.
    package static func seconds(_ value: Double) -> String {
        if value < 10 { return String(format: "%.1f s", value) }
        let whole = Int(value.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        if whole < 86_400 { return "\(whole / 3600) h \(whole % 3600 / 60) min" }
        return "\(whole / 86_400) d \(whole % 86_400 / 3600) h"
    }
}
