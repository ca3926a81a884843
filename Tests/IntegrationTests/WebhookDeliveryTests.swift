import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Synchronization
import Testing

/// Alert webhooks end to end: gold writes the outbox in its refresh, a local receiver gets the
/// deliveries, verifies their signatures and dedupes by key.
@Suite("Webhooks: outbox in the refresh, signed deliveries, retries, dead letters, kill -9")
struct WebhookDeliveryTests {
    static let secret = "whsec-\(UUID().uuidString)"

    /// A receiver that records every request and answers with what `answer` says for the n-th
    /// request (from 1) of a key.
    final class Receiver: Sendable {
        /// How many requests each key has had.
        final class Counts: Sendable {
            let counts = Mutex<[String: Int]>([:])

            func next(_ key: String) -> Int {
                counts.withLock { counts in
                    counts[key, default: 0] += 1
                    return counts[key] ?? 0
                }
            }
        }

        let server: FaultServer

        init(answer: @escaping @Sendable (_ key: String, _ nth: Int) -> Int) throws {
            let counts = Counts()
            server = try FaultServer { request in
                let key = request.header("Idempotency-Key") ?? ""
                return .respond(status: answer(key, counts.next(key)), headers: [], body: "")
            }
        }

        var url: String { server.endpoint + "/hooks/lakehouse" }

        /// The keys of the requests answered 2xx, in order (duplicates kept).
        func accepted(_ answer: (String, Int) -> Int) -> [String] {
            var nth: [String: Int] = [:]
            return server.requests.compactMap { request in
                let key = request.header("Idempotency-Key") ?? ""
                nth[key, default: 0] += 1
                return (200..<300).contains(answer(key, nth[key] ?? 0)) ? key : nil
            }
        }
    }

    /// The keys every alert gold holds should have been delivered under.
    static func expectedKeys(_ fixture: PipelineFixture) async throws -> Set<String> {
        let rows = try await fixture.database.query(
            """
            SELECT 'alert-' || alert_id || '-opened' FROM stock_alert
            UNION ALL SELECT 'alert-' || alert_id || '-resolved' FROM stock_alert WHERE status = 'resolved'
            """
        ).rows
        return Set(rows.compactMap { $0[0] })
    }

