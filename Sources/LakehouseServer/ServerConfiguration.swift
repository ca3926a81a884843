/// How ``DashboardServer`` listens and whom it answers.
public struct ServerConfiguration: Sendable {
    /// The address to bind: a loopback one (`127.0.0.1`, `::1`, `localhost`) by default. Any
    /// other needs ``token``.
    public var host: String
    /// The TCP port; 0 takes a free one (``DashboardServer/run(onListening:)`` says which).
    public var port: Int
    /// The token every request but `/healthz`, `/readyz` and the style sheet must carry
    /// (`Authorization: Bearer …`, or as a basic-authentication password on pages); `nil`
    /// answers anyone, which only a loopback address allows.
    public var token: String?
    /// The Kinesis stream whose pipeline the pages show.
    public var stream: String
    /// PostgreSQL connections kept for requests (each one answers one query at a time).
    public var connections: Int
    /// The longest a page's query may run before it is cancelled (`statement_timeout`), so that
    /// no request holds a connection, or waits, for long.
    public var queryTimeout: Duration
    /// Requests a second the whole server answers (a burst of as many), beyond which it says
    /// 429 with `Retry-After`; 0: no limit. Health checks and `/metrics` are not counted.
    public var rateLimit: Int
    /// Requests answered at once, beyond which it says 503 with `Retry-After`.
    public var maximumInFlight: Int
    /// Live-refresh streams (`/events`) open at once, beyond which a new one is refused (503);
    /// each ends after 5 minutes and the browser opens the next.
    public var maximumStreams: Int

    /// Creates a configuration; the defaults bind `127.0.0.1:8080` with no token, 4 connections,
    /// 1,000 requests a second, 64 in flight and 100 live streams.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, stream: String,
        connections: Int = 4, queryTimeout: Duration = .seconds(5), rateLimit: Int = 1000,
        maximumInFlight: Int = 64, maximumStreams: Int = 100
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.stream = stream
        self.connections = connections
        self.queryTimeout = queryTimeout
        self.rateLimit = rateLimit
        self.maximumInFlight = maximumInFlight
        self.maximumStreams = maximumStreams
    }

    /// Whether ``host`` reaches this machine only: `localhost`, `::1`, or an IPv4 literal in
    /// 127.0.0.0/8 (a name that starts with `127.` is not one).
    public var isLoopback: Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    /// Checks that the settings can work and are safe.
    ///
    /// - Throws: ``ServerError`` with ``ServerError/Code/invalidConfiguration`` for a port out of
    ///   range, fewer than one connection, an empty or blank token, or an address other than
    ///   loopback without a token.
    public func validate() throws {
        guard (0...65_535).contains(port) else {
            throw ServerError(.invalidConfiguration, "port \(port) is not a TCP port (0 to 65535)")
        }
        guard rateLimit >= 0, maximumInFlight >= 1, maximumStreams >= 0 else {
            throw ServerError(
                .invalidConfiguration,
                "rate limit \(rateLimit), requests in flight \(maximumInFlight) and streams \(maximumStreams): "
                    + "none may be negative, and at least one request must be allowed in flight")
        }
        guard connections >= 1 else {
            throw ServerError(.invalidConfiguration, "connections is \(connections); it must be at least 1")
        }
        if let token, token.allSatisfy({ $0 == " " || $0 == "\t" }) {
            throw ServerError(
                .invalidConfiguration, "the HTTP token is empty; set a long random one, or none on loopback")
        }
        guard isLoopback || token != nil else {
            throw ServerError(
                .invalidConfiguration,
                "binding \(host) exposes the dashboard beyond this machine: set a bearer token "
                    + "(LAKEHOUSE_HTTP_TOKEN for lakehouse serve), or bind 127.0.0.1")
        }
    }
}
