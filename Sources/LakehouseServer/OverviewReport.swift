import Foundation
import Hummingbird
import LakehouseCore
import PGLite

/// `GET /api/v1/overview`: where the pipeline stands, as the Overview page shows it. Times are
/// RFC 3339 in UTC; durations in seconds.
public struct OverviewReport: Codable, Sendable, Equatable, ResponseEncodable {
    /// A `lakehouse run` process.
    public struct Worker: Codable, Sendable, Equatable {
        /// Its worker id in leases and run history.
        public var id: String
        /// The host it runs on.
        public var host: String
        /// Seconds since its last heartbeat, by the database server's clock.
        public var secondsSinceHeartbeat: Double
        /// `alive`, `stopped` or `silent`.
        public var state: String
    }

    /// A shard's lease.
    public struct Shard: Codable, Sendable, Equatable {
        /// The shard id.
        public var shard: String
        /// The process holding it; `nil` when free or ended.
        public var owner: String?
        /// Whether the shard is closed (resharded) and read to its end.
        public var ended: Bool
        /// How far its reader is behind the stream's tip (Kinesis's MillisBehindLatest).
        public var lagMilliseconds: Int64?
    }

    /// One stage run.
    public struct Run: Codable, Sendable, Equatable {
        /// The run's id in `pipeline_run`.
        public var id: Int64
        /// `ingest`, `silver`, `gold`, `backfill` or `maintenance`.
        public var stage: String
        /// The process that ran it.
        public var worker: String
        /// What it ran on: the shard of an ingest run.
        public var subject: String?
        /// When it started.
        public var startedAt: String
        /// How long it took, or has taken so far.
        public var seconds: Double
        /// `running`, `succeeded`, `failed` or `abandoned`.
        public var status: String
        /// Rows read: records for ingest, bronze lines for silver, silver rows for gold.
        public var rowsIn: Int64
        /// Rows written: bronze objects for ingest, valid rows for silver, movements for gold.
        public var rowsOut: Int64
        /// Why it failed, when it did.
        public var error: String?

        /// `run` as the API gives it.
        init(_ run: PipelineStatus.Run) {
            id = run.id
            stage = run.stage
            worker = run.worker
            subject = run.subject
            startedAt = OverviewReport.time(run.startedAt)
            seconds = run.seconds
            status = run.status
            rowsIn = run.rowsIn
            rowsOut = run.rowsOut
            error = run.error
        }
    }

    /// Open alerts of one kind.
    public struct AlertCount: Codable, Sendable, Equatable {
        /// The alert kind (`OUT_OF_STOCK`, `REORDER_NOW`…).
        public var kind: String
        /// How many are open.
        public var count: Int64

        /// `count` open alerts of `kind`.
        public init(kind: String, count: Int64) {
            self.kind = kind
            self.count = count
        }
    }

    /// The Kinesis stream whose pipeline this is.
    public var stream: String
    /// The newest event gold holds; `nil` before it holds any.
    public var newestGoldEvent: String?
    /// That event's age, by the database server's clock.
    public var freshnessSeconds: Double?
    /// Silver batches loaded and not yet applied to gold.
    public var silverBatchesPending: Int64
    /// The `lakehouse run` processes that have worked on the stream.
    public var workers: [Worker]
    /// Each shard's lease and lag.
    public var shards: [Shard]
    /// The last runs of each stage, newest first, stages in pipeline order.
    public var runs: [Run]
    /// Open item alerts by kind, the most first.
    public var openAlerts: [AlertCount]
    /// Items gold knows.
    public var items: Int64
    /// Items never counted (stock unknown).
    public var neverCounted: Int64
    /// Events ingest wrote to bronze in each of the last 60 minutes, oldest first (the last is the
    /// minute now running), by the database server's clock.
    public var eventsPerMinute: [Int64] = []
    /// Counted items with stock on hand now, chain-wide.
    public var itemsInStock: Int64 = 0
    /// The share of counted items with stock on hand now, chain-wide (0 to 1); `nil` before
    /// any item is counted.
    public var availability: Double?

    /// The report of `status`.
    public init(_ status: PipelineStatus) {
        stream = status.stream
        newestGoldEvent = status.newestGoldEvent.map(Self.time)
        freshnessSeconds = status.freshnessSeconds
        silverBatchesPending = status.silverBatchesPending
        workers = status.workers.map {
            Worker(
                id: $0.id, host: $0.host, secondsSinceHeartbeat: $0.secondsSinceHeartbeat,
                state: $0.isStopped
                    ? "stopped" : $0.secondsSinceHeartbeat < PipelineStatus.silentAfter ? "alive" : "silent")
        }
        shards = status.shards.map {
            Shard(
                shard: $0.shardID, owner: $0.isHeld ? $0.owner : nil, ended: $0.isEnded,
                lagMilliseconds: $0.lagMilliseconds)
        }
        runs = PipelineStage.allCases.flatMap { stage in (status.runs[stage.rawValue] ?? []).map(Run.init) }
        openAlerts = status.openAlerts.map { AlertCount(kind: $0.kind, count: $0.count) }
        items = status.items
        neverCounted = status.neverCounted
    }

    /// `micros` (since 1970, UTC) as RFC 3339 with microseconds.
    static func time(_ micros: Int64) -> String { EventTimestamp.format(micros: micros) }
}

enum OverviewQueries {
    /// The overview: `status`, with the events of the last hour by minute and today's availability.
    static func report(_ connection: PGConnection, stream: String) async throws -> OverviewReport {
        var report = OverviewReport(try await PipelineStatus.read(connection: connection, stream: stream))
        report.eventsPerMinute = try await connection.query(
            """
            SELECT coalesce(sum(b.records), 0)::bigint
            FROM generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()),
                interval '1 minute') AS m(start)
            LEFT JOIN bronze_object b ON b.written_at >= m.start AND b.written_at < m.start + interval '1 minute'
            GROUP BY m.start ORDER BY m.start
            """
        ).rows.map { try $0.decode(Int64.self, at: 0) }
        let stock = try await connection.query(
            """
            SELECT count(*) FILTER (WHERE on_hand > 0), count(*)
            FROM stock_position WHERE last_count_time IS NOT NULL
            """
        ).rows[0]
        report.itemsInStock = try stock.decode(Int64.self, at: 0)
        let counted = try stock.decode(Int64.self, at: 1)
        report.availability = counted > 0 ? Double(report.itemsInStock) / Double(counted) : nil
        return report
    }
}
