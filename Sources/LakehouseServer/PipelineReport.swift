import Foundation
import Hummingbird
import LakehouseCore
import PGLite

/// `GET /api/v1/pipeline`: run history (filtered by stage and status, a page at a time), the
/// quarantine by reason with a few examples each, backfills, and alert webhooks with their dead
/// letters, as the Pipeline page shows them. No URL or secret of a webhook is ever part of it.
public struct PipelineReport: Codable, Sendable, Equatable, ResponseEncodable {
    /// Records quarantined for one reason.
    public struct QuarantineReason: Codable, Sendable, Equatable {
        /// The reason (`malformed:json`, `null:quantity`, `invalid:event_time`…).
        public var reason: String
        /// How many records.
        public var count: Int64
        /// The newest few, raw.
        public var examples: [QuarantineExample]
    }

    /// One quarantined record.
    public struct QuarantineExample: Codable, Sendable, Equatable {
        /// The bronze object it came from.
        public var bronzeKey: String
        /// Its line in that object (from 1).
        public var line: Int64
        /// What exactly was wrong.
        public var detail: String
        /// The raw record as text (invalid UTF-8 replaced), at most 500 characters.
        public var record: String
        /// When it was quarantined.
        public var quarantinedAt: String
    }

    /// An alert webhook endpoint: its name and shape, never its URL or secret.
    public struct Webhook: Codable, Sendable, Equatable {
        /// Its name.
        public var name: String
        /// `json` or `slack`.
        public var format: String
        /// Whether deliveries are written for it and sent.
        public var enabled: Bool
        /// Deliveries waiting to be sent or retried.
        public var pending: Int64
        /// Deliveries a receiver accepted (those kept).
        public var delivered: Int64
        /// Deliveries that failed every attempt (`lakehouse webhooks retry` sends them again).
        public var dead: Int64
    }

    /// A delivery that failed every attempt.
    public struct DeadLetter: Codable, Sendable, Equatable {
        /// The delivery's id.
        public var id: Int64
        /// The endpoint's name.
        public var endpoint: String
        /// `alert.opened` or `alert.resolved`.
        public var event: String
        /// Its `Idempotency-Key`.
        public var key: String
        /// Attempts made.
        public var attempts: Int64
        /// When it was written (by the gold refresh).
        public var createdAt: String
        /// The last answer's status, if any came.
        public var lastStatus: Int64?
        /// Why the last attempt failed.
        public var lastError: String?
    }

    /// The stage the runs are filtered on, if any.
    public var stage: String?
    /// The status the runs are filtered on, if any.
    public var status: String?
    /// This page of the runs, newest first.
    public var runs: [OverviewReport.Run]
    /// Runs matching the filters, over every page.
    public var totalRuns: Int64
    /// The page's size.
    public var limit: Int
    /// How many runs the page skipped.
    public var offset: Int
    /// Quarantined records by reason, the most first.
    public var quarantine: [QuarantineReason]
    /// The last 10 backfills, newest first (a running one shows its rows so far).
    public var backfills: [OverviewReport.Run]
    /// Every webhook endpoint, by name.
    public var webhooks: [Webhook]
    /// The newest 50 dead deliveries.
    public var deadLetters: [DeadLetter]
}

enum PipelineQueries {
    static let stages = ["ingest", "silver", "gold", "backfill"]
    static let statuses = ["running", "succeeded", "failed", "abandoned"]

    /// The value of the filter `name` of `request`, one of `allowed`, or `nil` when absent.
    ///
    /// - Throws: `HTTPError(.badRequest)` naming the allowed values.
    static func filter(_ request: Request, _ name: String, _ allowed: [String]) throws -> String? {
        let given = formValues(request.uri.query ?? "", name)
        guard let value = given.last, !value.isEmpty else { return nil }
        guard given.count == 1, allowed.contains(value) else {
            throw HTTPError(
                .badRequest,
                message: "\(name) must be one of \(allowed.joined(separator: ", ")); got \(Page.shown(value))")
        }
        return value
    }

