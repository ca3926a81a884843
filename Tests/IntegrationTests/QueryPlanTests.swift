import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// The lookups the refresh, silver and the views make, each checked with EXPLAIN on three months
/// of data: an index serves it (sequential scans are turned off, so a missing index shows as a
/// `Seq Scan`) and a day's lookup reads that month's partition only. A partition's indexes are
/// named by PostgreSQL after their columns (`fact_sales_2026_01_store_key_date_key_idx`).
@Suite("Query plans: the refresh's, silver's and the views' lookups use indexes and read only their months")
struct QueryPlanTests {
    func plan(_ fixture: SilverFixture, _ sql: String) async throws -> String {
        try await fixture.base.database.query("EXPLAIN \(sql)").rows.map { try $0.decode(String.self, at: 0) }
            .joined(separator: "\n")
    }

    @Test("each lookup is an index scan, and a dated one reads one month's partition")
    func lookups() async throws {
        let fixture = try await SilverFixture.make("plans")
        try await fixture.loadThroughGold(
            SimulationConfiguration(stores: 2, products: 8, days: 70, seed: 4, dirtyRate: 0), perObject: 500)
        let database = fixture.base.database
        try await database.execute("ANALYZE")
        try await database.execute("SET enable_seqscan = off")

        let lookups: [(what: String, sql: String, index: String)] = [
            (
                "gold's new silver rows", "SELECT * FROM sales_silver WHERE silver_batch > 3 AND silver_batch <= 4",
                "silver_batch"
            ),
            (
                "silver's duplicate check",
                """
                SELECT s.transaction_id FROM unnest(ARRAY['a'], ARRAY['b'], ARRAY['sale'])
                    AS k(transaction_id, product_id, event_type)
                JOIN sales_silver s USING (transaction_id, product_id, event_type)
                """, "pkey"
            ),
            (
                "the registry's pending objects",
                "SELECT * FROM bronze_object WHERE batch_id IS NULL ORDER BY bronze_key LIMIT 64",
                "bronze_object_pending"
            ),
            (
                "silver's manifest", "SELECT etag FROM silver_manifest WHERE bronze_key = ANY(ARRAY['x'])",
                "silver_manifest_pkey"
            ),
            (
                "an item's movements of a range of days",
                """
                SELECT * FROM fact_stock_movement WHERE store_key = 1 AND product_key = 1
                    AND date_key >= 20260210 AND date_key <= 20260212 AND event_time >= '2026-02-10'
                """, "store_key_product_key_event_tim"
            ),
            (
                "an item's closing stock of a day",
                "SELECT closing_on_hand FROM fact_inventory_snapshot WHERE date_key = 20260131 AND store_key = 1 AND product_key = 1",
                "Index Scan using fact_inventory_snapshot_2026_"
            ),
            (
                "a store's sales of a day",
                "SELECT sum(quantity) FROM fact_sales WHERE store_key = 1 AND date_key = 20260115", "store_key_date_key"
            ),
            (
                "the last runs of a stage",
                "SELECT * FROM pipeline_run WHERE stage = 'gold' ORDER BY started_at DESC LIMIT 5", "pipeline_run_stage"
            ),
            ("an item's alerts", "SELECT * FROM stock_alert WHERE store_key = 1 AND product_key = 2", "stock_alert"),
        ]
        for lookup in lookups {
            let text = try await plan(fixture, lookup.sql)
            #expect(!text.contains("Seq Scan"), "\(lookup.what) scans a table:\n\(text)")
            #expect(
                text.contains(lookup.index), "\(lookup.what) does not use an index named *\(lookup.index)*:\n\(text)")
        }
        // Dated lookups read their month's partition only.
        let february = try await plan(fixture, lookups[4].sql)
        #expect(february.contains("fact_stock_movement_2026_02"))
        #expect(!february.contains("fact_stock_movement_2026_01") && !february.contains("fact_stock_movement_2026_03"))
        let january = try await plan(fixture, lookups[6].sql)
        #expect(january.contains("fact_sales_2026_01") && !january.contains("fact_sales_2026_02"))
        // The views answer on the partitioned tables.
        for view in [
            "v_sales_store_day", "v_current_stock", "v_sales_velocity", "v_open_alerts", "v_reorder_suggestions",
        ] {
            _ = try await database.query("SELECT * FROM \(view) LIMIT 1")
        }
        try await database.execute("RESET enable_seqscan")
        try await fixture.tearDown()
    }
}
