import AWSLite
import Foundation
import PGLite

/// Shard leases and the processes holding them, in PostgreSQL (`shard_lease`,
/// `pipeline_worker`). Every time comparison uses the server's clock, so the machines' clocks
/// do not matter.
package struct ShardLeaseTable: Sendable {
    private let connection: PGConnection
    package let stream: String
    /// This process's id (`host:pid:random`).
    package let worker: String
    /// How long a lease lasts without renewal.
    package let duration: Duration

    package init(connection: PGConnection, stream: String, worker: String, duration: Duration) {
        self.connection = connection
        self.stream = stream
        self.worker = worker
        self.duration = duration
    }

    private var seconds: Double { duration.inSeconds }

    /// Adds a lease row for each shard not known yet (with its parents).
    package func register(_ shards: [KinesisShard]) async throws {
        guard !shards.isEmpty else { return }
        let parents = shards.map {
            [$0.parentShardID, $0.adjacentParentShardID].compactMap { $0 }.joined(separator: ",")
        }
        _ = try await connection.query(
            """
            INSERT INTO shard_lease (stream, shard_id, parent_shard_ids)
            SELECT $1, shard, CASE WHEN parents = '' THEN '{}'::text[] ELSE string_to_array(parents, ',') END
            FROM unnest($2::text[], $3::text[]) AS s(shard, parents)
            ON CONFLICT DO NOTHING
            """, [stream, shards.map(\.shardID), parents])
    }

    /// The stream's processes: running, or stopped within the hour; the oldest first.
    package func workers() async throws -> [PipelineStatus.Worker] {
        try await connection.query(
            """
            SELECT worker_id, host, pid, extract(epoch FROM now() - heartbeat_at)::float8, stopped_at IS NOT NULL
            FROM pipeline_worker WHERE stream = $1 AND (stopped_at IS NULL OR stopped_at > now() - interval '1 hour')
            ORDER BY started_at
            """, [stream]
        ).rows.map { row in
            PipelineStatus.Worker(
                id: try row.decode(String.self, at: 0), host: try row.decode(String.self, at: 1),
                pid: try row.decode(Int32.self, at: 2), secondsSinceHeartbeat: try row.decode(Double.self, at: 3),
                isStopped: try row.decode(Bool.self, at: 4))
        }
    }

    /// Every lease of the stream, with whether each shard has ended.
    package func leases() async throws -> [ShardLease] {
        let result = try await connection.query(
            """
            SELECT l.shard_id, l.owner, l.counter, coalesce(l.expires_at > now(), false) AS live,
                array_to_string(l.parent_shard_ids, ',') AS parents, coalesce(c.shard_ended, false) AS ended,
                l.lag_ms, extract(epoch FROM now() - l.read_at)::float8 AS since_read
            FROM shard_lease l LEFT JOIN ingest_checkpoints c USING (stream, shard_id)
            WHERE l.stream = $1 ORDER BY l.shard_id
            """, [stream])
        return try result.rows.map { row in
            let parents = try row.decode(String.self, "parents")
            return ShardLease(
                shardID: try row.decode(String.self, "shard_id"), owner: try row.decode(String?.self, "owner"),
                counter: try row.decode(Int64.self, "counter"), isLive: try row.decode(Bool.self, "live"),
                parentShardIDs: parents.isEmpty ? [] : parents.split(separator: ",").map(String.init),
                isEnded: try row.decode(Bool.self, "ended"), lagMilliseconds: try row.decode(Int64?.self, "lag_ms"),
                secondsSinceRead: try row.decode(Double?.self, "since_read"))
        }
    }

    /// Takes `lease` if its counter is still the one seen (so a lease renewed or taken since is
    /// left alone); returns whether it was taken.
    package func take(_ lease: ShardLease) async throws -> Bool {
        let result = try await connection.query(
            """
            UPDATE shard_lease SET owner = $3, counter = counter + 1,
                expires_at = now() + make_interval(secs => $4), lag_ms = NULL, read_at = NULL
            WHERE stream = $1 AND shard_id = $2 AND counter = $5
            RETURNING shard_id
            """, [stream, lease.shardID, worker, seconds, lease.counter])
        return !result.rows.isEmpty
    }

    /// Renews the leases this process still holds among `shards` (with each one's last lag);
    /// returns those it holds.
    package func renew(_ shards: [String], lags: [String: Int64] = [:]) async throws -> Set<String> {
        guard !shards.isEmpty else { return [] }
        let result = try await connection.query(
            """
            UPDATE shard_lease l SET counter = l.counter + 1, expires_at = now() + make_interval(secs => $3),
                lag_ms = coalesce(s.lag, l.lag_ms), read_at = CASE WHEN s.lag IS NULL THEN l.read_at ELSE now() END
            FROM (SELECT shard, nullif(lag, -1) AS lag FROM unnest($4::text[], $5::bigint[]) AS u(shard, lag)) s
            WHERE l.stream = $1 AND l.owner = $2 AND l.shard_id = s.shard
            RETURNING l.shard_id
            """, [stream, worker, seconds, shards, shards.map { lags[$0] ?? -1 }])
        return Set(try result.rows.map { try $0.decode(String.self, at: 0) })
    }

    /// Releases this process's leases among `shards`, so another process can take them at once.
    package func release(_ shards: [String]) async throws {
        guard !shards.isEmpty else { return }
        _ = try await connection.query(
            """
            UPDATE shard_lease SET owner = NULL, expires_at = NULL, counter = counter + 1
            WHERE stream = $1 AND owner = $2 AND shard_id = ANY($3)
            """, [stream, worker, shards])
    }

    /// Records that this process is alive (and where it runs).
    package func heartbeat(host: String, pid: Int32) async throws {
        _ = try await connection.query(
            """
            INSERT INTO pipeline_worker (worker_id, stream, host, pid) VALUES ($1, $2, $3, $4)
            ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL
            """, [worker, stream, host, pid])
    }

    /// The server's clock now (to compare heartbeats with).
    package func serverNow() async throws -> Date {
        try await connection.query("SELECT now()").rows[0].decode(Date.self, at: 0)
    }

    /// The processes of this stream that have sent a heartbeat after `moment` and not stopped.
    package func workers(heardAfter moment: Date) async throws -> Set<String> {
        let result = try await connection.query(
            "SELECT worker_id FROM pipeline_worker WHERE stream = $1 AND stopped_at IS NULL AND heartbeat_at > $2",
            [stream, moment])
        return Set(try result.rows.map { try $0.decode(String.self, at: 0) })
    }

    /// The processes of this stream that stopped, or sent no heartbeat for `seconds`, with their
    /// last heartbeat: whose runs still marked `running` ended then.
    package func silentWorkers(after seconds: Double) async throws -> [(id: String, lastHeard: Date)] {
        let result = try await connection.query(
            """
            SELECT worker_id, heartbeat_at FROM pipeline_worker
            WHERE stream = $1 AND (stopped_at IS NOT NULL OR heartbeat_at < now() - make_interval(secs => $2))
            """, [stream, seconds])
        return try result.rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Date.self, at: 1)) }
    }

    /// Records that this process stopped.
    package func stopped() async throws {
        _ = try await connection.query(
            "UPDATE pipeline_worker SET stopped_at = now(), heartbeat_at = now() WHERE worker_id = $1", [worker])
    }

    /// The processes of this stream alive now (a heartbeat within a lease's duration), this one
    /// included.
    package func liveWorkers() async throws -> Int {
        let result = try await connection.query(
            """
            SELECT count(*) FROM pipeline_worker
            WHERE stream = $1 AND stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => $2)
            """, [stream, seconds])
        return max(1, Int(try result.rows[0].decode(Int64.self, at: 0)))
    }
}
