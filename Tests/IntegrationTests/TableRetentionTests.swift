import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// Retention on a gold that holds three months: old months are exported to the gold bucket as
/// Delta tables, then dropped; the views still answer; delta-rs reads the dropped months back.
@Suite("Retention: old months leave PostgreSQL for Delta tables in the gold bucket, and nothing is lost")
struct TableRetentionTests {
    func number(_ fixture: SilverFixture, _ sql: String) async throws -> Int64 {
        try await fixture.base.database.query(sql).rows[0].decode(Int64?.self, at: 0) ?? 0
    }

    @Test(
        "keep one month of facts and two of silver: January and February are exported and dropped; a rerun changes nothing"
    )
    func exportAndDrop() async throws {
        let fixture = try await SilverFixture.make("retention")
        let goldBucket = fixture.silverBucket.replacingOccurrences(of: "-silver-", with: "-gold-")
        try await fixture.base.s3.createBucket(goldBucket)
        try await fixture.loadThroughGold(
            SimulationConfiguration(stores: 1, products: 6, days: 70, seed: 3, dirtyRate: 0), perObject: 400)

        let old = "date_key < 20260301"
        var before: [String: (rows: Int64, sum: Int64)] = [:]
        for (table, measure) in [
            ("fact_sales", "quantity"), ("fact_stock_movement", "coalesce(quantity_change, counted_quantity)"),
            ("fact_inventory_snapshot", "closing_on_hand"),
        ] {
            before[table] = (
                try await number(fixture, "SELECT count(*) FROM \(table) WHERE \(old)"),
                try await number(fixture, "SELECT sum(\(measure))::bigint FROM \(table) WHERE \(old)")
            )
            #expect(before[table]!.rows > 0)
        }
        let marchSales = try await number(fixture, "SELECT count(*) FROM fact_sales WHERE date_key >= 20260301")
        let silverKept = try await number(fixture, "SELECT count(*) FROM sales_silver WHERE event_date >= '2026-02-01'")

        var policy = RetentionPolicy(goldBucket: goldBucket)
        policy.factMonths = 1
        policy.silverMonths = 2
        let retention = TableRetention(
            connection: fixture.base.database, s3: fixture.base.s3, policy: policy, logger: fixture.logs.logger())
        let report = try await retention.run()
        #expect(
            Set(report.droppedPartitions)
                == [
                    "fact_sales_2026_01", "fact_sales_2026_02", "fact_stock_movement_2026_01",
                    "fact_stock_movement_2026_02", "fact_inventory_snapshot_2026_01", "fact_inventory_snapshot_2026_02",
                    "sales_silver_2026_01",
                ])
        #expect(Int64(report.exportedRows) == before.values.reduce(0) { $0 + $1.rows })
        // PostgreSQL keeps March (and silver February too); the views still answer.
        #expect(try await number(fixture, "SELECT count(*) FROM fact_sales") == marchSales)
        #expect(try await number(fixture, "SELECT count(*) FROM sales_silver") == silverKept)
        #expect(
            try await number(fixture, "SELECT sum(lines)::bigint FROM v_sales_store_day") == marchSales)
        #expect(try await number(fixture, "SELECT count(*) FROM v_current_stock") > 0)

        // delta-rs reads January and February back from the gold bucket, row for row.
        let endpoint = try TestServices.require().awsEndpoint
        for (table, measure) in [
            ("fact_sales", "quantity"), ("fact_stock_movement", "quantity_change"),
            ("fact_inventory_snapshot", "closing_on_hand"),
        ] {
            let read = try await DeltaRS.read(endpoint: endpoint, uri: "s3://\(goldBucket)/\(table)")
            let rows = read["rows"] as? [[String: Any]] ?? []
            #expect(Int64(rows.count) == before[table]!.rows, "\(table)")
            #expect(read["duckdb_rows"] as? Int == rows.count)
            #expect(Set(rows.compactMap { $0["month"] as? String }) == ["2026-01", "2026-02"])
            if table != "fact_stock_movement" {
                let total = rows.reduce(Int64(0)) { $0 + Int64(($1[measure] as? Int) ?? 0) }
                #expect(total == before[table]!.sum, "\(table)")
            }
        }

        let again = try await retention.run()
        #expect(again.droppedPartitions.isEmpty)
        #expect(again.exportedRows == 0)
        try await fixture.tearDown()
    }
}
