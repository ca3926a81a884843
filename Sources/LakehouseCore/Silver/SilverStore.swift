import PGLite

/// Silver's side in PostgreSQL (migration `0002_silver`): `sales_silver` upserted on the natural
/// key, `sales_quarantine`, and the manifest of processed bronze objects with each batch's
/// counts — all of a batch in one transaction, so a crash leaves either the whole batch or none
/// of it.
public struct SilverStore: Sendable {
    /// A record silver refused, with where it was read.
    public struct QuarantinedRecord: Sendable, Hashable {
        /// The key of the bronze object the record was read from.
        public var bronzeKey: String
        /// The line in the bronze object, from 1.
        public var bronzeLine: Int64
        /// The first rule the record broke, which becomes `sales_quarantine.reason`, and its detail.
        public var rejection: SilverRejection
        /// The record's bytes as Kinesis delivered them.
        public var payload: [UInt8]

        /// A refused record read at `bronzeKey`, line `bronzeLine`.
        public init(bronzeKey: String, bronzeLine: Int64, rejection: SilverRejection, payload: [UInt8]) {
            self.bronzeKey = bronzeKey
            self.bronzeLine = bronzeLine
            self.rejection = rejection
            self.payload = payload
        }
    }

    /// What one batch read and did: input = valid + quarantined + duplicates.
    public struct BatchCounts: Sendable, Hashable, CustomStringConvertible {
        /// Bronze objects the batch read.
        public var objects = 0
        /// Records (lines) in those objects.
        public var input = 0
        /// Records loaded into `sales_silver` and the Delta table.
        public var valid = 0
        /// Records refused, each with its reason, into `sales_quarantine` and the quarantine table.
        public var quarantined = 0
        /// Valid records whose natural key came earlier in the batch or in an earlier batch: counted, not loaded.
        public var duplicates = 0

        /// All counts zero.
        public init() {}

        /// One line for a log or a terminal: `3 objects: input 120 = valid 117 + quarantined 2 + duplicates 1`.
        public var description: String {
            "\(objects) objects: input \(input) = valid \(valid) + quarantined \(quarantined) + duplicates \(duplicates)"
        }

        /// The counts as a silver Delta commit records them: `objects,input,valid,quarantined,duplicates`.
        var recorded: String { "\(objects),\(input),\(valid),\(quarantined),\(duplicates)" }

        /// Counts read back from ``recorded`` text; `nil` when it is not that.
        init?(_ recorded: String) {
            let parts = recorded.split(separator: ",", omittingEmptySubsequences: false)
            let values = parts.compactMap { Int($0) }
            guard parts.count == 5, values.count == 5 else { return nil }
            (objects, input, valid, quarantined, duplicates) = (values[0], values[1], values[2], values[3], values[4])
        }
    }

    let connection: PGConnection

    /// - Parameter connection: a connection whose `search_path` holds the pipeline's schema.
    public init(connection: PGConnection) { self.connection = connection }

    /// The number of the last batch loaded (batch ids are `batch-<number>`), 0 before the first.
    public func lastBatchNumber() async throws -> Int64 {
        let result = try await connection.query(
            "SELECT coalesce(max(substr(batch_id, 7)::bigint), 0) FROM silver_batches WHERE batch_id LIKE 'batch-%'")
        return try result.rows[0].decode(Int64.self, at: 0)
    }

    /// The `batch_id` of batch `number` in `silver_batches` and `silver_manifest`.
    public static func batchID(_ number: Int64) -> String { "batch-\(number)" }

    /// Which of `keys` are already in `sales_silver`.
    public func existing(_ keys: [SilverEvent.NaturalKey]) async throws -> Set<SilverEvent.NaturalKey> {
        guard !keys.isEmpty else { return [] }
        let result = try await connection.query(
            """
            SELECT s.transaction_id, s.product_id, s.event_type
            FROM unnest($1::text[], $2::text[], $3::text[]) AS k(transaction_id, product_id, event_type)
            JOIN sales_silver s USING (transaction_id, product_id, event_type)
            """, [keys.map(\.transactionID), keys.map(\.productID), keys.map(\.eventType.rawValue)])
        var found: Set<SilverEvent.NaturalKey> = []
        for row in result.rows {
            guard let type = EventType(rawValue: try row.decode(String.self, at: 2)) else { continue }
            found.insert(
                SilverEvent.NaturalKey(
                    transactionID: try row.decode(String.self, at: 0), productID: try row.decode(String.self, at: 1),
                    eventType: type))
        }
        return found
    }

