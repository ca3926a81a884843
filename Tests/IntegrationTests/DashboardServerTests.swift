import AWSLite
import Foundation
import LakehouseCore
import LakehouseServer
import LakehouseTestSupport
import Logging
import PGLite
import ServiceLifecycle
import Testing

/// `lakehouse serve` as a client sees it: over real HTTP on loopback, against PostgreSQL.
@Suite("Dashboard server: health, the overview's JSON against SQL, the token, a database that is away")
struct DashboardServerTests {
    /// A server running in a service group until `stop()`.
    struct Running {
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let base: String
        let http = HTTPClient(logger: CapturedLogs().logger())

        static func start(_ server: DashboardServer) async throws -> Running {
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let group = ServiceGroup(
                services: [server.service(onListening: { continuation.yield($0) })], logger: CapturedLogs().logger())
            let task = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ServerError(.invalidConfiguration, "no port") }
            return Running(group: group, task: task, base: "http://127.0.0.1:\(port)")
        }

        func get(_ path: String, token: String? = nil, authorization: String? = nil) async throws -> HTTPResponse {
            let value = authorization ?? token.map { "Bearer \($0)" }
            return try await http.execute(
                HTTPRequest(
                    method: "GET", url: base + path, headers: value.map { [(name: "Authorization", value: $0)] } ?? []))
        }

        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    /// A server over `schema` of the test database.
    static func server(schema: String, token: String? = nil, url: String? = nil) throws -> DashboardServer {
        var database = PGConnection.Configuration(
            connectionString: try PGConnectionString(url ?? TestServices.require().databaseURL))
        database.runtimeParameters["search_path"] = schema
        database.connectTimeout = .seconds(2)
        return try DashboardServer(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, token: token, stream: "serve-stream"),
            database: database, logger: CapturedLogs().logger())
    }

    /// A store with two items (one never counted, one named like a script), alerts open and
    /// resolved, and a proposal for its newest day.
    static func seed(_ db: PGConnection) async throws {
        try await db.execute(
            """
            INSERT INTO dim_store (store_key, store_id, first_event_time) VALUES (1, 'S1', '2026-01-01 08:00+00');
            INSERT INTO dim_product (product_key, product_id, product_name, category, unit_price, described_at) VALUES
                (1, 'P1', 'Sourdough', 'BAKERY', 2.50, '2026-01-01 08:00+00'),
                (2, 'P2', 'Milk <script>alert(1)</script>', 'DAIRY', 1.00, '2026-01-01 08:00+00');
            INSERT INTO stock_position (store_key, product_key, last_event_time, last_count_time, last_count_quantity,
                change_since_count) VALUES
                (1, 1, '2026-01-05 12:00+00', '2026-01-05 07:00+00', 10, -3),
                (1, 2, '2026-01-05 12:30+00', NULL, NULL, -2);
            INSERT INTO store_activity (store_key, last_event_time) VALUES (1, '2026-01-05 12:30+00');
            INSERT INTO stock_alert (store_key, product_key, kind, status, opened_at, updated_at, resolved_at, on_hand,
                daily_deviation, safety_stock, reorder_point, suggested_order_quantity, reason) VALUES
                (1, 1, 'REORDER_NOW', 'open', '2026-01-05 12:00+00', '2026-01-05 12:00+00', NULL, 7, 1, 1, 8, 5, 'r'),
                (1, 1, 'BELOW_SAFETY_STOCK', 'resolved', '2026-01-05 09:00+00', '2026-01-05 10:00+00',
                    '2026-01-05 10:00+00', 0, 1, 1, 1, 0, 'b'),
                (1, 2, 'OUT_OF_STOCK', 'open', '2026-01-05 12:30+00', '2026-01-05 12:30+00', NULL, 0, 1, 1, 1, 4, 'o'),
                (1, 2, 'REORDER_NOW', 'open', '2026-01-05 12:30+00', '2026-01-05 12:30+00', NULL, 0, 1, 1, 1, 4, 'r2');
            INSERT INTO dim_store (store_key, store_id, first_event_time) VALUES (2, 'S2', '2026-01-02 08:00+00');
            INSERT INTO demand_forecast (store_key, product_key, model_time, model_on_hand, day_units, day_stocked_out,
                stocked_out_at_close, variance, days_since_demand, days_learned, zero_days, evidence_days, method,
                daily_demand, daily_deviation, safety_stock, reorder_point, days_of_cover, suggested_order_quantity,
                lead_time_days, service_level, review_period_days) VALUES
                (1, 1, '2026-01-05 12:00+00', 7, 0, false, false, 1, 0, 5, 0, 5, 'ewma', 2.5, 1, 3, 8, 2.8, 5, 2, 0.95, 1),
                (1, 2, '2026-01-05 12:30+00', -2, 0, false, false, 1, 0, 5, 0, 5, 'ewma', 1, 1, 1, 2, 0, 4, 2, 0.95, 1);
            INSERT INTO order_review (store_key, review_date, as_of, status, items, lines, units) VALUES
                (1, '2026-01-05', '2026-01-05 12:30+00', 'proposed', 2, 2, 11);
            INSERT INTO order_line (store_key, review_date, product_key, quantity, cases, on_hand, on_order, cover_demand,
                safety_stock, projected_stock, projected_waste, stockout_risk, reason, status) VALUES
                (1, '2026-01-05', 1, 6, NULL, 7, 0, 7.5, 3, 5, 0, 0.02, 'order 6: 7 on hand, 7.5 expected', 'proposed'),
                (1, '2026-01-05', 2, 5, 1, -2, 0, 3, 1, 2, 0, 0.04, 'order 5 <b>now</b>', 'proposed');
            SELECT lakehouse_month_partitions(t, DATE '2026-01-01', DATE '2026-01-31')
            FROM unnest(ARRAY['fact_stock_movement', 'fact_inventory_snapshot']::regclass[]) AS t;
            INSERT INTO fact_stock_movement (transaction_id, product_id, event_type, date_key, store_key, product_key,
                event_time, quantity_change, counted_quantity) VALUES
                ('r1', 'P1', 'restock', 20260104, 1, 1, '2026-01-04 06:00+00', 12, NULL),
                ('t1', 'P1', 'sale', 20260104, 1, 1, '2026-01-04 10:00+00', -2, NULL),
                ('c1', 'P1', 'stock_count', 20260105, 1, 1, '2026-01-05 07:00+00', NULL, 10),
                ('t2', 'P1', 'sale', 20260105, 1, 1, '2026-01-05 09:00+00', -3, NULL);
            INSERT INTO fact_inventory_snapshot (date_key, store_key, product_key, closing_on_hand) VALUES
                (20260104, 1, 1, 10), (20260105, 1, 1, 7);
            INSERT INTO bronze_object (bronze_key, etag, size, stream, shard_id, records, written_at) VALUES
                ('b/1', 'e1', 100, 'serve-stream', 'shard-0', 30, now()),
                ('b/2', 'e2', 100, 'serve-stream', 'shard-0', 12, now() - interval '5 minutes');
            """)
        try await seedPipeline(db)
    }

    /// Runs, a backfill in progress, quarantined records (one named like a script, one not
    /// UTF-8), and a webhook endpoint with a dead and a pending delivery.
    static func seedPipeline(_ db: PGConnection) async throws {
        try await db.execute(
            """
            INSERT INTO pipeline_run (stage, worker_id, subject, started_at, ended_at, status, rows_in, rows_out,
                error) VALUES
                ('silver', 'w1', NULL, '2026-01-05 12:00+00', '2026-01-05 12:00:02+00', 'succeeded', 100, 98, NULL),
                ('gold', 'w1', NULL, '2026-01-05 12:01+00', '2026-01-05 12:01:01+00', 'failed', 0, 0,
                    'boom <i>x</i>'),
                ('backfill', 'w1', '2026-01-01..2026-01-03', '2026-01-05 12:02+00', NULL, 'running', 500, 480, NULL);
            INSERT INTO sales_quarantine (bronze_key, bronze_line, reason, detail, payload) VALUES
                ('bronze/a.ndjson', 3, 'malformed:json', 'unexpected end',
                    convert_to('{"product_name":"<script>alert(2)</script>"', 'UTF8')),
                ('bronze/a.ndjson', 4, 'null:quantity', 'quantity is null', '\\xfffe41'::bytea),
                ('bronze/a.ndjson', 5, 'null:quantity', 'quantity is null', convert_to('{"quantity":null}', 'UTF8'));
            INSERT INTO webhook_endpoint (endpoint_id, name, url, secret, format) VALUES
                (1, 'ops', 'https://hooks.example.com/services/SECRET-PATH', 'whsec-never-shown-0123', 'slack');
            INSERT INTO webhook_delivery (endpoint_id, alert_id, event, idempotency_key, body, status, attempts,
                last_status, last_error) VALUES
                (1, 1, 'alert.opened', 'alert-1-opened', '{}', 'dead', 8, 500, 'HTTP 500: <b>down</b>'),
                (1, 3, 'alert.opened', 'alert-3-opened', '{}', 'pending', 1, NULL, NULL);
            """)
    }

    @Test("/api/v1/pipeline: filtered runs, backfill progress, quarantine with raw examples, webhooks without secrets")
    func pipelineReport() async throws {
        let fixture = try await PipelineFixture.make("serve-pipeline", shards: 1)
        try await Self.seed(fixture.database)
        let schema = try await fixture.database.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let running = try await Running.start(try Self.server(schema: schema))
        let answer = try await running.get("/api/v1/pipeline")
        #expect(answer.status == 200)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(!text.contains("SECRET-PATH") && !text.contains("whsec-never-shown") && !text.contains("hooks.example"))
        let report = try JSONDecoder().decode(PipelineReport.self, from: Data(answer.body))
        #expect(report.totalRuns == (try await fixture.count("SELECT count(*) FROM pipeline_run")))
        #expect(report.runs.map(\.stage) == ["backfill", "gold", "silver"])
        #expect(report.backfills.map(\.status) == ["running"] && report.backfills.first?.rowsIn == 500)
        #expect(report.quarantine.map(\.reason) == ["null:quantity", "malformed:json"])
        #expect(report.quarantine.map(\.count) == [2, 1])
        let records = report.quarantine.flatMap(\.examples).map(\.record)
        #expect(records.contains("\u{FFFD}\u{FFFD}A"), "bytes that are not UTF-8 are replaced: \(records)")
        #expect(records.contains(#"{"product_name":"<script>alert(2)</script>""#))
        #expect(report.webhooks.map(\.name) == ["ops"] && report.webhooks.first?.dead == 1)
        #expect(report.webhooks.first?.pending == 1 && report.webhooks.first?.format == "slack")
        #expect(report.deadLetters.map(\.key) == ["alert-1-opened"] && report.deadLetters.first?.lastStatus == 500)

        let gold = try JSONDecoder().decode(
            PipelineReport.self, from: Data(try await running.get("/api/v1/pipeline?stage=gold&status=failed").body))
        #expect(gold.runs.map(\.error) == ["boom <i>x</i>"] && gold.totalRuns == 1 && gold.stage == "gold")
        let paged = try JSONDecoder().decode(
            PipelineReport.self, from: Data(try await running.get("/api/v1/pipeline?limit=1&offset=1").body))
        #expect(paged.runs.map(\.stage) == ["gold"] && paged.totalRuns == 3)
        for bad in ["stage=bronze", "status=ok", "limit=0", "stage=gold&stage=silver"] {
            let refused = try await running.get("/api/v1/pipeline?" + bad)
            #expect(refused.status == 400, "\(bad)")
        }
        let page = try await running.get("/pipeline?stage=gold")
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(page.status == 200 && html.contains("boom &lt;i&gt;x&lt;/i&gt;"))
        let all = String(decoding: try await running.get("/pipeline").body, as: UTF8.self)
        #expect(all.contains("&lt;script&gt;alert(2)&lt;/script&gt;") && !all.contains("<script"))
        #expect(all.contains("HTTP 500: &lt;b&gt;down&lt;/b&gt;") && all.contains("lakehouse webhooks retry"))
        #expect(!all.contains("SECRET-PATH") && !all.contains("whsec-never-shown"))
        try await running.stop()
        try await fixture.tearDown()
    }

    @Test(
        "Limits: a long target is 414, a body is 413, beyond the rate 429 with Retry-After; health checks still answer")
    func requestLimits() async throws {
        let fixture = try await PipelineFixture.make("serve-limits", shards: 1)
        let schema = try await fixture.database.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        var database = PGConnection.Configuration(
            connectionString: try PGConnectionString(TestServices.require().databaseURL))
        database.runtimeParameters["search_path"] = schema
        let server = try DashboardServer(
            configuration: ServerConfiguration(port: 0, stream: "serve-stream", rateLimit: 5, maximumStreams: 1),
            database: database, logger: CapturedLogs().logger())
        let running = try await Running.start(server)
        let long = try await running.get("/search?q=" + String(repeating: "a", count: 2100))
        #expect(long.status == 414)
        let withBody = try await ChildProcess.output(
            "/usr/bin/curl",
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "GET", "--data", "x",
                running.base + "/api/v1/stores",
            ],
            timeout: .seconds(20))
        #expect(withBody.output == "413")
        // 15 requests at once (however slow the machine, they arrive faster than the bucket's
        // 5 a second refill it): a burst of 5, then 5 a second, and no more answered than that.
        let started = ContinuousClock.now
        let responses = try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
            for _ in 0..<15 { group.addTask { try await running.get("/api/v1/stores") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let seconds = Double((ContinuousClock.now - started).components.seconds) + 1
        let statuses = responses.map(\.status)
        #expect(Double(statuses.filter { $0 == 200 }.count) <= 5 + 5 * seconds, "\(statuses)")
        let limited = try #require(responses.first { $0.status == 429 }, "\(statuses)")
        #expect(limited.headers.contains { $0.name.lowercased() == "retry-after" && $0.value == "1" })
        #expect(String(decoding: limited.body, as: UTF8.self).contains("slow down"))
        #expect(try await running.get("/healthz").status == 200)
        #expect(try await running.get("/readyz").status == 200)
        try await Task.sleep(for: .seconds(1.2))
        #expect(try await running.get("/api/v1/stores").status == 200, "the bucket refills")
        // A stream whose client left gives its place back within a second (here: one place).
        try await Task.sleep(for: .seconds(1.2))
        for _ in 0..<2 {
            let dropped = try await ChildProcess.output(
                "/usr/bin/curl", ["-sN", "--max-time", "1", running.base + "/events"], timeout: .seconds(20))
            #expect(dropped.output.contains("retry: 5000"))
            try await Task.sleep(for: .seconds(2.5))
        }
        let live = try await ChildProcess.output(
            "/usr/bin/curl", ["-sN", "--max-time", "2", running.base + "/events"], timeout: .seconds(20))
        #expect(live.output.contains("retry: 5000"), "the one stream's place is free: \(live.output.prefix(200))")
        try await running.stop()
        try await fixture.tearDown()
    }

    @Test("/events streams the overview's figures as Server-Sent Events, the same the page shows")
    func liveEvents() async throws {
        let fixture = try await PipelineFixture.make("serve-events", shards: 1)
        try await Self.seed(fixture.database)
        let schema = try await fixture.database.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let running = try await Running.start(try Self.server(schema: schema))
        let result = try await ChildProcess.output(
            "/usr/bin/curl", ["-sN", "--max-time", "3", "-D", "-", running.base + "/events"], timeout: .seconds(20))
        #expect(result.status == 28, "curl ends at its time limit: the stream stays open")
        let text = result.output
        #expect(text.lowercased().contains("content-type: text/event-stream"))
        #expect(text.contains("retry: 5000"))
        let data = text.components(separatedBy: "\n").first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
        let figures = try JSONDecoder().decode([String: String].self, from: Data((data ?? "").utf8))
        let open = try await fixture.count("SELECT count(*) FROM stock_alert WHERE status = 'open'")
        #expect(figures["alerts"] == "\(open)" && figures["availability"] == "100.0 %")
        let page = String(decoding: try await running.get("/").body, as: UTF8.self)
        #expect(page.contains("data-live=\"alerts\">\(open)<") && page.contains("<script src=\"/assets/live.js\""))
        #expect(try await running.get("/assets/live.js").status == 200)
        try await running.stop()
        try await fixture.tearDown()
    }

    @Test("/healthz and /readyz answer; /api/v1/overview shows what SQL counts; the OpenAPI document is served")
    func overviewMatchesSQL() async throws {
        let fixture = try await PipelineFixture.make("serve", shards: 1)
        let db = fixture.database
        try await Self.seed(db)
        let schema = try await db.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let running = try await Running.start(try Self.server(schema: schema))

        let health = try await running.get("/healthz")
        #expect(health.status == 200 && String(decoding: health.body, as: UTF8.self) == "ok\n")
        #expect(try await running.get("/readyz").status == 200)

        let answer = try await running.get("/api/v1/overview")
        #expect(answer.status == 200)
        #expect(
            answer.headers.contains { $0.name.lowercased() == "content-type" && $0.value.hasPrefix("application/json") }
        )
        let overview = try JSONDecoder().decode(OverviewReport.self, from: Data(answer.body))
        // What SQL says, counted here independently of the server's queries.
        var expected: [OverviewReport.AlertCount] = []
        for row in try await db.query(
            "SELECT kind, count(*) FROM stock_alert WHERE status = 'open' GROUP BY kind ORDER BY count(*) DESC, kind"
        ).rows {
            expected.append(.init(kind: try row.decode(String.self, at: 0), count: try row.decode(Int64.self, at: 1)))
        }
        #expect(overview.openAlerts == expected)
        #expect(overview.openAlerts.first == .init(kind: "REORDER_NOW", count: 2))
        #expect(overview.items == (try await fixture.count("SELECT count(*) FROM stock_position")))
        #expect(overview.neverCounted == 1)
        #expect(overview.newestGoldEvent == "2026-01-05T12:30:00.000000Z")
        #expect(overview.stream == "serve-stream")
        #expect((overview.freshnessSeconds ?? 0) > 0)
        #expect(overview.eventsPerMinute.count == 60 && overview.eventsPerMinute.reduce(0, +) == 42)
        // P1 counted with 7 on hand; P2 never counted: one counted item, in stock.
        #expect(overview.itemsInStock == 1 && overview.availability == 1)

        let document = try await running.get("/api/v1/openapi.json")
        let parsed = try JSONSerialization.jsonObject(with: Data(document.body)) as? [String: Any]
        #expect(parsed?["openapi"] as? String == "3.1.0")
        #expect((parsed?["paths"] as? [String: Any])?["/api/v1/overview"] != nil)
        #expect(try await running.get("/no/such/page").status == 404)
        // /metrics, parsed by prometheus_client: the gauges read from PostgreSQL, each kind of
        // StockAlertKind present (0 when none is open).
        let metrics = try await PipelineMetricsTests.scrape(running.base + "/metrics")
        #expect(metrics.sum("lakehouse_open_alerts", ["kind": "REORDER_NOW"]) == 2)
        #expect(metrics.sum("lakehouse_open_alerts", ["kind": "OUT_OF_STOCK"]) == 1)
        #expect(
            metrics.samples.contains {
                $0.name == "lakehouse_open_alerts" && $0.labels["kind"] == "STOCKOUT_RISK" && $0.value == 0
            })
        // Read after the overview, from the same newest event: at least as old.
        #expect(metrics.sum("lakehouse_gold_freshness_seconds") >= (overview.freshnessSeconds ?? .infinity))

        try await running.stop()
        try await fixture.tearDown()
    }

    @Test(
        "/api/v1/stores pages the stores; /api/v1/stores/{id} shows the proposal, alerts and items as SQL has them; bad parameters are 400s, an unknown store a 404"
    )
    func stores() async throws {
        let fixture = try await PipelineFixture.make("serve-stores", shards: 1)
        let db = fixture.database
        try await Self.seed(db)
        let schema = try await db.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let running = try await Running.start(try Self.server(schema: schema))
        let decoder = JSONDecoder()

        let all = try decoder.decode(StoreList.self, from: Data(try await running.get("/api/v1/stores").body))
        #expect(all.stores.map(\.storeID) == ["S1", "S2"] && all.total == 2 && all.limit == 50)
        #expect(all.stores[0].items == 2 && all.stores[0].openAlerts == 3 && all.stores[1].items == 0)
        #expect(all.stores[0].newestEvent == "2026-01-05T12:30:00.000000Z" && all.stores[1].newestEvent == nil)
        let second = try decoder.decode(
            StoreList.self, from: Data(try await running.get("/api/v1/stores?limit=1&offset=1").body))
        #expect(second.stores.map(\.storeID) == ["S2"] && second.total == 2)

        let store = try decoder.decode(StoreReport.self, from: Data(try await running.get("/api/v1/stores/S1").body))
        let lines = try await db.query(
            "SELECT product_id, quantity FROM v_order_proposal WHERE store_id = 'S1' ORDER BY stockout_risk DESC, product_id"
        )
        #expect(store.proposal?.reviewDate == "2026-01-05" && store.proposal?.status == "proposed")
        #expect(store.proposal?.lines.map(\.productID) == (try lines.rows.map { try $0.decode(String.self, at: 0) }))
        #expect(store.proposal?.lines.map(\.quantity) == (try lines.rows.map { try $0.decode(Int64.self, at: 1) }))
        #expect(store.proposal?.lines.first?.reason == "order 5 <b>now</b>")
        #expect(store.suggestions.isEmpty)
        #expect(Set(store.alerts.map(\.kind)) == ["OUT_OF_STOCK", "REORDER_NOW"] && store.alerts.count == 3)
        // Fewest days of cover first; the never-counted item has no stock figure and comes last.
        #expect(store.items.map(\.productID) == ["P1", "P2"])
        #expect(store.items[0].onHand == 7 && store.items[0].daysOfCover == 2.8)
        #expect(store.items[1].onHand == nil && store.items[1].daysOfCover == nil)
        #expect(store.items[1].productName == "Milk <script>alert(1)</script>")
        #expect(store.itemsTotal == 2)

        // The item: its days (closing stock, sold, delivered, counts) and its alerts, newest first.
        let item = try decoder.decode(
            ItemReport.self, from: Data(try await running.get("/api/v1/stores/S1/items/P1?days=3").body))
        #expect(item.days.map(\.date) == ["2026-01-03", "2026-01-04", "2026-01-05"])
        #expect(item.days.map(\.closingOnHand) == [nil, 10, 7])
        #expect(item.days.map(\.unitsSold) == [0, 2, 3] && item.days.map(\.unitsDelivered) == [0, 12, 0])
        #expect(item.days.map(\.counts) == [0, 0, 1])
        #expect(item.alerts.map(\.kind) == ["REORDER_NOW", "BELOW_SAFETY_STOCK"])
        #expect(item.alerts.map(\.status) == ["open", "resolved"] && item.alerts[1].resolvedAt != nil)
        #expect(item.onHand == 7 && item.reorderPoint == 8 && item.safetyStock == 3 && item.productName == "Sourdough")
        #expect(try await running.get("/api/v1/stores/S1/items/P9").status == 404)
        #expect(try await running.get("/api/v1/stores/S1/items/P1?days=366").status == 400)
        let itemPage = String(decoding: try await running.get("/stores/S1/items/P1").body, as: UTF8.self)
        #expect(itemPage.contains("<svg") && itemPage.contains("Sourdough at S1"))
        // A product the store never had is not an item of it.
        #expect(try await running.get("/api/v1/stores/S2/items/P1").status == 404)

        // Search: by name or id, case-insensitive; LIKE's wildcards are plain text.
        let milk = try decoder.decode(
            SearchReport.self, from: Data(try await running.get("/api/v1/search?q=mILK").body))
        #expect(milk.items.map { "\($0.storeID)/\($0.productID)" } == ["S1/P2"] && milk.items[0].onHand == nil)
        let both = try decoder.decode(SearchReport.self, from: Data(try await running.get("/api/v1/search?q=p").body))
        #expect(both.items.map(\.productID) == ["P2", "P1"])
        let percent = try decoder.decode(
            SearchReport.self, from: Data(try await running.get("/api/v1/search?q=%25").body))
        #expect(percent.items.isEmpty)
        #expect(try await running.get("/api/v1/search?q=").status == 400)
        #expect(try await running.get("/api/v1/search").status == 400)
        // A form sends spaces as `+`; a `+` it means is `%2B`.
        let spaced = try decoder.decode(
            SearchReport.self, from: Data(try await running.get("/api/v1/search?q=milk+%3Cscript").body))
        #expect(spaced.query == "milk <script" && spaced.items.map(\.productID) == ["P2"])
        let plus = try decoder.decode(SearchReport.self, from: Data(try await running.get("/api/v1/search?q=%2B").body))
        #expect(plus.query == "+" && plus.items.isEmpty)
        let searchPage = String(decoding: try await running.get("/search?q=sour").body, as: UTF8.self)
        #expect(searchPage.contains(">Sourdough</a>") && !searchPage.contains("Milk"))

        // The order as CSV: quoted where a field needs it; a name a spreadsheet would run is defused.
        try await db.execute("UPDATE dim_product SET product_name = '=HYPERLINK(\"x\")' WHERE product_key = 1")
        let csv = try await running.get("/stores/S1/order.csv")
        #expect(csv.status == 200)
        #expect(
            csv.headers.contains { $0.name.lowercased() == "content-type" && $0.value == "text/csv; charset=utf-8" })
        #expect(
            csv.headers.contains {
                $0.name.lowercased() == "content-disposition" && $0.value.contains("order-S1-2026-01-05.csv")
            })
        let rows = String(decoding: csv.body, as: UTF8.self).split(separator: "\r\n").map(String.init)
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("S1,2026-01-05,P2,Milk <script>alert(1)</script>,5,1,-2,0,0.04,order 5 <b>now</b>"))
        #expect(rows[2] == #"S1,2026-01-05,P1,"'=HYPERLINK(""x"")",6,,7,0,0.02,"order 6: 7 on hand, 7.5 expected""#)
        try await db.execute("UPDATE dim_product SET product_name = 'Sourdough' WHERE product_key = 1")

        let empty = try decoder.decode(StoreReport.self, from: Data(try await running.get("/api/v1/stores/S2").body))
        #expect(empty.proposal == nil && empty.items.isEmpty && empty.alerts.isEmpty)

        for bad in [
            "/api/v1/stores?limit=0", "/api/v1/stores?limit=501", "/api/v1/stores?limit=ten",
            "/api/v1/stores?offset=-1", "/api/v1/stores?limit=1&limit=2", "/api/v1/stores/S1?offset=1e3",
        ] {
            let answer = try await running.get(bad)
            #expect(answer.status == 400, "\(bad)")
            let message = String(decoding: answer.body, as: UTF8.self)
            #expect(message.contains("must be one whole number"), "\(bad): \(message)")
        }
        let missing = try await running.get("/api/v1/stores/NOPE%27%3B%20DROP%20TABLE%20dim_store%3B--")
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self).contains("gold has no store"))
        #expect(try await fixture.count("SELECT count(*) FROM dim_store") == 2)

        try await running.stop()
        try await fixture.tearDown()
    }

    @Test("schemathesis against the OpenAPI document finds no server error and no answer outside the schema")
    func schemathesis() async throws {
        let fixture = try await PipelineFixture.make("serve-schemathesis", shards: 1)
        try await Self.seed(fixture.database)
        let schema = try await fixture.database.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let running = try await Running.start(try Self.server(schema: schema))
        let tool = TestServices.repositoryRoot + "/.venv/bin/schemathesis"
        let result = try await ChildProcess.output(
            tool,
            [
                "--config-file", TestServices.repositoryRoot + "/Tests/Browser/schemathesis.toml",
                "run", running.base + "/api/v1/openapi.json", "--url", running.base, "--checks", "all",
                "--max-examples", "40", "--seed", "23", "--no-color", "--workers", "1",
            ], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.output.suffix(4000))\(result.errors.suffix(2000))")
        #expect(result.output.contains("stores"), "\(result.output.suffix(2000))")
        try await running.stop()
        try await fixture.tearDown()
    }

    @Test(
        "In Chromium: the pages show what SQL holds, follow their links, render a <script> name as text, fit a phone; screenshots saved"
    )
    func pagesInABrowser() async throws {
        let fixture = try await PipelineFixture.make("serve-pages", shards: 1)
        let db = fixture.database
        try await Self.seed(db)
        let schema = try await db.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let running = try await Running.start(try Self.server(schema: schema))
        let shots = TestServices.repositoryRoot + "/.build/screenshots"
        let result = try await ChildProcess.output(
            TestServices.repositoryRoot + "/.venv/bin/python",
            [TestServices.repositoryRoot + "/Tests/Browser/dashboard_pages.py", running.base, shots, "S1"],
            timeout: .seconds(180))
        #expect(result.status == 0, "\(result.errors.suffix(3000))")
        let seen = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] ?? [:]
        let overview = seen["overview"] as? [String: Any] ?? [:]
        let cards = overview["cards"] as? [String: String] ?? [:]
        // The cards and tables against SQL, counted here.
        let open = try await fixture.count("SELECT count(*) FROM stock_alert WHERE status = 'open'")
        #expect(cards["Open alerts"] == "\(open)")
        #expect(cards["Items"] == "\(try await fixture.count("SELECT count(*) FROM stock_position"))")
        #expect(cards["Never counted"] == "1")
        let kinds = (overview["tables"] as? [String: [[String]]])?["Open alerts by kind"] ?? []
        #expect(kinds == [["REORDER_NOW", "2"], ["OUT_OF_STOCK", "1"]])
        #expect(cards["Availability now"] == "100.0 %" && overview["sparklines"] as? Int == 1)
        // live.js got an event and set the same figures the page was rendered with.
        let live = overview["live"] as? [String: String] ?? [:]
        #expect(live["alerts"] == "\(open)" && live["availability"] == "100.0 %", "\(live)")

        // The Pipeline page: runs, the raw quarantined records as text, dead letters; then filtered.
        let pipeline = seen["pipeline"] as? [String: Any] ?? [:]
        let pipelineTables = pipeline["tables"] as? [String: [[String]]] ?? [:]
        #expect(pipeline["h1"] as? String == "Pipeline" && pipeline["alert"] as? Bool == false)
        #expect((pipelineTables["Backfills"] ?? []).first?[5] == "running")
        #expect((pipelineTables["Dead letters"] ?? []).first?[6] == "HTTP 500: <b>down</b>")
        #expect((pipeline["records"] as? [String] ?? []).contains(#"{"product_name":"<script>alert(2)</script>""#))
        #expect(!(pipeline["body"] as? String ?? "").contains("SECRET-PATH"))
        let gold = (seen["pipelineGold"] as? [String: Any] ?? [:])["tables"] as? [String: [[String]]] ?? [:]
        #expect((gold["Runs"] ?? []).map { [$0[1], $0[9]] } == [["gold", "boom <i>x</i>"]], "\(gold)")
        #expect((pipelineTables["Runs"] ?? []).map { $0[1] } == ["backfill", "gold", "silver"])

        let store = seen["store"] as? [String: Any] ?? [:]
        #expect((store["url"] as? String)?.hasSuffix("/stores/S1") == true)
        #expect(store["h1"] as? String == "Store S1")
        let tables = store["tables"] as? [String: [[String]]] ?? [:]
        let proposal = tables["Order proposal for 2026-01-05 (proposed)"] ?? []
        #expect(proposal.map { $0[1] } == ["5", "6"])
        #expect(proposal.first?.last == "order 5 <b>now</b>")
        let items = tables["Items by days of cover"] ?? []
        // The product named like a script shows as that text, and no script ran.
        #expect(items.map { $0[0] } == ["Sourdough P1", "Milk <script>alert(1)</script> P2"])
        #expect(items.last?[2] == "never counted")
        #expect(store["alert"] as? Bool == false && store["scripts"] as? Int == 0)
        let json = seen["storeJSON"] as? [String: Any] ?? [:]
        #expect(json["storeID"] as? String == "S1")
        let phone = seen["phone"] as? [String: Any] ?? [:]
        // Wide tables scroll inside their box; the page itself is no wider than the phone.
        #expect(phone["clientWidth"] as? Int == 390)
        #expect((phone["scrollWidth"] as? Int ?? 9999) <= 390, "the page is wider than a phone: \(phone)")
        // The item page, reached from the store's page: two charts and the alerts.
        let item = seen["item"] as? [String: Any] ?? [:]
        #expect((item["url"] as? String)?.hasSuffix("/stores/S1/items/P1") == true)
        #expect(item["charts"] as? Int == 2)
        #expect(
            ((item["tables"] as? [String: [[String]]])?["Alerts"] ?? []).map { $0[0] } == [
                "REORDER_NOW", "BELOW_SAFETY_STOCK",
            ])
        for name in ["overview", "pipeline", "pipeline-gold", "stores", "store", "item", "store-phone"] {
            #expect(FileManager.default.fileExists(atPath: "\(shots)/\(name).png"))
        }
        try await running.stop()
        try await fixture.tearDown()
    }

    @Test("With a token, /api/v1 needs it (401 with WWW-Authenticate otherwise); the health checks do not")
    func tokenIsRequired() async throws {
        let fixture = try await PipelineFixture.make("serve-token", shards: 1)
        let schema = try await fixture.database.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let token = "s3cret-\(UUID().uuidString)"
        let running = try await Running.start(try Self.server(schema: schema, token: token))

        let refused = try await running.get("/api/v1/overview")
        #expect(refused.status == 401)
        #expect(refused.headers.contains { $0.name.lowercased() == "www-authenticate" && $0.value == "Bearer" })
        #expect(String(decoding: refused.body, as: UTF8.self).contains("Authorization: Bearer"))
        // Everything but the health checks and the style sheet needs it.
        for path in [
            "/api/v1/openapi.json", "/api/v1/stores", "/api/v1/search?q=a", "/api/v1/stores/S1/items/P1", "/metrics",
            "/stores", "/search?q=a", "/stores/S1/order.csv", "/stores/S1/items/P1", "/pipeline", "/events",
            "/api/v1/pipeline",
        ] {
            #expect(try await running.get(path).status == 401, "\(path)")
        }
        #expect(try await running.get("/api/v1/overview", token: token + "x").status == 401)
        #expect(try await running.get("/api/v1/overview", token: String(token.dropLast())).status == 401)
        #expect(try await running.get("/api/v1/overview", token: token).status == 200)
        #expect(try await running.get("/metrics", token: token).status == 200)
        #expect(try await running.get("/healthz").status == 200)
        #expect(try await running.get("/readyz").status == 200)

        // Pages: a browser's basic authentication with the token as the password.
        let page = try await running.get("/")
        #expect(page.status == 401)
        #expect(page.headers.contains { $0.name.lowercased() == "www-authenticate" && $0.value.hasPrefix("Basic") })
        let basic = "Basic " + Data("manager:\(token)".utf8).base64EncodedString()
        let wrong = "Basic " + Data("manager:\(token)x".utf8).base64EncodedString()
        #expect(try await running.get("/", authorization: basic).status == 200)
        #expect(try await running.get("/", authorization: wrong).status == 401)
        #expect(try await running.get("/assets/site.css").status == 200)
        #expect(try await running.get("/assets/live.js").status == 200)

        try await running.stop()
        try await fixture.tearDown()
    }

    @Test("Pages escape what the database holds, carry a content policy of our own files only, and refuse to be framed")
    func pagesAreEscaped() async throws {
        let fixture = try await PipelineFixture.make("serve-escape", shards: 1)
        try await Self.seed(fixture.database)
        let schema = try await fixture.database.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let running = try await Running.start(try Self.server(schema: schema))
        let answer = try await running.get("/stores/S1")
        let html = String(decoding: answer.body, as: UTF8.self)
        #expect(answer.status == 200)
        #expect(html.contains("Milk &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("order 5 &lt;b&gt;now&lt;/b&gt;"))
        #expect(!html.contains("<script") && !html.contains("<b>"))
        func header(_ name: String) -> String? { answer.headers.first { $0.name.lowercased() == name }?.value }
        #expect(header("content-type") == "text/html; charset=utf-8")
        #expect(header("content-security-policy")?.contains("default-src 'none'") == true)
        #expect(header("x-frame-options") == "DENY" && header("x-content-type-options") == "nosniff")
        // Error answers carry them too.
        let refused = try await running.get("/api/v1/stores/NOPE")
        #expect(refused.status == 404)
        #expect(refused.headers.contains { $0.name.lowercased() == "x-content-type-options" && $0.value == "nosniff" })
        // A store id that is markup comes back escaped in the 404.
        let missing = try await running.get("/stores/%3Cimg%20src%3Dx%3E")
        #expect(missing.status == 404)
        #expect(!String(decoding: missing.body, as: UTF8.self).contains("<img"))
        try await running.stop()
        try await fixture.tearDown()
    }

    @Test("PostgreSQL away: /healthz still answers, /readyz and the API say 503 with a message, and no hang")
    func databaseAway() async throws {
        // A port nothing listens on.
        let running = try await Running.start(
            try Self.server(schema: "public", url: "postgres://nobody@127.0.0.1:1/none"))
        #expect(try await running.get("/healthz").status == 200)
        let ready = try await running.get("/readyz")
        #expect(ready.status == 503)
        let overview = try await running.get("/api/v1/overview")
        #expect(overview.status == 503)
        let message = String(decoding: overview.body, as: UTF8.self)
        #expect(message.contains("PostgreSQL") && message.contains("error"))
        // /metrics still answers, with what the process holds.
        let metrics = try await running.get("/metrics")
        #expect(metrics.status == 200)
        // The page says the same to a person, in HTML.
        let page = try await running.get("/")
        #expect(page.status == 503)
        #expect(
            String(decoding: page.body, as: UTF8.self).contains("<p>PostgreSQL does not answer; try again shortly</p>"))
        try await running.stop()
    }

    @Test(
        "A database without the lakehouse's tables: the API says to run provision apply (503), not that PostgreSQL is away"
    )
    func notProvisioned() async throws {
        let services = try TestServices.require()
        let admin = try await PGConnection.connect(
            configuration: .init(services.databaseURL), logger: CapturedLogs().logger())
        let schema = "serve_empty_\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.execute("CREATE SCHEMA \(schema)")
        let running = try await Running.start(try Self.server(schema: schema))
        #expect(try await running.get("/readyz").status == 200)
        let overview = try await running.get("/api/v1/overview")
        #expect(overview.status == 503)
        #expect(String(decoding: overview.body, as: UTF8.self).contains("run `provision apply`"))
        try await running.stop()
        try await admin.execute("DROP SCHEMA \(schema) CASCADE")
        await admin.close()
    }

    @Test("provision's lakehouse_reader role reads every table and writes none; the server works through a login of it")
    func readerRole() async throws {
        let fixture = try await PipelineFixture.make("serve-reader", shards: 1)
        let db = fixture.database
        try await Self.seed(db)
        let schema = try await db.query("SELECT current_schema()").rows[0].decode(String.self, at: 0)
        let login = "serve_reader_\(UUID().uuidString.prefix(8).lowercased())"
        let password = UUID().uuidString
        try await db.execute("CREATE ROLE \(login) LOGIN PASSWORD '\(password)' IN ROLE lakehouse_reader")
        var url = try #require(URLComponents(string: try TestServices.require().databaseURL))
        (url.user, url.password) = (login, password)
        let readerURL = try #require(url.string)

        var configuration = PGConnection.Configuration(connectionString: try PGConnectionString(readerURL))
        configuration.runtimeParameters["search_path"] = schema
        let reader = try await PGConnection.connect(configuration: configuration, logger: CapturedLogs().logger())
        // Reads any table, a partitioned one and a view included; writes none, even in a session
        // that is not read-only.
        #expect(try await reader.query("SELECT count(*) FROM stock_alert").rows[0].decode(Int64.self, at: 0) == 4)
        _ = try await reader.query("SELECT count(*) FROM fact_sales")
        _ = try await reader.query("SELECT count(*) FROM v_store_alerts")
        let refused = await #expect(throws: PGError.self) {
            try await reader.execute("UPDATE stock_alert SET reason = 'x'")
        }
        #expect(refused?.sqlState == "42501")
        await reader.close()

        let running = try await Running.start(try Self.server(schema: schema, url: readerURL))
        let overview = try await running.get("/api/v1/overview")
        #expect(overview.status == 200)
        #expect(try await running.get("/stores/S1").status == 200)
        try await running.stop()
        try await db.execute("DROP ROLE \(login)")
        try await fixture.tearDown()
    }

    @Test("The server's sessions are read-only: a write through them fails with SQLSTATE 25006")
    func sessionsAreReadOnly() async throws {
        let services = try TestServices.require()
        // The sessions the server's pool opens.
        let configuration = DashboardServer.sessions(
            of: PGConnection.Configuration(connectionString: try PGConnectionString(services.databaseURL)),
            timeout: .milliseconds(1500))
        let connection = try await PGConnection.connect(configuration: configuration, logger: CapturedLogs().logger())
        #expect(
            try await connection.query("SHOW default_transaction_read_only").rows[0].decode(String.self, at: 0) == "on")
        #expect(try await connection.query("SHOW statement_timeout").rows[0].decode(String.self, at: 0) == "1500ms")
        let error = await #expect(throws: PGError.self) {
            try await connection.execute("CREATE TEMP TABLE serve_write_attempt (a int)")
        }
        #expect(error?.sqlState == "25006")
        let slow = await #expect(throws: PGError.self) { try await connection.execute("SELECT pg_sleep(5)") }
        #expect(slow?.sqlState == "57014")
        await connection.close()
    }

    @Test("Beyond loopback without a token the server refuses to start, and says what to set")
    func refusesOpenBinding() throws {
        let database = PGConnection.Configuration(connectionString: try PGConnectionString("host=127.0.0.1"))
        let error = #expect(throws: ServerError.self) {
            try DashboardServer(
                configuration: ServerConfiguration(host: "0.0.0.0", stream: "s"), database: database,
                logger: CapturedLogs().logger())
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("LAKEHOUSE_HTTP_TOKEN") == true)
        #expect(throws: ServerError.self) {
            try ServerConfiguration(host: "127.0.0.1", port: 70_000, stream: "s").validate()
        }
        #expect(throws: ServerError.self) { try ServerConfiguration(token: "  ", stream: "s").validate() }
        try ServerConfiguration(host: "0.0.0.0", token: "long-random", stream: "s").validate()
        try ServerConfiguration(host: "::1", stream: "s").validate()
    }
}
