import AWSLite
import Foundation
import Logging
import Metrics
import PGLite

/// Sends the outbox's webhook deliveries (``WebhookOutbox``): each due delivery is claimed for
/// a while (so that another deliverer, or this one after a crash, takes it only once that lapses),
/// posted with its `Idempotency-Key` and a fresh ``WebhookSignature``, and then marked
/// delivered (a 2xx answer), due again after a backoff, or dead after
/// ``Configuration/maximumAttempts``. Dead deliveries wait for ``WebhookEndpoints/retryDead(_:endpoint:)``
/// (`lakehouse webhooks retry`).
///
/// Delivery is at least once: a process killed after a receiver answered and before the answer
/// was recorded sends that delivery again, with the same key, once its claim lapses.
public struct WebhookDeliverer: Sendable {
    /// How often to look, how hard to try, how long to wait.
    public struct Configuration: Sendable, Hashable {
        /// How long to wait between looks when nothing was due. Default: 1 second.
        public var pollInterval: Duration = .seconds(1)
        /// Deliveries claimed per look. Default: 32.
        public var batchSize = 32
        /// Deliveries in flight at once. Default: 8.
        public var concurrency = 8
        /// Attempts before a delivery is dead. Default: 8 (about 21 minutes of retries with the
        /// default delays).
        public var maximumAttempts = 8
        /// The wait after the first failure; each further failure doubles it (±20 % jitter).
        /// Default: 10 seconds.
        public var firstRetryDelay: Duration = .seconds(10)
        /// The longest wait between attempts. Default: 1 hour.
        public var maximumRetryDelay: Duration = .seconds(3600)
        /// How long one request may take. Default: 10 seconds.
        public var requestTimeout: Duration = .seconds(10)
        /// How long delivered rows are kept. Default: 30 days.
        public var keepDelivered: Duration = .seconds(30 * 86_400)

        /// The defaults, as each property documents.
        public init() {}
    }

    /// What a pass or a run did.
    public struct Report: Sendable, Hashable {
        /// Deliveries a receiver accepted.
        public var delivered = 0
        /// Failed attempts that will be tried again.
        public var failed = 0
        /// Deliveries that failed their last attempt.
        public var dead = 0

        /// An empty report.
        public init() {}

        static func + (left: Report, right: Report) -> Report {
            var sum = left
            sum.delivered += right.delivered
            sum.failed += right.failed
            sum.dead += right.dead
            return sum
        }
    }

    /// One claimed delivery.
    struct Claimed: Sendable {
        var id: Int64
        var event: String
        var key: String
        var body: [UInt8]
        var attempts: Int
        var endpoint: String
        var url: String
        var secret: String
    }

    /// What one attempt came to: a status, or why there was none.
    struct Outcome: Sendable {
        var status: Int?
        var error: String?
        var accepted: Bool { status.map { (200..<300).contains($0) } ?? false }
    }

    /// How often and how hard it tries.
    public let configuration: Configuration
    private let http: HTTPClient
    let logger: Logger
    let connect: @Sendable (String) async throws -> PGConnection

    /// Creates a deliverer.
    ///
    /// - Parameters:
    ///   - configuration: how often and how hard to try.
    ///   - logger: a warning per failed attempt and an error per dead delivery, naming the
    ///     endpoint and the delivery (never its URL or secret).
    ///   - connect: opens a connection (with the name it is for) to the pipeline's database,
    ///     as a role that may update `webhook_delivery`.
    public init(
        configuration: Configuration = Configuration(), logger: Logger,
        connect: @escaping @Sendable (String) async throws -> PGConnection
    ) {
        self.configuration = configuration
        self.logger = logger
        self.connect = connect
        self.http = HTTPClient(
            configuration: HTTPClient.Configuration(
                connectTimeout: min(configuration.requestTimeout, .seconds(10)),
                requestTimeout: configuration.requestTimeout,
                stallTimeout: configuration.requestTimeout,
                userAgent: "lakehouse-webhooks/\(LakehouseCore.version)", maximumIdleHandles: configuration.concurrency),
            logger: logger)
    }

    /// One pass: claims the deliveries due now (at most ``Configuration/batchSize``), sends them,
    /// and records each outcome.
    ///
    /// - Throws: ``PGError`` when the database fails (claimed deliveries are then sent again once
    ///   their claim lapses).
    public func deliverDue(_ connection: PGConnection) async throws -> Report {
        let claimed = try await claim(connection)
        guard !claimed.isEmpty else { return Report() }
        let outcomes = await send(claimed)
        var report = Report()
        for (delivery, outcome) in zip(claimed, outcomes) {
            report = report + (try await record(outcome, of: delivery, connection))
        }
        return report
    }

    /// Claims due deliveries of enabled endpoints, oldest first, until a lease that outlasts
    /// their sending.
    private func claim(_ connection: PGConnection) async throws -> [Claimed] {
        let lease = Double(configuration.requestTimeout.components.seconds + 1) * Double(configuration.batchSize) + 60
        let rows = try await connection.query(
            """
            WITH due AS (
                SELECT w.delivery_id FROM webhook_delivery w JOIN webhook_endpoint we USING (endpoint_id)
                WHERE w.status = 'pending' AND w.next_attempt_at <= now() AND we.enabled
                ORDER BY w.next_attempt_at, w.delivery_id LIMIT $1 FOR UPDATE OF w SKIP LOCKED)
            UPDATE webhook_delivery d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
            FROM due, webhook_endpoint e
            WHERE d.delivery_id = due.delivery_id AND e.endpoint_id = d.endpoint_id
            RETURNING d.delivery_id, d.event, d.idempotency_key, d.body, d.attempts, e.name, e.url, e.secret
            """, [Int64(configuration.batchSize), lease])
        return try rows.rows.map { row in
            Claimed(
                id: try row.decode(Int64.self, at: 0), event: row[1] ?? "", key: row[2] ?? "",
                body: Array((row[3] ?? "").utf8), attempts: try row.decode(Int.self, at: 4), endpoint: row[5] ?? "",
                url: row[6] ?? "", secret: row[7] ?? "")
        }.sorted { $0.id < $1.id }
    }

