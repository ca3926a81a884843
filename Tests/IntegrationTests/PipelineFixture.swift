import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// What a `lakehouse` test owns: a stream, bronze and silver buckets, a database schema with the
/// pipeline's migrations, and the `lakehouse` executable's environment pointing at them.
struct PipelineFixture {
    let base: IngestFixture
    let silverBucket: String
    let logs = CapturedLogs()

    static func make(_ name: String, shards: Int, databaseURL: String? = nil) async throws -> PipelineFixture {
        let base = try await IngestFixture.make(name, shards: shards, databaseURL: databaseURL)
        let silverBucket = base.bucket.replacingOccurrences(of: "-bronze-", with: "-silver-")
        try await base.s3.createBucket(silverBucket)
        return PipelineFixture(base: base, silverBucket: silverBucket)
    }

    var database: PGConnection { base.database }

    var environment: [String: String] {
        var environment = base.environment
        environment["S3_BUCKET_SILVER"] = silverBucket
        return environment
    }

    /// The `lakehouse` executable with this fixture's settings, and `extra` environment.
    func lakehouse(
        _ arguments: [String], environment extra: [String: String] = [:], outputPath: String? = nil
    ) throws -> ChildProcess {
        try ChildProcess(
            executable: Self.executable, arguments: arguments + ["--env-file", ""],
            environment: environment.merging(extra) { $1 }, outputPath: outputPath)
    }

    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lakehouse")
            .path
    }

    /// Runs `lakehouse` to its end; returns its status (128 + the signal if one ended it) and
    /// what it printed.
    func run(_ arguments: [String], environment extra: [String: String] = [:], program: String = "lakehouse")
        async throws -> (status: Int32, output: String, errors: String)
    {
        let executable = URL(fileURLWithPath: Self.executable).deletingLastPathComponent()
            .appendingPathComponent(program).path
        return try await ChildProcess.output(
            executable, arguments + ["--env-file", ""], timeout: .seconds(300),
            environment: environment.merging(extra) { $1 })
    }

    /// The test fixture that runs `lakehouse` with fault injection on (`LAKEHOUSE_CRASH_ON_OBJECT`);
    /// the shipped `lakehouse` ignores it.
    static let withFaults = "lakehouse-with-faults"

    /// Sends the next `days` days of `simulator` to each of `streams`, in order (simulated
    /// time); returns the records sent.
    static func send(
        days: Int, of simulator: inout StoreSimulator, to streams: [String], kinesis: KinesisClient
    ) async throws -> [SimulatedRecord] {
        var sent: [SimulatedRecord] = []
        for _ in 0..<days {
            guard let day = simulator.nextDay() else { break }
            sent += day
        }
        for stream in streams {
            var index = 0
            while index < sent.count {
                let chunk = sent[index..<min(index + 500, sent.count)]
                index += chunk.count
                let result = try await kinesis.putRecords(
                    stream: stream,
                    records: chunk.map { KinesisRecordInput(data: $0.payload, partitionKey: $0.partitionKey) })
                try #require(result.failed.isEmpty, "records not delivered to \(stream): \(result.failed.prefix(3))")
            }
        }
        return sent
    }

    func count(_ sql: String, _ parameters: [(any PGEncodable)?] = []) async throws -> Int64 {
        try await database.query(sql, parameters).rows[0].decode(Int64.self, at: 0)
    }

    /// The live leases by owner.
    func leasesByOwner() async throws -> [String: Int] {
        let result = try await database.query(
            "SELECT owner, count(*) FROM shard_lease WHERE expires_at > now() AND owner IS NOT NULL GROUP BY owner")
        var owners: [String: Int] = [:]
        for row in result.rows { owners[try row.decode(String.self, at: 0)] = Int(try row.decode(Int64.self, at: 1)) }
        return owners
    }

    /// The ingest checkpoints (shard → last sequence number in bronze) of the shards `owner`
    /// holds.
    func checkpointsOwned(by owner: String) async throws -> [String: String] {
        let result = try await database.query(
            """
            SELECT c.shard_id, c.sequence_number FROM ingest_checkpoints c
            JOIN shard_lease l ON l.stream = c.stream AND l.shard_id = c.shard_id WHERE l.owner = $1
            """, [owner])
        var checkpoints: [String: String] = [:]
        for row in result.rows { checkpoints[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        return checkpoints
    }

    /// Silver and gold as text, keyed by natural keys (surrogate keys, batch numbers, bronze
    /// locations and processing times left out): what two worlds fed the same events must agree
    /// on, however their batches fell. The decisions gold takes at a refresh (order proposals,
    /// their drafts and stated risks, alerts) depend on when refreshes ran, and are left out.
    func state() async throws -> [String] { try await Self.state(of: database) }

    /// ``state()`` of the pipeline's tables that `database`'s `search_path` reaches.
    static func state(of database: PGConnection) async throws -> [String] {
        let item = "'store', s.store_id, 'product', p.product_id"
        let joins = "JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)"
        let queries = [
            "silver": """
            SELECT (to_jsonb(t) - 'silver_batch' - 'bronze_key' - 'bronze_line' - 'loaded_at')::text
            FROM sales_silver t
            """,
            "dim_date": "SELECT to_jsonb(t)::text FROM dim_date t",
            "dim_store": "SELECT (to_jsonb(t) - 'store_key')::text FROM dim_store t",
            "dim_product": "SELECT (to_jsonb(t) - 'product_key')::text FROM dim_product t",
            "fact_sales": """
            SELECT (to_jsonb(t) - 'silver_batch' - 'store_key' - 'product_key' - 'payment_method_key'
                - 'client_type_key' || jsonb_build_object(\(item), 'payment', pm.payment_method,
                'client', ct.client_type))::text
            FROM fact_sales t JOIN dim_store s ON s.store_key = t.store_key
            JOIN dim_product p ON p.product_key = t.product_key
            LEFT JOIN dim_payment_method pm ON pm.payment_method_key = t.payment_method_key
            LEFT JOIN dim_client_type ct ON ct.client_type_key = t.client_type_key
            """,
            "fact_stock_movement": """
            SELECT (to_jsonb(t) - 'silver_batch' - 'store_key' - 'product_key' || jsonb_build_object(\(item)))::text
            FROM fact_stock_movement t JOIN dim_store s ON s.store_key = t.store_key
            JOIN dim_product p ON p.product_key = t.product_key
            """,
            "stock_position": """
            SELECT (to_jsonb(t) - 'updated_at' - 'store_key' - 'product_key' || jsonb_build_object(\(item)))::text
            FROM stock_position t \(joins)
            """,
            "fact_inventory_snapshot": """
            SELECT (to_jsonb(t) - 'store_key' - 'product_key' || jsonb_build_object(\(item)))::text
            FROM fact_inventory_snapshot t \(joins)
            """,
            "demand_forecast": """
            SELECT (to_jsonb(t) - 'updated_at' - 'stated_risk' - 'stated_until' - 'draft_day' - 'draft_on_hand'
                - 'draft_quantity' - 'draft_risk' - 'draft_short_days' - 'draft_waste' - 'draft_risk_until'
                - 'draft_coming' - 'store_key' - 'product_key' || jsonb_build_object(\(item)))::text
            FROM demand_forecast t \(joins)
            """,
        ]
        var lines: [String] = []
        for (name, sql) in queries.sorted(by: { $0.key < $1.key }) {
            lines += try await database.query(sql + " ORDER BY 1").rows.map {
                "\(name) " + (try $0.decode(String.self, at: 0))
            }
        }
        return lines
    }

    /// - Parameter dropSchema: `false` when the database went away with its server.
    func tearDown(dropSchema: Bool = true) async throws {
        for try await page in base.s3.listObjectsV2(bucket: silverBucket) {
            for object in page.objects { try await base.s3.deleteObject(bucket: silverBucket, key: object.key) }
        }
        try await base.s3.deleteBucket(silverBucket)
        var keys: [String] = []
        for try await page in base.s3.listObjectsV2(bucket: base.bucket) { keys += page.objects.map(\.key) }
        try await base.tearDown(keys: keys, dropSchema: dropSchema)
    }
}
