import PGLite

/// Where ingest stands on one shard: the last record that is in bronze.
public struct IngestCheckpoint: Sendable, Hashable {
    /// The Kinesis stream the shard belongs to; with ``shardID``, the key of the checkpoint's row.
    public var stream: String
    /// The Kinesis shard id (`shardId-000000000001`).
    public var shardID: String
    /// The last sequence number written to bronze; reading resumes after it.
    public var sequenceNumber: String
    /// The key of the bronze object holding that record (``BronzeBatch/key``); empty, like
    /// ``sequenceNumber``, for a shard that ended before ingest wrote any of its records.
    public var bronzeKey: String
    /// How many records the object at ``bronzeKey`` holds. A checkpoint that only marks the
    /// shard's end (no new records) repeats the previous object's key and count.
    public var records: Int
    /// Whether the shard was read to its end (a closed parent after a reshard).
    public var shardEnded: Bool
    /// The ETag and size of the object at ``bronzeKey`` when this checkpoint is the one that
    /// wrote it: saving the checkpoint then registers the object for silver (`bronze_object`).
    /// `nil` for a checkpoint that only marks the shard's end.
    public var written: BronzeObject?

    /// A checkpoint after `sequenceNumber`, the last record of the bronze object `bronzeKey`
    /// (which holds `records` records); `shardEnded` when the shard was read to its end.
    public init(
        stream: String, shardID: String, sequenceNumber: String, bronzeKey: String, records: Int, shardEnded: Bool,
        written: BronzeObject? = nil
    ) {
        self.written = written
        self.stream = stream
        self.shardID = shardID
        self.sequenceNumber = sequenceNumber
        self.bronzeKey = bronzeKey
        self.records = records
        self.shardEnded = shardEnded
    }
}

/// Ingest checkpoints in PostgreSQL (the `ingest_checkpoints` table of ``DatabaseSchema``).
/// A checkpoint is saved only after the bronze object it names is written, so a crash between
/// the two replays that batch (to the same key) instead of losing it.
public struct CheckpointStore: Sendable {
    private let connection: PGConnection

    /// A store on `connection`, whose `search_path` must hold the pipeline's schema (the
    /// `ingest_checkpoints` and `shard_lease` tables that `provision apply` creates).
    public init(connection: PGConnection) { self.connection = connection }

    /// The checkpoints of `stream`, by shard id.
    ///
    /// - Throws: ``PGError`` when the table cannot be read (run `provision apply` first).
    public func load(stream: String) async throws -> [String: IngestCheckpoint] {
        let result = try await connection.query(
            "SELECT shard_id, sequence_number, bronze_key, records, shard_ended FROM ingest_checkpoints WHERE stream = $1",
            [stream])
        var checkpoints: [String: IngestCheckpoint] = [:]
        for row in result.rows {
            let shard = try row.decode(String.self, "shard_id")
            checkpoints[shard] = IngestCheckpoint(
                stream: stream, shardID: shard, sequenceNumber: try row.decode(String.self, "sequence_number"),
                bronzeKey: try row.decode(String.self, "bronze_key"),
                records: Int(try row.decode(Int64.self, "records")),
                shardEnded: try row.decode(Bool.self, "shard_ended"))
        }
        return checkpoints
    }

    /// Records `checkpoint`, replacing the shard's previous one.
    ///
    /// - Throws: ``PGError`` when it cannot be written.
    public func save(_ checkpoint: IngestCheckpoint) async throws {
        _ = try await upsert(checkpoint, leaseOwner: nil)
    }

    /// Records `checkpoint` only while `owner` holds the shard's lease (`shard_lease`), locking
    /// the lease row meanwhile, so a process whose lease was taken can no longer move the
    /// shard's checkpoint; returns whether it was recorded.
    ///
    /// - Throws: ``PGError`` when it cannot be written.
    package func save(_ checkpoint: IngestCheckpoint, leaseOwner owner: String) async throws -> Bool {
        try await upsert(checkpoint, leaseOwner: owner)
    }

    /// The upsert of both `save`s: unconditional when `owner` is `nil`.
    private func upsert(_ checkpoint: IngestCheckpoint, leaseOwner owner: String?) async throws -> Bool {
        let result = try await connection.query(
            """
            WITH lease AS (
                SELECT 1 FROM shard_lease WHERE stream = $1 AND shard_id = $2 AND owner = $7 FOR UPDATE
            ), saved AS (
                INSERT INTO ingest_checkpoints (stream, shard_id, sequence_number, bronze_key, records, shard_ended,
                    updated_at)
                SELECT $1, $2, $3, $4, $5, $6, now() WHERE $7::text IS NULL OR EXISTS (SELECT 1 FROM lease)
                ON CONFLICT (stream, shard_id) DO UPDATE SET sequence_number = EXCLUDED.sequence_number,
                    bronze_key = EXCLUDED.bronze_key, records = EXCLUDED.records, shard_ended = EXCLUDED.shard_ended,
                    updated_at = now()
                RETURNING shard_id
            ), registered AS (
                \(BronzeRegistry.upsert(from: "SELECT $4, $8, $9, $1, $2, $5 FROM saved WHERE $8::text IS NOT NULL"))
            )
            SELECT shard_id FROM saved
            """,
            [
                checkpoint.stream, checkpoint.shardID, checkpoint.sequenceNumber, checkpoint.bronzeKey,
                Int64(checkpoint.records), checkpoint.shardEnded, owner, checkpoint.written?.eTag,
                checkpoint.written.map { Int64($0.size) },
            ])
        return !result.rows.isEmpty
    }
}
