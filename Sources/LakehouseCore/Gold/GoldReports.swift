import Foundation
import PGLite

/// An open alert as `gold alerts` lists it.
public struct OpenStockAlert: Sendable, Hashable {
    public var kind: StockAlertKind
    public var storeID: String
    public var productID: String
    public var productName: String
    /// Event time, microseconds since 1970 UTC.
    public var openedAt: Int64
    public var onHand: Int64
    public var daysOfCover: Double?
    public var predictedStockoutTime: Int64?
    public var suggestedOrderQuantity: Int64
    /// What holds, with the figures that justify it.
    public var reason: String
}

/// What the pipeline has seen, for a summary: events by type, quarantined records by reason,
/// duplicates removed, alerts open by kind.
public struct GoldSummary: Sendable {
    public var eventsByType: [(type: String, count: Int64)] = []
    public var quarantinedByReason: [(reason: String, count: Int64)] = []
    public var duplicates: Int64 = 0
    public var openAlertsByKind: [(kind: String, count: Int64)] = []
    /// Items (store × product) gold knows, those never counted (their stock is unknown), and
    /// those whose last count is more than ``countAgeDays`` days older than the newest event.
    public var items: Int64 = 0
    public var neverCounted: Int64 = 0
    public var countOlderThanDays: Int64 = 0
    public var countAgeDays = 7
}

/// The scores of `gold evaluate`: each predictive alert kind, and the fixed-threshold baseline,
/// against a simulation's ground truth.
public struct GoldEvaluation: Sendable, Hashable {
    public var kinds: [StockAlertKind: AlertScores]
    public var baseline: AlertScores
    /// The targets of the demo scenario, for ``StockAlertKind/stockoutPredicted``.
    public static let recallTarget = 0.90
    public static let precisionTarget = 0.70

    /// Whether `STOCKOUT_PREDICTED` meets both targets and beats the baseline's F1.
    public var meetsTargets: Bool {
        guard let predicted = kinds[.stockoutPredicted] else { return false }
        return predicted.recall >= Self.recallTarget && predicted.precision >= Self.precisionTarget
            && predicted.f1 > baseline.f1
    }
}

extension GoldJob {
    /// The open alerts, most urgent first: by kind (``StockAlertKind/urgencyRank``), then the
    /// soonest predicted stockout, then the oldest.
    public func openAlerts(limit: Int = 15) async throws -> [OpenStockAlert] {
        let result = try await connection.query(
            """
            SELECT kind, store_id, product_id, product_name, (extract(epoch FROM opened_at) * 1000000)::bigint,
                on_hand, days_of_cover::float8, (extract(epoch FROM predicted_stockout_at) * 1000000)::bigint,
                suggested_order_quantity, reason
            FROM v_open_alerts
            ORDER BY urgency_rank, predicted_stockout_at NULLS LAST, days_of_cover NULLS FIRST, opened_at, store_id,
                product_id
            LIMIT $1
            """, [Int64(limit)])
        return try result.rows.map { row in
            OpenStockAlert(
                kind: StockAlertKind(rawValue: try row.decode(String.self, at: 0)) ?? .outOfStock,
                storeID: try row.decode(String.self, at: 1), productID: try row.decode(String.self, at: 2),
                productName: try row.decode(String.self, at: 3), openedAt: try row.decode(Int64.self, at: 4),
                onHand: try row.decode(Int64.self, at: 5), daysOfCover: try row.decode(Double?.self, at: 6),
                predictedStockoutTime: try row.decode(Int64?.self, at: 7),
                suggestedOrderQuantity: try row.decode(Int64.self, at: 8), reason: try row.decode(String.self, at: 9))
        }
    }