    /// Sends `days` simulated days, then a run on the shelves: for `emptied` items sold on the
    /// last day, a copy of one sale line for 400 units (the shelf empties where no one expected it:
    /// `UNEXPECTED_STOCKOUT`, resolved when stock arrives).
    static func simulate(_ fixture: PipelineFixture, days: Int, seed: UInt64, emptied: Int = 6) async throws
        -> StoreSimulator
    {
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 2, products: 8, days: 8, seed: seed, dirtyRate: 0.02))
        var sent: [SimulatedRecord] = []
        // A day at a time, each refreshed, so that each evening's review states its risks.
        for _ in 0..<days {
            sent = try await PipelineFixture.send(
                days: 1, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
            let run = try await fixture.run(["run", "--until-caught-up", "--no-webhooks", "--poll-seconds", "0.2"])
            try #require(run.status == 0, "\(run.errors.suffix(2000))")
        }
        var items = Set<String>()
        var runs: [KinesisRecordInput] = []
        let lastDay = (sent.map(\.eventTime).max() ?? 0) / 86_400_000_000
        for record in sent
        where record.kind == .sale && record.eventTime / 86_400_000_000 == lastDay
            && runs.count < emptied
        {
            guard var event = try JSONSerialization.jsonObject(with: Data(record.payload)) as? [String: Any],
                let product = event["product_id"] as? String, let store = event["store_id"] as? String,
                items.insert(store + "/" + product).inserted
            else { continue }
            let price =
                (event["unit_price"] as? NSNumber)?.doubleValue ?? Double(event["unit_price"] as? String ?? "") ?? 0
            event["quantity"] = 400
            event["transaction_id"] = "run-\(UUID().uuidString)"
            event["total_price"] = "__TOTAL__"
            let text = String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
                .replacingOccurrences(of: "\"__TOTAL__\"", with: String(format: "%.2f", price * 400))
            runs.append(KinesisRecordInput(data: Array(text.utf8), partitionKey: record.partitionKey))
        }
        let result = try await fixture.base.kinesis.putRecords(stream: fixture.base.stream, records: runs)
        try #require(result.failed.isEmpty && runs.count == emptied)
        return simulator
    }

    @Test(
        "Every request's signature verifies; a receiver that fails 3 times then succeeds gets each alert exactly once after dedupe"
    )
    func retriesThenOnce() async throws {
        let fixture = try await PipelineFixture.make("webhook-retry", shards: 1)
        let answer: @Sendable (String, Int) -> Int = { _, nth in nth <= 3 ? 503 : 200 }
        let receiver = try Receiver(answer: answer)
        try await WebhookEndpoints.add(
            fixture.database, WebhookEndpoint(name: "ops", url: receiver.url), secret: Self.secret)
        _ = try await Self.simulate(fixture, days: 5, seed: 7)
        let run = try await fixture.run(["run", "--until-caught-up", "--no-webhooks", "--poll-seconds", "0.2"])
        #expect(run.status == 0, "\(run.errors.suffix(2000))")
        let expected = try await Self.expectedKeys(fixture)
        let silver = try await fixture.count("SELECT count(*) FROM sales_silver")
        #expect(expected.count >= 4, "the simulation opens alerts: \(expected.count); silver \(silver); \(run.output)")
        #expect(
            try await fixture.count("SELECT count(*) FROM webhook_delivery WHERE status = 'pending'") == expected.count)

        var configuration = WebhookDeliverer.Configuration()
        configuration.firstRetryDelay = .milliseconds(20)
        configuration.maximumAttempts = 5
        let schema = fixture.base.schema
        let deliverer = WebhookDeliverer(configuration: configuration, logger: fixture.logs.logger()) { _ in
            var database = try PGConnection.Configuration(try TestServices.require().databaseURL)
            database.runtimeParameters["search_path"] = schema
            return try await PGConnection.connect(configuration: database, logger: CapturedLogs().logger())
        }
        let (report, pending) = try await deliverer.deliverAll(timeout: .seconds(120))
        #expect(pending == 0)
        #expect(report.delivered == expected.count && report.failed == 3 * expected.count && report.dead == 0)

        let requests = receiver.server.requests
        #expect(requests.count == 4 * expected.count)
        var bodies: [String: [UInt8]] = [:]
        for request in requests {
            let key = request.header("Idempotency-Key") ?? ""
            #expect(request.line.hasPrefix("POST /hooks/lakehouse "))
            #expect(request.header("Content-Type") == "application/json")
            let signature = request.header(WebhookSignature.header) ?? ""
            #expect(WebhookSignature.isValid(header: signature, body: request.body, secret: Self.secret), "\(key)")
            #expect(!WebhookSignature.isValid(header: signature, body: request.body + [0x20], secret: Self.secret))
            // Every attempt of a key sends the same bytes.
            if let first = bodies[key] { #expect(first == request.body) } else { bodies[key] = request.body }
            let json = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] ?? [:]
            let alert = json["alert"] as? [String: Any] ?? [:]
            #expect(json["id"] as? String == key && request.header("Lakehouse-Event") == json["type"] as? String)
            #expect(
                key
                    == "alert-\(alert["id"] as? Int ?? -1)-\(json["type"] as? String == "alert.opened" ? "opened" : "resolved")"
            )
            #expect((alert["reason"] as? String)?.isEmpty == false && alert["store_id"] is String)
        }
        let accepted = receiver.accepted(answer)
        #expect(accepted.count == expected.count, "each key accepted once")
        #expect(Set(accepted) == expected)
        try await fixture.tearDown()
    }

    @Test("kill -9 after gold wrote the outbox and before delivery: the next run delivers every alert")
    func killNineBetweenRefreshAndDelivery() async throws {
        let fixture = try await PipelineFixture.make("webhook-kill", shards: 1)
        let receiver = try Receiver { _, _ in 200 }
        try await WebhookEndpoints.add(
            fixture.database, WebhookEndpoint(name: "ops", url: receiver.url), secret: Self.secret)
        var simulator = try await Self.simulate(fixture, days: 4, seed: 11)
        let child = try fixture.lakehouse(["run", "--no-webhooks", "--poll-seconds", "0.2", "--flush-seconds", "0.2"])
        _ = try await eventually("gold wrote deliveries", timeout: .seconds(120)) {
            // Gold has applied the run on the shelves this process read.
            try await fixture.count("SELECT count(*) FROM fact_sales WHERE quantity = 400") == 6
        }
        child.send(signal: SIGKILL)
        _ = await child.waitForExit(timeout: .seconds(30))
        #expect(receiver.server.requests.isEmpty)
        let written = try await fixture.count("SELECT count(*) FROM webhook_delivery")
        let unexpected = try await fixture.count(
            "SELECT count(*) FROM webhook_delivery d JOIN stock_alert a USING (alert_id) WHERE a.kind = 'UNEXPECTED_STOCKOUT'"
        )
        #expect(unexpected > 0, "the killed process's refresh wrote the run's alerts to the outbox")

        // More alerts after the crash, and a run that delivers.
        _ = try await PipelineFixture.send(
            days: 2, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        let run = try await fixture.run([
            "run", "--until-caught-up", "--poll-seconds", "0.2", "--failover-seconds", "1",
        ])
        #expect(run.status == 0, "\(run.errors.suffix(2000))")
        let expected = try await Self.expectedKeys(fixture)
        #expect(try await fixture.count("SELECT count(*) FROM webhook_delivery") >= written)
        #expect(try await fixture.count("SELECT count(*) FROM webhook_delivery WHERE status <> 'delivered'") == 0)
        let keys = receiver.server.requests.map { $0.header("Idempotency-Key") ?? "" }
        #expect(Set(keys) == expected, "every alert opened or resolved reached the receiver")
        #expect(run.output.contains("webhooks \(expected.count) delivered"), "\(run.output)")
        try await fixture.tearDown()
    }

    @Test(
        "A receiver that always fails: deliveries go dead, `webhooks list` shows them, `webhooks retry` sends them again"
    )
    func deadLettersAndRetry() async throws {
        let fixture = try await PipelineFixture.make("webhook-dead", shards: 1)
        let healthy = Atomic<Bool>(false)
        let receiver = try Receiver { _, _ in healthy.load(ordering: .relaxed) ? 204 : 500 }
        let add = try await fixture.run(
            [
                "webhooks", "add", "ops", receiver.url, "--format", "slack", "--kinds",
                "STOCKOUT_RISK,UNEXPECTED_STOCKOUT",
            ],
            environment: ["LAKEHOUSE_WEBHOOK_SECRET": Self.secret])
        #expect(add.status == 0, "\(add.errors) \(add.output)")
        #expect(add.output.contains("webhook ops added: http://127.0.0.1:") && !add.output.contains(Self.secret))
        let bad = try await fixture.run(["webhooks", "add", "two", "ftp://x", "--kinds", "NOPE"])
        #expect(bad.status == 64 && bad.errors.contains("NOPE is not an alert kind"), "\(bad.errors)")
        _ = try await Self.simulate(fixture, days: 5, seed: 7)
        #expect(try await fixture.run(["run", "--until-caught-up", "--no-webhooks"]).status == 0)
        let wanted = try await fixture.count(
            "SELECT count(*) FROM stock_alert WHERE kind IN ('STOCKOUT_RISK', 'UNEXPECTED_STOCKOUT')")
        let written = try await fixture.count("SELECT count(*) FROM webhook_delivery")
        #expect(wanted > 0 && written >= wanted, "only the kinds asked for are written")
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM webhook_delivery d JOIN stock_alert a USING (alert_id) WHERE a.kind NOT IN ('STOCKOUT_RISK', 'UNEXPECTED_STOCKOUT')"
            ) == 0)

        let deliver = [
            "webhooks", "deliver", "--until-empty", "--first-retry-seconds", "0.01", "--maximum-attempts", "2",
        ]
        let failing = try await fixture.run(deliver)
        #expect(failing.status == 0, "\(failing.errors.suffix(2000))")
        #expect(failing.output.contains("0 delivered, \(written) retried, \(written) dead"), "\(failing.output)")
        #expect(try await fixture.count("SELECT count(*) FROM webhook_delivery WHERE status = 'dead'") == written)
        #expect(
            try await fixture.count("SELECT count(*) FROM webhook_delivery WHERE last_error = 'HTTP 500'") == written)
        let list = try await fixture.run(["webhooks", "list"])
        #expect(list.output.contains("ops") && list.output.contains("slack") && list.output.contains("HTTP 500"))
        #expect(!list.output.contains("/hooks/lakehouse") && !list.output.contains(Self.secret), "\(list.output)")

        healthy.store(true, ordering: .relaxed)
        let retry = try await fixture.run(["webhooks", "retry", "--endpoint", "ops"])
        #expect(retry.output.contains("\(written) dead deliveries pending again"), "\(retry.output)")
        let delivered = try await fixture.run(deliver)
        #expect(delivered.output.contains("\(written) delivered, 0 retried, 0 dead"), "\(delivered.output)")
        // Slack's shape: one text, with Slack's escapes.
        for request in receiver.server.requests.suffix(Int(written)) {
            let json = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] ?? [:]
            #expect(json.keys.sorted() == ["text"])
            let text = json["text"] as? String ?? ""
            #expect(text.contains(" at store ") && !text.contains("<"))
        }
        let missing = try await fixture.run(["webhooks", "retry", "--endpoint", "nobody"])
        #expect(missing.status == 64 && missing.errors.contains("no webhook endpoint is named nobody"))
        let removed = try await fixture.run(["webhooks", "remove", "ops"])
        let left = try await fixture.count("SELECT count(*) FROM webhook_delivery")
        #expect(removed.status == 0 && left == 0)
        try await fixture.tearDown()
    }
}
