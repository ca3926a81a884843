import Foundation
import PGLite

/// A webhook endpoint: where alerts go, which ones, and in what shape. Its secret is kept
/// apart: it is written once (``WebhookEndpoints/add(_:_:secret:)``) and never read back.
public struct WebhookEndpoint: Sendable, Hashable {
    /// The message shape.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// `{"id", "type", "alert": {…}}`, signed; see ``WebhookOutbox``.
        case json
        /// Slack's incoming-webhook `{"text": …}` (signed too; Slack ignores the headers).
        case slack
    }

    /// A short unique name (letters, digits, `_`, `.`, `-`; at most 64).
    public var name: String
    /// Where deliveries are posted (`http` or `https`).
    public var url: String
    /// The alert kinds it receives; `nil`: every kind.
    public var kinds: [StockAlertKind]?
    /// The stores (`store_id`) whose alerts it receives; `nil`: every store.
    public var storeIDs: [String]?
    /// The message shape.
    public var format: Format
    /// Whether deliveries are written for it and sent.
    public var enabled: Bool

    /// Creates an endpoint description; every kind and store, JSON, enabled, unless said.
    public init(
        name: String, url: String, kinds: [StockAlertKind]? = nil, storeIDs: [String]? = nil, format: Format = .json,
        enabled: Bool = true
    ) {
        self.name = name
        self.url = url
        self.kinds = kinds
        self.storeIDs = storeIDs
        self.format = format
        self.enabled = enabled
    }

    /// The URL's scheme and host only, for listings (its path may be a secret, as Slack's is).
    public var origin: String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host
        else { return "(unparsable URL)" }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
    }
}

/// Adds, lists and removes webhook endpoints, and sends dead deliveries again.
public enum WebhookEndpoints {
    /// An endpoint as listed, with its deliveries' counts.
    public struct Listing: Sendable, Hashable {
        /// The endpoint (its URL is stored in full; show ``WebhookEndpoint/origin``).
        public var endpoint: WebhookEndpoint
        /// Deliveries waiting to be sent or retried.
        public var pending: Int
        /// Deliveries a receiver accepted (those kept).
        public var delivered: Int
        /// Deliveries that failed every attempt.
        public var dead: Int
        /// The last failure's status and words, if any delivery failed.
        public var lastError: String?
    }

    /// Adds `endpoint` with `secret`.
    ///
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidConfiguration`` for a bad
    ///   name, URL, store list or secret (under 16 characters), or a name already in use;
    ///   ``PGError`` when the database fails.
    public static func add(_ connection: PGConnection, _ endpoint: WebhookEndpoint, secret: String) async throws {
        try validate(endpoint, secret: secret)
        guard try await !exists(connection, endpoint.name) else {
            throw invalid("webhook endpoint \(endpoint.name) already exists: remove it first, or choose another name")
        }
        try await connection.query(
            """
            INSERT INTO webhook_endpoint (name, url, secret, kinds, store_ids, format, enabled)
            VALUES ($1, $2, $3, string_to_array($4, ','), string_to_array($5, ','), $6, $7)
            """,
            [
                endpoint.name, endpoint.url, secret, endpoint.kinds.map { $0.map(\.rawValue).joined(separator: ",") },
                endpoint.storeIDs.map { $0.joined(separator: ",") }, endpoint.format.rawValue, endpoint.enabled,
            ])
    }