    /// Sends `claimed`, at most ``Configuration/concurrency`` at once; outcomes in its order.
    private func send(_ claimed: [Claimed]) async -> [Outcome] {
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var outcomes = [Outcome](repeating: Outcome(), count: claimed.count)
            var next = 0
            while next < min(configuration.concurrency, claimed.count) {
                let index = next
                group.addTask { (index, await post(claimed[index])) }
                next += 1
            }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                if next < claimed.count {
                    let index = next
                    group.addTask { (index, await post(claimed[index])) }
                    next += 1
                }
            }
            return outcomes
        }
    }

    /// Posts one delivery, signed now.
    func post(_ delivery: Claimed) async -> Outcome {
        let timestamp = Int64(Date().timeIntervalSince1970)
        let request = HTTPRequest(
            method: "POST", url: delivery.url,
            headers: [
                ("Content-Type", "application/json"), ("Idempotency-Key", delivery.key),
                ("Lakehouse-Event", delivery.event), ("Lakehouse-Delivery", String(delivery.id)),
                (
                    WebhookSignature.header,
                    WebhookSignature.sign(body: delivery.body, secret: delivery.secret, timestamp: timestamp)
                ),
            ], body: delivery.body)
        do {
            let response = try await http.execute(request)
            guard (200..<300).contains(response.status) else {
                // The status only: a receiver's error page may echo the request's path, which
                // may itself be a secret (Slack's is).
                return Outcome(status: response.status, error: "HTTP \(response.status)")
            }
            return Outcome(status: response.status, error: nil)
        } catch let error as AWSError {
            // The code only: a message could hold the URL, which may itself be a secret.
            return Outcome(status: nil, error: "no answer: \(error.code.rawValue)")
        } catch {
            return Outcome(status: nil, error: "no answer: \(type(of: error))")
        }
    }

    /// Records what an attempt came to, and logs a failure.
    private func record(_ outcome: Outcome, of delivery: Claimed, _ connection: PGConnection) async throws -> Report {
        var report = Report()
        let metadata: Logger.Metadata = [
            "webhook.endpoint": "\(delivery.endpoint)", "webhook.delivery": "\(delivery.id)",
            "webhook.key": "\(delivery.key)", "webhook.attempts": "\(delivery.attempts)",
        ]
        // Each update holds only while the claim does (still pending, at this attempt): a claim
        // whose lease lapsed may have been taken and settled by another deliverer meanwhile.
        let claimed = "delivery_id = $1 AND status = 'pending' AND attempts = $2"
        let status = outcome.status.map(Int64.init)
        let settled: Int
        if outcome.accepted {
            settled =
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET status = 'delivered', delivered_at = now(), last_status = $3,
                        last_error = NULL WHERE \(claimed)
                    """, [delivery.id, Int64(delivery.attempts), status]
                ).affectedRows ?? 0
            report.delivered = settled
        } else if delivery.attempts >= configuration.maximumAttempts {
            settled =
                try await connection.query(
                    "UPDATE webhook_delivery SET status = 'dead', last_status = $3, last_error = $4 WHERE \(claimed)",
                    [delivery.id, Int64(delivery.attempts), status, outcome.error]
                ).affectedRows ?? 0
            report.dead = settled
            logger.error(
                "webhook delivery dead after \(delivery.attempts) attempts: \(outcome.error ?? ""); `lakehouse webhooks retry` sends it again",
                metadata: metadata)
        } else {
            let delay = retryDelay(after: delivery.attempts)
            settled =
                try await connection.query(
                    """
                    UPDATE webhook_delivery SET next_attempt_at = now() + make_interval(secs => $5), last_status = $3,
                        last_error = $4 WHERE \(claimed)
                    """, [delivery.id, Int64(delivery.attempts), status, outcome.error, delay]
                ).affectedRows ?? 0
            report.failed = settled
            logger.warning(
                "webhook delivery failed: \(outcome.error ?? ""); trying again in \(Self.rounded(delay)) s",
                metadata: metadata)
        }
        if settled == 0 {
            logger.warning(
                "webhook delivery's claim lapsed before its outcome was recorded; another attempt settles it",
                metadata: metadata)
        }
        WebhookMetrics.recorded(report)
        return report
    }

    /// Seconds to wait after `attempts` failed attempts: the first delay doubled per further
    /// failure, capped, with ±20 % jitter.
    func retryDelay(after attempts: Int) -> Double {
        let first = configuration.firstRetryDelay.inSeconds
        let cap = configuration.maximumRetryDelay.inSeconds
        let doubled = first * pow(2, Double(min(max(attempts - 1, 0), 40)))
        return min(cap, doubled) * Double.random(in: 0.8...1.2)
    }

    private static func rounded(_ seconds: Double) -> String { String(format: "%.1f", seconds) }
}
