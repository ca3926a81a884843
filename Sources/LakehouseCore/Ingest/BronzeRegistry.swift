import AWSLite
import PGLite

/// A bronze object as the registry knows it: what silver needs to plan a batch without listing S3.
public struct BronzeObject: Sendable, Hashable {
    /// The object's key in the bronze bucket.
    public var key: String
    /// Its ETag, quoted as S3 returns it.
    public var eTag: String
    /// Its length in bytes.
    public var size: Int

    /// The object at `key`, as S3 stored it.
    public init(key: String, eTag: String, size: Int) {
        self.key = key
        self.eTag = eTag
        self.size = size
    }

    /// The object a listing found.
    public init(_ listed: S3ObjectSummary) { self.init(key: listed.key, eTag: listed.eTag, size: listed.size) }
}

/// The registry of bronze objects (`bronze_object`): ingest records each object it writes in the
/// statement that moves the shard's checkpoint past it (``CheckpointStore``), and silver plans
/// from the objects no batch holds yet, so that planning costs what is pending rather than a
/// listing of the bucket's history. A batch's load marks its objects in the same transaction.
///
/// Objects that reach bronze another way (written before the registry existed, restored, copied
/// in by hand) are not in it: ``register(_:stream:shardID:records:)`` adds them, or
/// `lakehouse backfill` finds them by listing.
public struct BronzeRegistry: Sendable {
    let connection: PGConnection

    /// The registry on `connection` (the pipeline's schema, migration `0014_bronze_object`).
    public init(connection: PGConnection) { self.connection = connection }

    /// The insert shared by ``register(_:stream:shardID:records:)`` and ``CheckpointStore``:
    /// the rows `select` yields (key, ETag, size, stream, shard, records) join the registry; a
    /// key written again with another ETag (its content changed) is pending again.
    static func upsert(from select: String) -> String {
        """
        INSERT INTO bronze_object (bronze_key, etag, size, stream, shard_id, records)
        \(select)
        ON CONFLICT (bronze_key) DO UPDATE SET etag = EXCLUDED.etag, size = EXCLUDED.size,
            records = EXCLUDED.records, written_at = now(),
            batch_id = CASE WHEN bronze_object.etag = EXCLUDED.etag THEN bronze_object.batch_id END
        """
    }

    /// Registers objects written outside ingest (each of `records` records, from `stream`'s
    /// `shardID`, for the record), so that silver takes them.
    ///
    /// - Throws: ``PGError`` when the registry cannot be written.
    public func register(_ objects: [BronzeObject], stream: String, shardID: String, records: Int) async throws {
        guard !objects.isEmpty else { return }
        _ = try await connection.query(
            Self.upsert(
                from:
                    "SELECT key, etag, size, $4, $5, $6 FROM unnest($1::text[], $2::text[], $3::bigint[]) AS o(key, etag, size)"
            ),
            [objects.map(\.key), objects.map(\.eTag), objects.map { Int64($0.size) }, stream, shardID, Int64(records)])
    }

    /// The first `limit` objects in key order that no batch holds.
    ///
    /// - Throws: ``PGError`` when the registry cannot be read.
    public func pending(limit: Int) async throws -> [BronzeObject] {
        let result = try await connection.query(
            "SELECT bronze_key, etag, size FROM bronze_object WHERE batch_id IS NULL ORDER BY bronze_key LIMIT $1",
            [Int64(limit)])
        return try result.rows.map {
            BronzeObject(
                key: try $0.decode(String.self, at: 0), eTag: try $0.decode(String.self, at: 1),
                size: Int(try $0.decode(Int64.self, at: 2)))
        }
    }

    /// How many objects no batch holds yet (what `lakehouse status` shows as silver's backlog).
    ///
    /// - Throws: ``PGError`` when the registry cannot be read.
    public func pendingCount() async throws -> Int {
        Int(
            try await connection.query("SELECT count(*) FROM bronze_object WHERE batch_id IS NULL").rows[0]
                .decode(Int64.self, at: 0))
    }
}
