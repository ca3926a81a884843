import PGLite

/// The outbox of alert deliveries, written by the gold refresh in its own transaction: each
/// alert a refresh opens or resolves becomes one `webhook_delivery` row per enabled endpoint
/// whose kinds and stores it matches, with the exact body to send. Either the refresh commits with
/// its deliveries or neither happens, so an alert cannot be opened and never delivered
/// (``WebhookDeliverer`` sends them at least once; the idempotency key dedupes).
enum WebhookOutbox {
    /// Whether any endpoint would receive a delivery (when none does, the refresh writes no
    /// outbox rows and tracks no events: nothing costs more than this one lookup).
    static func isWanted(_ connection: PGConnection) async throws -> Bool {
        try await connection.query("SELECT EXISTS (SELECT FROM webhook_endpoint WHERE enabled)").rows.first?[0] == "t"
    }

    /// Makes the table the refresh lists its alert events in (`alert_id`, `event`).
    static func prepareEvents(_ connection: PGConnection) async throws {
        try await connection.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS gold_alert_events (alert_id bigint NOT NULL, event text NOT NULL)
                ON COMMIT DELETE ROWS
            """)
    }

    /// `insert` (an `INSERT INTO stock_alert … SELECT …` without `RETURNING`) as a statement that
    /// also lists the alerts it opens, and those it opens already resolved, as events.
    static func listingEvents(of insert: String) -> String {
        """
        WITH opened AS (\(insert) RETURNING alert_id, resolved_at)
        INSERT INTO gold_alert_events (alert_id, event)
        SELECT alert_id, 'alert.opened' FROM opened
        UNION ALL SELECT alert_id, 'alert.resolved' FROM opened WHERE resolved_at IS NOT NULL
        """
    }

    /// Lists the open alerts `gold_alerts` resolves (rows with an id and a resolution time).
    static let resolvedEvents = """
        INSERT INTO gold_alert_events (alert_id, event)
        SELECT alert_id, 'alert.resolved' FROM gold_alerts WHERE alert_id IS NOT NULL AND resolved_at IS NOT NULL
        """

    /// Writes one delivery per listed event and matching endpoint, then empties the list. The
    /// idempotency key, `alert-<id>-opened` or `alert-<id>-resolved`, is the same for every
    /// endpoint and every attempt.
    static func enqueue(_ connection: PGConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO webhook_delivery (endpoint_id, alert_id, event, idempotency_key, body)
            SELECT e.endpoint_id, a.alert_id, v.event, 'alert-' || a.alert_id || '-' || split_part(v.event, '.', 2),
                CASE e.format WHEN 'slack' THEN \(slackBody) ELSE \(jsonBody) END
            FROM gold_alert_events v
            JOIN stock_alert a USING (alert_id)
            JOIN dim_store s USING (store_key)
            JOIN dim_product p USING (product_key)
            JOIN webhook_endpoint e ON e.enabled AND (e.kinds IS NULL OR a.kind = ANY (e.kinds))
                AND (e.store_ids IS NULL OR s.store_id = ANY (e.store_ids))
            ORDER BY v.alert_id, v.event, e.endpoint_id
            ON CONFLICT (endpoint_id, idempotency_key) DO NOTHING
            """)
        try await connection.execute("DELETE FROM gold_alert_events")
    }

    /// An instant as JSON gives it: UTC, milliseconds, `Z`.
    private static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// The JSON shape: the event, its key, and the alert as it stood at the event.
    private static let jsonBody = """
        jsonb_build_object('id', 'alert-' || a.alert_id || '-' || split_part(v.event, '.', 2), 'type', v.event,
            'alert', jsonb_build_object('id', a.alert_id, 'kind', a.kind,
                'status', CASE v.event WHEN 'alert.opened' THEN 'open' ELSE 'resolved' END,
                'store_id', s.store_id, 'product_id', p.product_id, 'product_name', p.product_name,
                'opened_at', \(utc("a.opened_at")),
                'resolved_at', CASE v.event WHEN 'alert.resolved' THEN \(utc("a.resolved_at")) END,
                'on_hand', a.on_hand, 'daily_demand', a.daily_demand, 'safety_stock', a.safety_stock,
                'reorder_point', a.reorder_point, 'days_of_cover', a.days_of_cover,
                'predicted_stockout_at', \(utc("a.predicted_stockout_at")),
                'suggested_order_quantity', a.suggested_order_quantity, 'reason', a.reason))::text
        """

    /// Slack's incoming-webhook shape: one `text`, with `&`, `<` and `>` escaped as Slack asks.
    private static let slackBody = """
        jsonb_build_object('text', replace(replace(replace(
            CASE v.event WHEN 'alert.opened' THEN ':warning: ' ELSE ':white_check_mark: Resolved: ' END
            || a.kind || ' at store ' || s.store_id || ': ' || p.product_name || ' (' || p.product_id || '). '
            || a.reason, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'))::text
        """
}
