import ArgumentParser
import Foundation
import LakehouseCore
import LakehouseServer
import Logging
import Metrics
import PGLite
import Prometheus

/// `lakehouse serve`: the dashboard, its JSON API and health checks, reading PostgreSQL only.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the dashboard and its JSON API (read-only) until interrupted.",
        discussion: """
            Binds 127.0.0.1:8080 unless --http says otherwise. Any address beyond loopback needs a \
            bearer token in LAKEHOUSE_HTTP_TOKEN, which every /api/v1 request must then send \
            (Authorization: Bearer <token>); /healthz and /readyz answer anyone.
            """)

    @Option(help: "The address to serve at, host:port.") var http = "127.0.0.1:8080"
    @OptionGroup var settings: SettingsOption

    func validate() throws { _ = try ServeAddress(http) }

    func run() async throws {
        let logger = Logger(label: "lakehouse")
        let settings = try settings.load(program: "lakehouse")
        let server = try ServeAddress(http).server(settings: settings, logger: logger)
        try await GracefulRun.run(server.service(), notice: "lakehouse: stopping the server", logger: logger)
    }
}

/// A `--http` address, `host:port` (`[::1]:8080` for IPv6), checked.
struct ServeAddress {
    var host: String
    var port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { throw ValidationError("--http \(TerminalText.escaped(text)): expected host:port, e.g. 127.0.0.1:8080") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("--http \(TerminalText.escaped(text)): the host is missing") }
        self.host = host
        self.port = port
    }

    /// The server for this address over the settings' database and stream, with the token of
    /// `LAKEHOUSE_HTTP_TOKEN` when it is set.
    ///
    /// - Throws: `ExitCode(64)` after saying why, when the server refuses the configuration (an
    ///   address beyond loopback without a token).
    func server(settings: LakehouseConfiguration, logger: Logger) throws -> DashboardServer {
        let environment = ProcessInfo.processInfo.environment
        let token = environment["LAKEHOUSE_HTTP_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            var database = PGConnection.Configuration(
                connectionString: try Self.readerDatabase(environment) ?? settings.database,
                applicationName: "lakehouse-serve")
            database.connectTimeout = .seconds(5)
            return try DashboardServer(
                configuration: ServerConfiguration(
                    host: host, port: port, token: token, stream: settings.kinesisStream),
                database: database, metrics: Self.metrics, logger: logger)
        } catch let error as ServerError {
            throw CommandFailure.usage("lakehouse", error.message)
        }
    }

    /// `LAKEHOUSE_READER_DATABASE_URL`: a login that is a member of `lakehouse_reader`, for a
    /// server that cannot write whatever its sessions say; `nil` when unset (then the
    /// pipeline's `DATABASE_URL`, in read-only sessions).
    ///
    /// - Throws: `ExitCode(64)` after saying why, when it cannot be parsed.
    static func readerDatabase(_ environment: [String: String]) throws -> PGConnectionString? {
        guard let text = environment["LAKEHOUSE_READER_DATABASE_URL"], !text.isEmpty else { return nil }
        do {
            return try PGConnectionString(text)
        } catch let error as PGError {
            throw CommandFailure.usage("lakehouse", "LAKEHOUSE_READER_DATABASE_URL: \(error.message)")
        }
    }

    /// The registry this process's metrics go to: swift-metrics is bootstrapped with it the first
    /// time a server is made, so that what the pipeline records here shows at `/metrics`.
    static let metrics: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