    /// The ETags of the bronze objects already processed, by key, among `keys`.
    public func processed(_ keys: [String]) async throws -> [String: String] {
        guard !keys.isEmpty else { return [:] }
        let result = try await connection.query(
            "SELECT bronze_key, etag FROM silver_manifest WHERE bronze_key = ANY($1)", [keys])
        var found: [String: String] = [:]
        for row in result.rows { found[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        return found
    }

    /// Upserts `rows` into `sales_silver` (through COPY into a staging table; the last row of a
    /// natural key wins), inserts `quarantined` into `sales_quarantine`, and records the batch and
    /// its bronze objects (`objects`: key → ETag) in the manifest — in one transaction. A batch
    /// already loaded (by this or another run) is left untouched: loading it again changes nothing.
    ///
    /// - Returns: `true` when this call loaded the batch, `false` when it was loaded already.
    /// - Parameter beforeCommit: run last inside the transaction (for fault injection: what it
    ///   throws rolls the batch back).
    /// - Throws: ``PGError``; nothing of the batch is kept then.
    @discardableResult
    public func load(
        batch: Int64, rows: [SilverTable.Row], quarantined: [QuarantinedRecord], objects: [String: String],
        counts: BatchCounts, deltaVersion: Int64?, beforeCommit: (@Sendable () async throws -> Void)? = nil
    ) async throws -> Bool {
        try await load(
            batch: batch, columns: SilverColumns(rows: rows), quarantined: quarantined, objects: objects,
            counts: counts, deltaVersion: deltaVersion, beforeCommit: beforeCommit)
    }

    /// As ``load(batch:rows:quarantined:objects:counts:deltaVersion:beforeCommit:)``, with the
    /// rows as columns (what ``SilverBatch`` holds).
    @discardableResult
    public func load(
        batch: Int64, columns: SilverColumns, quarantined: [QuarantinedRecord], objects: [String: String],
        counts: BatchCounts, deltaVersion: Int64?, beforeCommit: (@Sendable () async throws -> Void)? = nil
    ) async throws -> Bool {
        try await load(
            batch: batch, columns: columns, quarantined: quarantined, objects: objects, counts: counts,
            deltaVersion: deltaVersion, commitDelta: nil, beforeCommit: beforeCommit)
    }

    /// As the public `load`, with `commitDelta` run inside the transaction once every row is in
    /// (so a row PostgreSQL refuses fails the load before Delta holds anything of the batch); the
    /// Delta version it returns is recorded with the batch.
    func load(
        batch: Int64, columns: SilverColumns, quarantined: [QuarantinedRecord], objects: [String: String],
        counts: BatchCounts, deltaVersion: Int64?, commitDelta: (@Sendable () async throws -> Int64)?,
        beforeCommit: (@Sendable () async throws -> Void)?
    ) async throws -> Bool {
        let batchID = Self.batchID(batch)
        return try await connection.withTransaction { connection in
            // The batch's row first: a batch another run loaded (or is loading: this waits for
            // it) is left as it is.
            guard try await Self.claim(batchID, counts: counts, deltaVersion: deltaVersion, on: connection) else {
                return false
            }
            try await Self.upsert(columns, batch: batch, on: connection)
            try await Self.insert(quarantined, on: connection)
            try await Self.recordObjects(objects, batchID: batchID, on: connection)
            if let commitDelta {
                let version = try await commitDelta()
                _ = try await connection.query(
                    "UPDATE silver_batches SET delta_version = $2 WHERE batch_id = $1", [batchID, version])
            }
            try await beforeCommit?()
            return true
        }
    }

    /// Inserts the batch's `silver_batches` row; `false` when it is there already.
    private static func claim(
        _ batchID: String, counts: BatchCounts, deltaVersion: Int64?, on connection: PGConnection
    ) async throws -> Bool {
        let claimed = try await connection.query(
            """
            INSERT INTO silver_batches (batch_id, objects, input, valid, quarantined, duplicates, delta_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id
            """,
            [
                batchID, Int64(counts.objects), Int64(counts.input), Int64(counts.valid), Int64(counts.quarantined),
                Int64(counts.duplicates), deltaVersion,
            ])
        return !claimed.rows.isEmpty
    }

    /// Upserts the batch's rows into `sales_silver` through `silver_stage` (the last row of a
    /// natural key wins).
    private static func upsert(_ columns: SilverColumns, batch: Int64, on connection: PGConnection) async throws {
        try await connection.execute(
            "CREATE TEMP TABLE silver_stage (LIKE sales_silver INCLUDING DEFAULTS) ON COMMIT DROP")
        guard columns.count > 0 else { return }
        try await connection.copyIn(
            """
            COPY silver_stage (transaction_id, product_id, event_type, product_name, category, quantity,
            unit_price, total_price, event_time, event_date, store_id, payment_method, client_type,
            bronze_key, bronze_line, silver_batch) FROM STDIN
            """
        ) { writer in
            try await writer.writeColumns([
                PGCopyColumn(columns.transactionID.strings), PGCopyColumn(columns.productID.strings),
                PGCopyColumn(columns.eventType.strings), PGCopyColumn(columns.productName.strings),
                PGCopyColumn(columns.category.strings), PGCopyColumn(columns.quantity),
                PGCopyColumn(columns.unitPriceCents.map(EventJSON.centsText)),
                PGCopyColumn(columns.totalPriceCents.map(EventJSON.centsText)),
                PGCopyColumn(columns.eventTime.map { EventTimestamp.format(micros: $0) }),
                PGCopyColumn(columns.eventDate.map(SilverEvent.dateText)),
                PGCopyColumn(columns.storeID.strings),
                PGCopyColumn(columns.paymentMethod.strings), PGCopyColumn(columns.clientType.strings),
                PGCopyColumn(columns.bronzeKey.strings), PGCopyColumn(columns.bronzeLine),
                PGCopyColumn(Array(repeating: batch, count: columns.count)),
            ])
        }
        try await connection.execute(
            "SELECT lakehouse_month_partitions('sales_silver', min(event_date), max(event_date)) FROM silver_stage")
        try await connection.execute(upsertSQL)
    }

    /// `silver_stage` into `sales_silver`: one row per natural key, the last read winning.
    private static let upsertSQL = """
        INSERT INTO sales_silver
        SELECT DISTINCT ON (transaction_id, product_id, event_type) * FROM silver_stage
        ORDER BY transaction_id, product_id, event_type, bronze_key DESC, bronze_line DESC
        ON CONFLICT (transaction_id, product_id, event_type, event_date) DO UPDATE SET
            product_name = EXCLUDED.product_name, category = EXCLUDED.category,
            quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price,
            total_price = EXCLUDED.total_price, event_time = EXCLUDED.event_time,
            event_date = EXCLUDED.event_date, store_id = EXCLUDED.store_id,
            payment_method = EXCLUDED.payment_method, client_type = EXCLUDED.client_type,
            bronze_key = EXCLUDED.bronze_key, bronze_line = EXCLUDED.bronze_line, loaded_at = now()
        """

    /// Inserts the batch's refused records into `sales_quarantine` through `quarantine_stage`.
    private static func insert(_ quarantined: [QuarantinedRecord], on connection: PGConnection) async throws {
        guard !quarantined.isEmpty else { return }
        try await connection.execute(
            "CREATE TEMP TABLE quarantine_stage (LIKE sales_quarantine INCLUDING DEFAULTS) ON COMMIT DROP")
        try await connection.copyIn(
            "COPY quarantine_stage (bronze_key, bronze_line, reason, detail, payload) FROM STDIN"
        ) { writer in
            try await writer.writeColumns([
                PGCopyColumn(quarantined.map(\.bronzeKey)), PGCopyColumn(quarantined.map(\.bronzeLine)),
                PGCopyColumn(quarantined.map(\.rejection.reason)),
                PGCopyColumn(quarantined.map(\.rejection.detail)),
                PGCopyColumn(quarantined.map { PGBytes($0.payload) }),
            ])
        }
        // A record quarantined before (a reprocessed object) keeps its first row.
        try await connection.execute(
            "INSERT INTO sales_quarantine SELECT * FROM quarantine_stage ON CONFLICT DO NOTHING")
    }

    /// Records the batch's bronze objects (key → ETag) in `silver_manifest`.
    private static func recordObjects(
        _ objects: [String: String], batchID: String, on connection: PGConnection
    ) async throws {
        let manifest = objects.sorted { $0.key < $1.key }
        _ = try await connection.query(
            """
            INSERT INTO silver_manifest (bronze_key, etag, batch_id)
            SELECT key, etag, $3 FROM unnest($1::text[], $2::text[]) AS o(key, etag)
            ON CONFLICT (bronze_key) DO UPDATE SET etag = EXCLUDED.etag, batch_id = EXCLUDED.batch_id,
                processed_at = now()
            """, [manifest.map(\.key), manifest.map(\.value), batchID])
        // The registry's objects of this version are in a batch now (a rewritten one stays pending).
        _ = try await connection.query(
            """
            UPDATE bronze_object b SET batch_id = $3
            FROM unnest($1::text[], $2::text[]) AS o(key, etag)
            WHERE b.bronze_key = o.key AND b.etag = o.etag AND b.batch_id IS NULL
            """, [manifest.map(\.key), manifest.map(\.value), batchID])
    }
}
