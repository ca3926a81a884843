import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

@Suite("Silver in PostgreSQL: upsert on the natural key, quarantine, manifest — one transaction per batch")
struct SilverStoreTests {
    /// A database schema with the pipeline's migrations, dropped by `tearDown`.
    struct Database {
        let connection: PGConnection
        let schema: String

        static func make() async throws -> Database {
            let services = try TestServices.require()
            let connection = try await PGConnection.connect(
                configuration: .init(services.databaseURL), logger: CapturedLogs().logger())
            let schema = "silver_\(UUID().uuidString.prefix(8).lowercased())"
            try await connection.execute("CREATE SCHEMA \(schema)")
            try await connection.execute("SET search_path TO \(schema)")
            try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: connection)
            return Database(connection: connection, schema: schema)
        }

        func count(_ sql: String) async throws -> Int64 {
            try await connection.query(sql).rows[0].decode(Int64.self, at: 0)
        }

        func tearDown() async throws {
            try await connection.execute("DROP SCHEMA \(schema) CASCADE")
            await connection.close()
        }
    }

    /// A simulated batch, cleaned: rows, quarantined records and counts (a duplicate is a record
    /// whose natural key came earlier in the batch).
    static func batch() -> (
        rows: [SilverTable.Row], quarantined: [SilverStore.QuarantinedRecord], counts: SilverStore.BatchCounts
    ) {
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 2, products: 12, days: 2, dirtyRate: 0.1))
        var rows: [SilverTable.Row] = []
        var quarantined: [SilverStore.QuarantinedRecord] = []
        var seen: Set<SilverEvent.NaturalKey> = []
        var counts = SilverStore.BatchCounts()
        counts.objects = 2
        var day = 0
        while let records = simulator.nextDay() {
            day += 1
            for (index, record) in records.enumerated() {
                counts.input += 1
                let key = "sales_data/day-\(day).jsonl"
                switch SilverRules.clean(record.payload) {
                case .success(let event) where seen.insert(event.naturalKey).inserted:
                    rows.append(SilverTable.Row(event: event, bronzeKey: key, bronzeLine: Int64(index + 1)))
                    counts.valid += 1
                case .success: counts.duplicates += 1
                case .failure(let rejection):
                    quarantined.append(
                        SilverStore.QuarantinedRecord(
                            bronzeKey: key, bronzeLine: Int64(index + 1), rejection: rejection, payload: record.payload)
                    )
                    counts.quarantined += 1
                }
            }
        }
        return (rows, quarantined, counts)
    }

    @Test(
        "a batch lands whole: rows as cleaned, quarantine with raw bytes, manifest and counts; loading it again changes nothing"
    )
    func loadTwice() async throws {
        let database = try await Database.make()
        let store = SilverStore(connection: database.connection)
        let (rows, quarantined, counts) = Self.batch()
        #expect(counts.duplicates > 0)
        #expect(counts.quarantined > 0)
        let objects = ["sales_data/day-1.jsonl": "\"etag-1\"", "sales_data/day-2.jsonl": "\"etag-2\""]
        #expect(try await store.processed(Array(objects.keys)) == [:])
        for attempt in 1...2 {
            let loaded = try await store.load(
                batch: 1, rows: rows, quarantined: quarantined, objects: objects, counts: counts,
                deltaVersion: 3)
            #expect(loaded == (attempt == 1), "only the first load of a batch loads it")
            #expect(try await database.count("SELECT count(*) FROM sales_silver") == Int64(rows.count))
            #expect(try await database.count("SELECT count(*) FROM sales_quarantine") == Int64(quarantined.count))
            #expect(try await database.count("SELECT count(*) FROM silver_batches") == 1)
        }
        #expect(try await store.processed(Array(objects.keys) + ["other"]) == objects)

        // Values as cleaned, to the cent and the microsecond.
        let sample = try #require(rows.first { $0.event.eventType == .sale })
        let found = try await database.connection.query(
            """
            SELECT quantity, unit_price::text, total_price::text,
                   (extract(epoch FROM event_time) * 1000000)::bigint, event_date::text, store_id, payment_method
            FROM sales_silver WHERE transaction_id = $1 AND product_id = $2 AND event_type = 'sale'
            """, [sample.event.transactionID, sample.event.productID])
        let row = try #require(found.rows.first)
        #expect(try row.decode(Int64.self, at: 0) == sample.event.quantity)
        #expect(try row.decode(String.self, at: 1) == EventJSON.centsText(sample.event.unitPriceCents))
        #expect(try row.decode(String.self, at: 2) == EventJSON.centsText(sample.event.totalPriceCents))
        #expect(try row.decode(Int64.self, at: 3) == sample.event.eventTime)
        #expect(try row.decode(String.self, at: 4) == sample.event.eventDateText)
        #expect(try row.decode(String.self, at: 5) == sample.event.storeID)
        #expect(try row.decode(String?.self, at: 6) == sample.event.paymentMethod)

        // The quarantine keeps the raw bytes and the reason.
        let rejected = quarantined[0]
        let kept = try await database.connection.query(
            "SELECT reason, payload FROM sales_quarantine WHERE bronze_key = $1 AND bronze_line = $2",
            [rejected.bronzeKey, rejected.bronzeLine])
        #expect(try kept.rows[0].decode(String.self, at: 0) == rejected.rejection.reason)
        #expect(try kept.rows[0].decode(Data.self, at: 1) == Data(rejected.payload))
        let batch = try await database.connection.query(
            "SELECT input, valid, quarantined, duplicates FROM silver_batches WHERE batch_id = 'batch-1'")
        #expect(try batch.rows[0].decode(Int64.self, at: 0) == Int64(counts.input))
        #expect(try batch.rows[0].decode(Int64.self, at: 3) == Int64(counts.duplicates))
        try await database.tearDown()
    }

    @Test("a batch whose counts do not add up is refused, and nothing of it is kept")
    func atomic() async throws {
        let database = try await Database.make()
        let store = SilverStore(connection: database.connection)
        let (rows, quarantined, counts) = Self.batch()
        var wrong = counts
        wrong.input += 1
        await #expect(throws: PGError.self) {
            try await store.load(
                batch: 99, rows: rows, quarantined: quarantined, objects: ["k": "e"], counts: wrong,
                deltaVersion: nil)
        }
        #expect(try await database.count("SELECT count(*) FROM sales_silver") == 0)
        #expect(try await database.count("SELECT count(*) FROM sales_quarantine") == 0)
        #expect(try await database.count("SELECT count(*) FROM silver_manifest") == 0)
        try await database.tearDown()
    }
}
