import Foundation
import PGLite

/// A stage of the pipeline, as `pipeline_run` records it.
package enum PipelineStage: String, Sendable, Hashable, CaseIterable {
    /// One shard read under one lease.
    case ingest
    /// One or more silver batches.
    case silver
    /// One gold refresh.
    case gold
    /// One `lakehouse backfill`.
    case backfill
    /// One run of ``SilverMaintenance`` (compaction, vacuum, log expiry).
    case maintenance
}

/// The record of every stage run (`pipeline_run`): start, end, status, rows in and out, the
/// error of a failed run.
package struct RunHistory: Sendable {
    let connection: PGConnection
    /// The process the runs belong to.
    package let worker: String

    package init(connection: PGConnection, worker: String) {
        self.connection = connection
        self.worker = worker
    }

    /// The columns ``run(_:)`` reads, in its order.
    private static let runColumns = """
        run_id, stage, worker_id, subject, (extract(epoch FROM started_at) * 1000000)::bigint,
            extract(epoch FROM coalesce(ended_at, now()) - started_at)::float8, status, rows_in, rows_out, error
        """

    /// A row of ``runColumns``.
    private static func run(_ row: PGRow) throws -> PipelineStatus.Run {
        PipelineStatus.Run(
            id: try row.decode(Int64.self, at: 0), stage: try row.decode(String.self, at: 1),
            worker: try row.decode(String.self, at: 2), subject: try row.decode(String?.self, at: 3),
            startedAt: try row.decode(Int64.self, at: 4), seconds: try row.decode(Double.self, at: 5),
            status: try row.decode(String.self, at: 6), rowsIn: try row.decode(Int64.self, at: 7),
            rowsOut: try row.decode(Int64.self, at: 8), error: try row.decode(String?.self, at: 9))
    }

    /// The last `perStage` runs of each stage, by stage, newest first.
    package static func lastRuns(_ connection: PGConnection, perStage: Int) async throws -> [PipelineStatus.Run] {
        try await connection.query(
            """
            SELECT \(runColumns)
            FROM (SELECT *, row_number() OVER (PARTITION BY stage ORDER BY started_at DESC, run_id DESC) AS n
                  FROM pipeline_run) r
            WHERE n <= $1 ORDER BY stage, started_at DESC, run_id DESC
            """, [Int64(perStage)]
        ).rows.map(run)
    }

    /// The runs of `stage` with `status` (`nil`: any), newest first, `limit` of them after
    /// `offset`; and how many match in all.
    package static func runs(
        _ connection: PGConnection, stage: String?, status: String?, limit: Int, offset: Int
    ) async throws -> (runs: [PipelineStatus.Run], total: Int64) {
        let filter = "($1::text IS NULL OR stage = $1) AND ($2::text IS NULL OR status = $2)"
        let runs = try await connection.query(
            "SELECT \(runColumns) FROM pipeline_run WHERE \(filter) ORDER BY started_at DESC, run_id DESC LIMIT $3 OFFSET $4",
            [stage, status, Int64(limit), Int64(offset)]
        ).rows.map(run)
        let total = try await connection.query("SELECT count(*) FROM pipeline_run WHERE \(filter)", [stage, status])
            .rows[0].decode(Int64.self, at: 0)
        return (runs, total)
    }

    /// Records the start of a run; returns its id.
    package func start(_ stage: PipelineStage, subject: String? = nil) async throws -> Int64 {
        let result = try await connection.query(
            "INSERT INTO pipeline_run (stage, worker_id, subject, status) VALUES ($1, $2, $3, 'running') RETURNING run_id",
            [stage.rawValue, worker, subject])
        return try result.rows[0].decode(Int64.self, at: 0)
    }

    /// Updates a running run's row counts.
    package func progress(_ run: Int64, rowsIn: Int, rowsOut: Int) async throws {
        _ = try await connection.query(
            "UPDATE pipeline_run SET rows_in = $2, rows_out = $3 WHERE run_id = $1",
            [run, Int64(rowsIn), Int64(rowsOut)])
    }

    /// Records the end of a run: `succeeded` without an error, `failed` with one.
    package func finish(
        _ run: Int64, rowsIn: Int, rowsOut: Int, batches: ClosedRange<Int64>? = nil, error: String? = nil
    ) async throws {
        _ = try await connection.query(
            """
            UPDATE pipeline_run SET ended_at = clock_timestamp(), status = $2, rows_in = $3, rows_out = $4,
                batch_from = $5, batch_to = $6, error = $7
            WHERE run_id = $1
            """,
            [
                run, error == nil ? "succeeded" : "failed", Int64(rowsIn), Int64(rowsOut), batches?.lowerBound,
                batches?.upperBound, error.map { String($0.prefix(4000)) },
            ])
    }

    /// Marks the runs still `running` of `workers` (processes that stopped or stopped
    /// answering, from ``ShardLeaseTable/silentWorkers(after:)``) as `abandoned`, ended at each
    /// one's last heartbeat; returns how many.
    package func abandonRuns(of workers: [(id: String, lastHeard: Date)]) async throws -> Int {
        guard !workers.isEmpty else { return 0 }
        let result = try await connection.query(
            """
            UPDATE pipeline_run r SET status = 'abandoned', ended_at = to_timestamp(w.last_heard),
                error = 'the process stopped answering during this run'
            FROM unnest($1::text[], $2::float8[]) AS w(worker_id, last_heard)
            WHERE r.worker_id = w.worker_id AND r.status = 'running'
            """, [workers.map(\.id), workers.map(\.lastHeard.timeIntervalSince1970)])
        return result.affectedRows ?? 0
    }
}

extension RunHistory {
    /// Records a run that has ended, in one statement (for short runs: silver, gold).
    package func record(
        _ stage: PipelineStage, subject: String? = nil, startedAt: Date, rowsIn: Int, rowsOut: Int,
        batches: ClosedRange<Int64>? = nil, error: String? = nil
    ) async throws {
        _ = try await connection.query(
            """
            INSERT INTO pipeline_run (stage, worker_id, subject, started_at, ended_at, status, rows_in, rows_out,
                batch_from, batch_to, error)
            VALUES ($1, $2, $3, $4, clock_timestamp(), $5, $6, $7, $8, $9, $10)
            """,
            [
                stage.rawValue, worker, subject, startedAt, error == nil ? "succeeded" : "failed", Int64(rowsIn),
                Int64(rowsOut), batches?.lowerBound, batches?.upperBound, error.map { String($0.prefix(4000)) },
            ])
    }
}
