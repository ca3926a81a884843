import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// What a store sees of its alerts: each unexpected stockout and stockout risk, and its open
/// mark-downs as one list (`v_store_alerts`, `v_markdown_list`), counted once a day.
@Suite("Store alerts: a store's mark-downs are one list, counted once a day")
struct StoreAlertsTests {
    @Test(
        "v_store_alerts lists each exception and one mark-down list per store; v_markdown_list the items with what will spoil; the summary counts a list once a day"
    )
    func markDownsAreOneList() async throws {
        let fixture = try await PipelineFixture.make("store-alerts", shards: 1)
        let db = fixture.database
        try await db.execute(
            """
            INSERT INTO dim_store (store_key, store_id, first_event_time) VALUES
                (1, 'S1', '2026-01-01 08:00+00'), (2, 'S2', '2026-01-01 08:00+00');
            INSERT INTO dim_product (product_key, product_id, product_name, category, unit_price, described_at) VALUES
                (1, 'P1', 'Sourdough', 'BAKERY', 2.50, '2026-01-01 08:00+00'),
                (2, 'P2', 'Salmon', 'FISH', 4.00, '2026-01-01 08:00+00'),
                (3, 'P3', 'Milk', 'DAIRY', 1.00, '2026-01-01 08:00+00'),
                (4, 'P4', 'Rice', 'PANTRY', 3.00, '2026-01-01 08:00+00');
            -- S1 on the 5th: two mark-downs and an unexpected stockout (since resolved); on the
            -- 6th: a third mark-down and a stockout risk. S2 on the 5th: a mark-down, resolved.
            INSERT INTO stock_alert (store_key, product_key, kind, status, opened_at, updated_at, resolved_at, on_hand,
                daily_deviation, safety_stock, reorder_point, suggested_order_quantity, reason) VALUES
                (1, 1, 'PERISHABLE_OVERSTOCK', 'open', '2026-01-05 20:00+00', '2026-01-05 20:00+00', NULL, 30, 1, 1, 1, 0, 'p1'),
                (1, 2, 'PERISHABLE_OVERSTOCK', 'open', '2026-01-05 20:00+00', '2026-01-05 20:00+00', NULL, 30, 1, 1, 1, 0, 'p2'),
                (1, 1, 'UNEXPECTED_STOCKOUT', 'resolved', '2026-01-05 11:00+00', '2026-01-05 15:00+00',
                    '2026-01-05 15:00+00', 0, 1, 1, 1, 0, 'u1'),
                (1, 3, 'PERISHABLE_OVERSTOCK', 'open', '2026-01-06 20:00+00', '2026-01-06 20:00+00', NULL, 6, 1, 1, 1, 0, 'p3'),
                (1, 4, 'STOCKOUT_RISK', 'open', '2026-01-06 20:00+00', '2026-01-06 20:00+00', NULL, 0, 1, 1, 1, 12, 'r4'),
                (2, 1, 'PERISHABLE_OVERSTOCK', 'resolved', '2026-01-05 20:00+00', '2026-01-06 20:00+00',
                    '2026-01-06 20:00+00', 9, 1, 1, 1, 0, 'p1 at S2');
            -- What the items' latest reviews expect to spoil (P3 has no review yet).
            INSERT INTO demand_forecast (store_key, product_key, model_time, model_on_hand, day_units, day_stocked_out,
                stocked_out_at_close, variance, days_since_demand, days_learned, zero_days, evidence_days, method,
                daily_deviation, safety_stock, reorder_point, suggested_order_quantity, lead_time_days, service_level,
                review_period_days, draft_on_hand, draft_waste) VALUES
                (1, 1, '2026-01-06 20:00+00', 14, 0, false, false, 1, 0, 5, 0, 5, 'ewma', 1, 1, 1, 0, 2, 0.95, 1, 14, 10),
                (1, 2, '2026-01-06 20:00+00', 8, 0, false, false, 1, 0, 5, 0, 5, 'ewma', 1, 1, 1, 0, 2, 0.95, 1, 8, 5.4);
            INSERT INTO order_review (store_key, review_date, as_of, status, ordered_by, items, lines, units) VALUES
                (1, '2026-01-05', '2026-01-05 20:00+00', 'ordered', 'proposal', 4, 1, 12),
                (1, '2026-01-06', '2026-01-06 20:00+00', 'ordered', 'proposal', 4, 1, 12),
                (2, '2026-01-05', '2026-01-05 20:00+00', 'ordered', 'store', 4, 1, 12);
            """)
        let gold = GoldJob(connection: db, logger: fixture.logs.logger())

        let seen = try await gold.openAlerts(limit: 100)
        #expect(seen.map(\.kind) == [.stockoutRisk, .perishableOverstock])
        #expect(seen.map(\.storeID) == ["S1", "S1"])
        #expect(seen[0].productID == "P4" && seen[0].items == 1)
        let list = seen[1]
        #expect(list.productID == nil && list.productName == nil && list.items == 3)
        // Its items are different products: no on-hand figure; open since its oldest item joined.
        #expect(list.onHand == nil && seen[0].onHand == 0)
        #expect(list.openedAt == 1_767_643_200_000_000)  // 2026-01-05 20:00 UTC
        // 10 + 5.4 + 0 units; 10 × 2.50 + 5.4 × 4.00 + 0.
        #expect(list.reason.hasPrefix("mark down 3 perishable items: about 15 units worth 46.60 will spoil"))
        #expect(list.reason.contains("gold markdowns --store S1"))
        let text = GoldText.alerts(seen)
        #expect(text.contains("3 items") && text.contains("mark-down list"))

        let lines = try await gold.markdowns(store: "S1")
        #expect(lines.map(\.productID) == ["P1", "P2", "P3"])
        #expect(lines.map(\.valueToSpoil) == [25.0, 21.6, 0])
        #expect(lines.map(\.unitsToSpoil) == [10, 5.4, 0])
        #expect(lines.map(\.onHand) == [14, 8, 6])
        #expect(try await gold.markdowns(store: "S2").isEmpty)
        #expect(GoldText.markdowns([]) == "nothing to mark down")

        // S1 saw 2 on the 5th (the list, the stockout; 3 item alerts) and 2 on the 6th (the list
        // again, as it gained an item, and the risk); S2 saw its list once, on a day it ordered
        // its own way.
        let summary = try await gold.summary()
        #expect(summary.alertsOpened == 5 && summary.itemAlertsOpened == 6)
        #expect(summary.orderedStoreDays == 2)
        #expect(summary.alertsOnOrderedDays == 4 && summary.itemAlertsOnOrderedDays == 5)
        let day = Int64(20_458)  // 2026-01-05
        #expect(summary.alertsByOrderedDay.map(\.day) == [day, day + 1])
        #expect(summary.alertsByOrderedDay.map(\.stores) == [1, 1])
        #expect(summary.alertsByOrderedDay.map(\.alerts) == [2, 2])
        #expect(summary.alertsByOrderedDay.map(\.items) == [3, 2])
        // `gold summary` and `lakehouse status` count the open item alerts one way.
        let open = summary.openAlertsByKind.map { "\($0.kind) \($0.count)" }
        #expect(open == ["PERISHABLE_OVERSTOCK 3", "STOCKOUT_RISK 1"])
        let status = try await PipelineStatus.read(connection: db, stream: fixture.base.stream)
        #expect(status.openAlerts.map { "\($0.kind) \($0.count)" } == open)
        #expect(status.text.contains("open item alerts: PERISHABLE_OVERSTOCK 3, STOCKOUT_RISK 1"))
        try await fixture.tearDown()
    }
}