    /// Counts for a summary of the whole pipeline.
    public func summary() async throws -> GoldSummary {
        var summary = GoldSummary()
        summary.eventsByType = try await connection.query(
            "SELECT event_type, count(*) FROM sales_silver GROUP BY 1 ORDER BY 2 DESC, 1"
        ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1)) }
        summary.quarantinedByReason = try await connection.query(
            "SELECT reason, count(*) FROM sales_quarantine GROUP BY 1 ORDER BY 2 DESC, 1"
        ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1)) }
        summary.duplicates =
            try await connection.query("SELECT coalesce(sum(duplicates), 0)::bigint FROM silver_batches")
            .rows[0].decode(Int64.self, at: 0)
        summary.openAlertsByKind = try await connection.query(
            "SELECT kind, count(*) FROM stock_alert WHERE status = 'open' GROUP BY 1 ORDER BY 2 DESC, 1"
        ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1)) }
        let counts = try await Self.countAges(connection, days: summary.countAgeDays)
        (summary.items, summary.neverCounted, summary.countOlderThanDays) = counts
        return summary
    }

    /// Items gold knows, those never counted, and those whose last count is more than `days`
    /// days older than the newest event in gold (event time, so that a replayed history reads
    /// as it did live).
    static func countAges(_ connection: PGConnection, days: Int) async throws -> (Int64, Int64, Int64) {
        let row = try await connection.query(
            """
            SELECT count(*), count(*) FILTER (WHERE last_count_time IS NULL),
                count(*) FILTER (WHERE last_count_time < (SELECT max(last_event_time) FROM stock_position)
                    - make_interval(days => $1::integer))
            FROM stock_position
            """, [Int64(days)]
        ).rows[0]
        return (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1), try row.decode(Int64.self, at: 2))
    }

    /// Scores the alerts gold raised, and the fixed-threshold baseline replayed over
    /// `fact_stock_movement`, against `truth` (``AlertEvaluation``), with each item's lead time
    /// from its policy.
    ///
    /// - Complexity: reads every alert and every stock movement (an evaluation, not a refresh).
    public func evaluate(truth: GroundTruth, baselineThreshold: Int64 = AlertEvaluation.baselineThreshold)
        async throws -> GoldEvaluation
    {
        let alerts = try await connection.query(
            """
            SELECT s.store_id, p.product_id, a.kind, (extract(epoch FROM a.opened_at) * 1000000)::bigint,
                (extract(epoch FROM a.resolved_at) * 1000000)::bigint
            FROM stock_alert a JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
            """)
        var episodes: [String: [AlertEpisode]] = [:]
        for row in alerts.rows {
            let episode = AlertEpisode(
                store: try row.decode(String.self, at: 0), product: try row.decode(String.self, at: 1),
                kind: try row.decode(String.self, at: 2), opened: try row.decode(Int64.self, at: 3),
                resolved: try row.decode(Int64?.self, at: 4))
            episodes[episode.kind, default: []].append(episode)
        }
        let leads = try await connection.query(
            """
            SELECT s.store_id || '|' || p.product_id, f.lead_time_days::float8
            FROM demand_forecast f JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
            """)
        var leadTimes: [String: Double] = [:]
        for row in leads.rows { leadTimes[try row.decode(String.self, at: 0)] = try row.decode(Double.self, at: 1) }
        let lead = { (store: String, product: String) in
            leadTimes["\(store)|\(product)"] ?? ReplenishmentPolicy.chainDefault.leadTimeDays
        }
        var baseline: [AlertEpisode] = []
        var item: (store: String, product: String)?
        var movements: [StockMovement] = []
        let moves = try await connection.query(
            """
            SELECT s.store_id, p.product_id, (extract(epoch FROM m.event_time) * 1000000)::bigint, m.event_type,
                coalesce(m.counted_quantity, abs(m.quantity_change))
            FROM fact_stock_movement m JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
            ORDER BY s.store_id, p.product_id, m.event_time, m.event_type
            """)
        func flush() {
            if let item {
                baseline += AlertEvaluation.baselineEpisodes(
                    store: item.store, product: item.product, movements: movements, threshold: baselineThreshold)
            }
            movements.removeAll(keepingCapacity: true)
        }
        for row in moves.rows {
            let store = try row.decode(String.self, at: 0)
            let product = try row.decode(String.self, at: 1)
            if item?.store != store || item?.product != product {
                flush()
                item = (store, product)
            }
            guard let kind = StockMovement.Kind(rawValue: try row.decode(String.self, at: 3)) else { continue }
            movements.append(
                StockMovement(
                    time: try row.decode(Int64.self, at: 2), kind: kind, quantity: try row.decode(Int64.self, at: 4)))
        }
        flush()
        var kinds: [StockAlertKind: AlertScores] = [:]
        for kind in StockAlertKind.predictive {
            kinds[kind] = AlertEvaluation.score(
                episodes[kind.rawValue] ?? [], name: kind.rawValue, truth: truth, leadTimeDays: lead)
        }
        let base = AlertEvaluation.score(
            baseline, name: "baseline (on hand ≤ \(baselineThreshold) units)", truth: truth, leadTimeDays: lead)
        return GoldEvaluation(kinds: kinds, baseline: base)
    }
}