    /// Every endpoint, by name, without secrets.
    public static func list(_ connection: PGConnection) async throws -> [Listing] {
        let rows = try await connection.query(
            """
            SELECT e.name, e.url, array_to_string(e.kinds, ','), array_to_string(e.store_ids, ','), e.format, e.enabled,
                count(*) FILTER (WHERE d.status = 'pending'), count(*) FILTER (WHERE d.status = 'delivered'),
                count(*) FILTER (WHERE d.status = 'dead'),
                (array_agg(d.last_error ORDER BY d.delivery_id DESC) FILTER (WHERE d.last_error IS NOT NULL))[1]
            FROM webhook_endpoint e LEFT JOIN webhook_delivery d USING (endpoint_id)
            GROUP BY e.endpoint_id ORDER BY e.name
            """
        ).rows
        return try rows.map { row in
            Listing(
                endpoint: WebhookEndpoint(
                    name: row[0] ?? "", url: row[1] ?? "",
                    kinds: row[2].map { $0.split(separator: ",").compactMap { StockAlertKind(rawValue: String($0)) } },
                    storeIDs: row[3].map { $0.split(separator: ",").map(String.init) },
                    format: WebhookEndpoint.Format(rawValue: row[4] ?? "") ?? .json, enabled: row[5] == "t"),
                pending: try row.decode(Int.self, at: 6), delivered: try row.decode(Int.self, at: 7),
                dead: try row.decode(Int.self, at: 8), lastError: row[9])
        }
    }

    /// Removes the endpoint named `name` and its deliveries.
    ///
    /// - Returns: whether there was one.
    public static func remove(_ connection: PGConnection, name: String) async throws -> Bool {
        (try await connection.query("DELETE FROM webhook_endpoint WHERE name = $1", [name]).affectedRows ?? 0) > 0
    }

    /// Makes dead deliveries (of the endpoint named `endpoint`, or of all) pending again, due
    /// now, with their attempts counted afresh.
    ///
    /// - Returns: how many.
    /// - Throws: ``LakehouseError`` (``LakehouseError/Code/invalidConfiguration``) when no
    ///   endpoint has that name.
    public static func retryDead(_ connection: PGConnection, endpoint: String? = nil) async throws -> Int {
        if let endpoint {
            guard try await exists(connection, endpoint) else {
                throw invalid("no webhook endpoint is named \(endpoint): see `lakehouse webhooks list`")
            }
        }
        return try await connection.query(
            """
            UPDATE webhook_delivery d SET status = 'pending', attempts = 0, next_attempt_at = now()
            FROM webhook_endpoint e
            WHERE e.endpoint_id = d.endpoint_id AND d.status = 'dead' AND ($1::text IS NULL OR e.name = $1)
            """, [endpoint]
        ).affectedRows ?? 0
    }

    private static func exists(_ connection: PGConnection, _ name: String) async throws -> Bool {
        try await connection.query("SELECT EXISTS (SELECT FROM webhook_endpoint WHERE name = $1)", [name])
            .rows.first?[0] == "t"
    }

    private static func validate(_ endpoint: WebhookEndpoint, secret: String) throws {
        guard endpoint.name.range(of: "^[A-Za-z0-9_.-]{1,64}$", options: .regularExpression) != nil else {
            throw invalid(
                "webhook endpoint name \(TerminalText.escaped(endpoint.name)): use 1 to 64 letters, digits, _, . or -")
        }
        guard let components = URLComponents(string: endpoint.url), ["http", "https"].contains(components.scheme),
            components.host?.isEmpty == false, !endpoint.url.contains(where: \.isWhitespace)
        else {
            throw invalid("webhook endpoint \(endpoint.name): the URL must be http:// or https:// with a host")
        }
        if let stores = endpoint.storeIDs,
            stores.isEmpty || stores.contains(where: { $0.isEmpty || $0.contains(",") })
        {
            throw invalid("webhook endpoint \(endpoint.name): store ids must be non-empty and without commas")
        }
        if let kinds = endpoint.kinds, kinds.isEmpty {
            throw invalid("webhook endpoint \(endpoint.name): name at least one alert kind, or none for all")
        }
        guard secret.count >= 16 else {
            throw invalid("webhook endpoint \(endpoint.name): the secret must be at least 16 characters")
        }
    }

    private static func invalid(_ message: String) -> LakehouseError {
        LakehouseError(code: .invalidConfiguration, message: message)
    }
}
