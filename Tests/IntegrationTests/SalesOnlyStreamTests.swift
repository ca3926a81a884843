import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// A chain migrating from the original project: its producer sends sales only, in the original
/// record shape (no `event_type`, no counts, no deliveries).
@Suite("Sales-only streams: unknown stock until counted, then positions and proposals follow the counts")
struct SalesOnlyStreamTests {
    @Test(
        "the original producer's records: no stock alert and no on-hand figure for never-counted items; after gold stock import, positions and order proposals follow the counts"
    )
    func salesOnly() async throws {
        let fixture = try await PipelineFixture.make("sales-only", shards: 1)
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 2, products: 8, days: 5, seed: 13, dirtyRate: 0))
        var sales: [SimulatedRecord] = []
        while let day = simulator.nextDay() { sales += day.filter { $0.kind == .sale } }
        try #require(sales.count > 150)
        // The original shape: the same line items without event_type.
        let payloads = sales.map { EventJSON.encode($0.event, editing: .omit("event_type")) }
        #expect(payloads.allSatisfy { !String(decoding: $0, as: UTF8.self).contains("event_type") })
        let result = try await fixture.base.kinesis.putRecords(
            stream: fixture.base.stream,
            records: zip(payloads, sales).map { KinesisRecordInput(data: $0, partitionKey: $1.partitionKey) })
        #expect(result.failed.isEmpty)
        let first = try await fixture.run(["run", "--until-caught-up", "--poll-seconds", "1"])
        #expect(first.status == 0, "\(first.errors.suffix(1500))")
        #expect(try await fixture.count("SELECT count(*) FROM sales_silver") == Int64(sales.count))
        // Every item sold, none counted: stock unknown, no stock alert, no on-hand figure.
        let items = try await fixture.count("SELECT count(*) FROM stock_position")
        #expect(items == Int64(Set(sales.map { "\($0.event.storeID)|\($0.event.productID)" }).count))
        #expect(try await fixture.count("SELECT count(*) FROM stock_alert") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM v_current_stock WHERE on_hand IS NULL") == items)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM v_current_stock WHERE stock_status = 'unknown: never counted' AND NOT stock_known"
            )
                == items)
        #expect(
            try await fixture.count("SELECT sum(units_sold_since_tracking)::bigint FROM v_current_stock")
                == sales.reduce(0) { $0 + Int64($1.event.quantity) })
        // Nothing that rests on on-hand is stated: no cover, no stockout time, no order.
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM demand_forecast
                WHERE days_of_cover IS NOT NULL OR predicted_stockout_at IS NOT NULL OR suggested_order_quantity <> 0
                """) == 0)
        // Demand is still learned from the sales, never censored as out of stock (stock unknown).
        #expect(try await fixture.count("SELECT count(*) FROM demand_forecast WHERE stocked_out_at_close") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM demand_forecast WHERE daily_demand > 0") > 0)
        let summary = try await fixture.run(["status"])
        #expect(summary.output.contains("\(items) never counted"), "\(summary.output)")

        // Opening stock: each item counted at the end of the last day; one item counted at 0.
        let lastSale = try #require(sales.map(\.eventTime).max())
        let countedAt = EventTimestamp.format(micros: lastSale + 1_000_000)
        let positions = try await fixture.database.query(
            """
            SELECT s.store_id, p.product_id FROM stock_position sp JOIN dim_store s USING (store_key)
            JOIN dim_product p USING (product_key) ORDER BY 1, 2
            """
        ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
        var csv = "store_id,product_id,quantity,counted_at\n"
        for (position, (store, product)) in positions.enumerated() {
            csv += "\(store),\(product),\(position == 0 ? 0 : 500),\(countedAt)\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("counts") + ".csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let gold = URL(fileURLWithPath: PipelineFixture.executable).deletingLastPathComponent()
            .appendingPathComponent("gold").path
        for _ in 0..<2 {  // a second import adds nothing
            let imported = try await ChildProcess.output(
                gold, ["stock", "import", file, "--env-file", ""], environment: fixture.environment)
            #expect(imported.status == 0, "\(imported.errors)")
            #expect(imported.output.contains("sent \(positions.count) counts"), "\(imported.output)")
        }
        let second = try await fixture.run(["run", "--until-caught-up", "--poll-seconds", "1"])
        #expect(second.status == 0, "\(second.errors.suffix(1500))")
        #expect(
            try await fixture.count("SELECT count(*) FROM sales_silver WHERE event_type = 'stock_count'")
                == Int64(positions.count))
        #expect(try await fixture.count("SELECT count(*) FROM v_current_stock WHERE NOT stock_known") == 0)
        // The counts carried the products' prices: the catalogue keeps them.
        #expect(try await fixture.count("SELECT count(*) FROM dim_product WHERE unit_price = 0") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM stock_position WHERE on_hand = 500") == items - 1)
        let (store, product) = positions[0]
        // Counted empty: the store's proposal orders it. No alert: no review had stated a risk for
        // it (its stock was unknown), so the empty shelf surprises no one.
        let ordered = try await fixture.count(
            """
            SELECT count(*) FROM order_line l JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
            WHERE s.store_id = $1 AND p.product_id = $2 AND l.quantity > 0 AND l.on_hand = 0
            """, [store, product])
        #expect(ordered >= 1)
        #expect(try await fixture.count("SELECT count(*) FROM stock_alert WHERE kind = 'UNEXPECTED_STOCKOUT'") == 0)

        // A bad file is refused whole, each problem with its line.
        try "store_id,product_id,quantity,counted_at\nS1,P1,-3,2026-01-05T00:00:00Z\nS1,,2,x\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try await ChildProcess.output(
            gold, ["stock", "import", file, "--env-file", ""], environment: fixture.environment)
        #expect(refused.status == 65)
        #expect(refused.errors.contains(":2: quantity -3"), "\(refused.errors)")
        #expect(refused.errors.contains(":3: no product_id"), "\(refused.errors)")
        #expect(refused.errors.contains("nothing sent"))
        try await fixture.tearDown()
    }
}
