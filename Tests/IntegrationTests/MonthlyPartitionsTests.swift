import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// Migration `0015_monthly_partitions` on a database that holds rows: nothing lost, the views
/// made again, keys still unique, new months partitioned on demand.
@Suite("Monthly partitions: the growing tables are partitioned by month without losing a row or a view")
struct MonthlyPartitionsTests {
    static let tables = ["sales_silver", "fact_sales", "fact_stock_movement", "fact_inventory_snapshot"]

    func count(_ database: PGConnection, _ sql: String) async throws -> Int64 {
        try await database.query(sql).rows[0].decode(Int64.self, at: 0)
    }

    @Test("rows of two months survive the migration in two partitions each; views answer the same; keys stay unique")
    func migrateWithRows() async throws {
        let services = try TestServices.require()
        let logs = CapturedLogs()
        let database = try await PGConnection.connect(configuration: .init(services.databaseURL), logger: logs.logger())
        let schema = "partitions_\(UUID().uuidString.prefix(8).lowercased())"
        try await database.execute("CREATE SCHEMA \(schema)")
        try await database.execute("SET search_path TO \(schema)")
        let before = Array(DatabaseSchema.migrations.prefix { $0.name != "0015_monthly_partitions" })
        try #require(before.count < DatabaseSchema.migrations.count)
        try await PGMigrator(migrations: before).migrate(on: database)
        try await database.execute(
            """
            INSERT INTO dim_store (store_id, first_event_time) VALUES ('S1', '2026-01-31T10:00:00Z');
            INSERT INTO dim_product (product_id, product_name, category, unit_price, described_at)
            VALUES ('P1', 'Milk', 'DAIRY', 1.50, '2026-01-31T10:00:00Z');
            INSERT INTO sales_silver (transaction_id, product_id, event_type, product_name, category, quantity,
                unit_price, total_price, event_time, event_date, store_id, bronze_key, bronze_line, silver_batch)
            VALUES ('T1', 'P1', 'sale', 'Milk', 'DAIRY', 2, 1.50, 3.00, '2026-01-31T10:00:00Z', '2026-01-31', 'S1', 'k', 1, 1),
                   ('T2', 'P1', 'sale', 'Milk', 'DAIRY', 1, 1.50, 1.50, '2026-02-01T10:00:00Z', '2026-02-01', 'S1', 'k', 2, 1);
            INSERT INTO fact_sales (transaction_id, product_id, date_key, store_key, product_key, quantity, unit_price,
                total_price, event_time, silver_batch)
            VALUES ('T1', 'P1', 20260131, 1, 1, 2, 1.50, 3.00, '2026-01-31T10:00:00Z', 1),
                   ('T2', 'P1', 20260201, 1, 1, 1, 1.50, 1.50, '2026-02-01T10:00:00Z', 1);
            INSERT INTO fact_stock_movement (transaction_id, product_id, event_type, date_key, store_key, product_key,
                event_time, quantity_change, silver_batch)
            VALUES ('T1', 'P1', 'sale', 20260131, 1, 1, '2026-01-31T10:00:00Z', -2, 1),
                   ('T2', 'P1', 'sale', 20260201, 1, 1, '2026-02-01T10:00:00Z', -1, 1);
            INSERT INTO fact_inventory_snapshot VALUES (20260131, 1, 1, 8), (20260201, 1, 1, 7);
            INSERT INTO dim_date (date_key, date, year, quarter, month, day, iso_week, iso_day_of_week, day_name, is_weekend)
            VALUES (20260131, '2026-01-31', 2026, 1, 1, 31, 5, 6, 'Saturday', true),
                   (20260201, '2026-02-01', 2026, 1, 2, 1, 5, 7, 'Sunday', true);
            """)
        let views = "SELECT count(*) FROM pg_views WHERE schemaname = current_schema()"
        let viewsBefore = try await count(database, views)
        let salesByDay = "SELECT count(*) FROM v_sales_store_day"
        let salesByDayBefore = try await count(database, salesByDay)
        #expect(viewsBefore > 5)
        #expect(salesByDayBefore == 2)

        let applied = try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: database)
        #expect(applied.contains("0015_monthly_partitions"))
        #expect(try await count(database, views) == viewsBefore)
        #expect(try await count(database, salesByDay) == salesByDayBefore)
        for table in Self.tables {
            #expect(try await count(database, "SELECT count(*) FROM \(table)") == 2, "\(table)")
            let partitions = try await count(
                database, "SELECT count(*) FROM pg_inherits WHERE inhparent = '\(table)'::regclass")
            #expect(partitions == 2, "\(table): one partition per month")
        }
        // Keys are still unique (with their day), and a new month gets its partition on demand.
        await #expect(throws: PGError.self) {
            try await database.execute(
                """
                INSERT INTO fact_sales (transaction_id, product_id, date_key, store_key, product_key, quantity,
                    unit_price, total_price, event_time) VALUES ('T1', 'P1', 20260131, 1, 1, 2, 1.50, 3.00, now())
                """)
        }
        #expect(
            try await count(database, "SELECT lakehouse_month_partitions('fact_sales', '2026-02-10', '2026-04-02')")
                == 2)
        #expect(
            try await count(database, "SELECT lakehouse_month_partitions('fact_sales', '2026-03-01', '2026-03-31')")
                == 0)
        #expect(
            try await count(database, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'fact_sales'::regclass") == 4)
        try await database.execute("DROP SCHEMA \(schema) CASCADE")
        await database.close()
    }
}