    static func report(_ connection: PGConnection, stage: String?, status: String?, page: Page) async throws
        -> PipelineReport
    {
        let (runs, total) = try await RunHistory.runs(
            connection, stage: stage, status: status, limit: page.limit, offset: page.offset)
        return PipelineReport(
            stage: stage, status: status, runs: runs.map(OverviewReport.Run.init), totalRuns: total,
            limit: page.limit, offset: page.offset, quarantine: try await quarantine(connection),
            backfills: try await RunHistory.runs(connection, stage: "backfill", status: nil, limit: 10, offset: 0)
                .runs.map(OverviewReport.Run.init),
            webhooks: try await webhooks(connection), deadLetters: try await deadLetters(connection))
    }

    /// Counts by reason with the newest three records of each.
    private static func quarantine(_ connection: PGConnection) async throws -> [PipelineReport.QuarantineReason] {
        let rows = try await connection.query(
            """
            SELECT r.reason, r.count, e.bronze_key, e.bronze_line, e.detail,
                substring(e.payload FROM 1 FOR 2000), (extract(epoch FROM e.quarantined_at) * 1000000)::bigint
            FROM (SELECT reason, count(*) AS count FROM sales_quarantine GROUP BY reason) r
            LEFT JOIN LATERAL (
                SELECT bronze_key, bronze_line, detail, payload, quarantined_at FROM sales_quarantine q
                WHERE q.reason = r.reason ORDER BY quarantined_at DESC, bronze_key, bronze_line LIMIT 3) e ON true
            ORDER BY r.count DESC, r.reason, e.quarantined_at DESC, e.bronze_key, e.bronze_line
            """
        ).rows
        var reasons: [PipelineReport.QuarantineReason] = []
        for row in rows {
            let reason = try row.decode(String.self, at: 0)
            if reasons.last?.reason != reason {
                reasons.append(.init(reason: reason, count: try row.decode(Int64.self, at: 1), examples: []))
            }
            guard let key = row[2] else { continue }
            reasons[reasons.count - 1].examples.append(
                .init(
                    bronzeKey: key, line: try row.decode(Int64.self, at: 3), detail: row[4] ?? "",
                    record: Self.text(try row.decode(PGBytes.self, at: 5)),
                    quarantinedAt: OverviewReport.time(try row.decode(Int64.self, at: 6))))
        }
        return reasons
    }

    /// A record's bytes as text: invalid UTF-8 replaced, at most 500 characters.
    static func text(_ record: PGBytes) -> String {
        String(String(decoding: record.bytes, as: UTF8.self).prefix(500))
    }

    private static func webhooks(_ connection: PGConnection) async throws -> [PipelineReport.Webhook] {
        try await connection.query(
            """
            SELECT e.name, e.format, e.enabled, count(d.*) FILTER (WHERE d.status = 'pending'),
                count(d.*) FILTER (WHERE d.status = 'delivered'), count(d.*) FILTER (WHERE d.status = 'dead')
            FROM webhook_endpoint e LEFT JOIN webhook_delivery d USING (endpoint_id)
            GROUP BY e.endpoint_id, e.name, e.format, e.enabled ORDER BY e.name
            """
        ).rows.map { row in
            .init(
                name: try row.decode(String.self, at: 0), format: try row.decode(String.self, at: 1),
                enabled: try row.decode(Bool.self, at: 2), pending: try row.decode(Int64.self, at: 3),
                delivered: try row.decode(Int64.self, at: 4), dead: try row.decode(Int64.self, at: 5))
        }
    }

    private static func deadLetters(_ connection: PGConnection) async throws -> [PipelineReport.DeadLetter] {
        try await connection.query(
            """
            SELECT d.delivery_id, e.name, d.event, d.idempotency_key, d.attempts,
                (extract(epoch FROM d.created_at) * 1000000)::bigint, d.last_status, d.last_error
            FROM webhook_delivery d JOIN webhook_endpoint e USING (endpoint_id)
            WHERE d.status = 'dead' ORDER BY d.delivery_id DESC LIMIT 50
            """
        ).rows.map { row in
            .init(
                id: try row.decode(Int64.self, at: 0), endpoint: try row.decode(String.self, at: 1),
                event: try row.decode(String.self, at: 2), key: try row.decode(String.self, at: 3),
                attempts: try row.decode(Int64.self, at: 4),
                createdAt: OverviewReport.time(try row.decode(Int64.self, at: 5)),
                lastStatus: try row.decode(Int64?.self, at: 6), lastError: try row.decode(String?.self, at: 7))
        }
    }
}
