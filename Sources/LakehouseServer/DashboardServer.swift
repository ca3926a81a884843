import Foundation
import Hummingbird
import LakehouseCore
import Logging
import NIOCore
import PGLite
import Prometheus
import ServiceLifecycle

/// The dashboard's HTTP server: health checks, the JSON API under `/api/v1` and its OpenAPI
/// document. It reads PostgreSQL only, through its own pool of read-only sessions
/// (`default_transaction_read_only`, a statement timeout), so it never writes and never holds
/// up the pipeline.
///
/// ```swift
/// let server = try DashboardServer(
///     configuration: ServerConfiguration(stream: "pos-events"),
///     database: PGConnection.Configuration(connectionString: try PGConnectionString(url)),
///     logger: logger)
/// try await server.run()   // until SIGINT or SIGTERM
/// ```
public struct DashboardServer: Sendable {
    /// How the server listens and whom it answers.
    public let configuration: ServerConfiguration
    let pool: PGPool
    /// The Overview's report, shared by the page, its JSON and the live streams for a second.
    let overview: OverviewCache
    let logger: Logger
    let metrics: MetricsEndpoint

    /// Creates a server; nothing is bound or connected until it runs.
    ///
    /// - Parameters:
    ///   - configuration: address, token, stream, pool size and query timeout.
    ///   - database: the connection to read from; its sessions are made read-only here.
    ///   - metrics: the registry `/metrics` renders: the one the process bootstrapped
    ///     swift-metrics with (`MetricsSystem.bootstrap(PrometheusMetricsFactory(registry:))`), so
    ///     that what the pipeline records in this process is shown; by default a registry of its
    ///     own, with the gauges read from PostgreSQL only.
    ///   - logger: receives the server's and the pool's events (never a token or password).
    /// - Throws: ``ServerError`` with ``ServerError/Code/invalidConfiguration`` when
    ///   ``ServerConfiguration/validate()`` refuses the configuration.
    public init(
        configuration: ServerConfiguration, database: PGConnection.Configuration,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.metrics = MetricsEndpoint(registry: metrics)
        let connection = Self.sessions(of: database, timeout: configuration.queryTimeout)
        pool = PGPool(
            configuration: PGPool.Configuration(
                connection: connection, maximumConnections: configuration.connections,
                acquireTimeout: configuration.queryTimeout),
            logger: logger)
        overview = OverviewCache(pool: pool, stream: configuration.stream)
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    ///
    /// - Parameter onListening: called once with the port bound (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        do {
            try await application(onListening: onListening).runService()
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    /// The server as a service, for a `ServiceGroup` that runs it beside other work
    /// (`lakehouse run --http`); it stops when the group shuts down gracefully, and closes its
    /// connections.
    public func service(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        ClosingService(service: application(onListening: onListening), pool: pool)
    }

    /// `service`, then the pool closed, however it ended.
    struct ClosingService<Inner: Service>: Service {
        let service: Inner
        let pool: PGPool

        func run() async throws {
            do {
                try await service.run()
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
        }
    }

    /// The sessions the server reads through: `database`'s, read-only, with `timeout` as their
    /// statement timeout.
    package static func sessions(of database: PGConnection.Configuration, timeout: Duration)
        -> PGConnection.Configuration
    {
        var connection = database
        connection.runtimeParameters["default_transaction_read_only"] = "on"
        let parts = timeout.components
        connection.runtimeParameters["statement_timeout"] =
            "\(max(1, parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000))"
        return connection
    }

    func application(onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let logger = logger
        return Application(
            router: router(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "lakehouse"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.notice("dashboard listening", metadata: ["http.port": "\(port)"])
                await onListening(port)
            },
            logger: logger)
    }

    /// The routes: `/healthz` and `/readyz` for anyone, the rest behind the token when one is set.
    func router() -> Router<BasicRequestContext> {
        let (router, logger) = (Router(), logger)
        router.add(middleware: SecurityHeaders())
        router.add(middleware: ErrorPages(logger: logger))
        router.add(middleware: ReadOnlyMethods())
        router.add(
            middleware: RequestLimits(
                rate: configuration.rateLimit, maximumInFlight: configuration.maximumInFlight))
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            do {
                _ = try await pool.withConnection { try await $0.query("SELECT 1") }
                return Self.text("ready\n", status: .ok)
            } catch {
                return Self.text("PostgreSQL does not answer\n", status: .serviceUnavailable)
            }
        }
        let api = router.group("api/v1")
        if let token = configuration.token { api.add(middleware: BearerToken(token: token)) }
        api.get("openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.openAPI)))
        }
        addMetrics(to: router)
        addAPI(to: api)
        addPages(to: router)
        return router
    }

    /// `/metrics`: the registry, with the database's gauges read first (best effort).
    func addMetrics(to router: Router<BasicRequestContext>) {
        let (stream, logger, metrics, pool) = (configuration.stream, logger, metrics, pool)
        let metricsRoute = router.group("metrics")
        if let token = configuration.token { metricsRoute.add(middleware: BearerToken(token: token)) }
        metricsRoute.get { _, _ -> Response in
            let status: PipelineStatus?
            do {
                // Gold's part only: a scrape every few seconds reads no process, run or item.
                status = try await pool.withConnection { connection in
                    var status = PipelineStatus(stream: stream)
                    try await status.readGold(connection)
                    return status
                }
            } catch {
                logger.warning("metrics: the database's gauges were not read", metadata: ["error": "\(error)"])
                status = nil
            }
            return await metrics.scrape(status)
        }
    }

    /// The JSON API's reports under `/api/v1`.
    func addAPI(to api: RouterGroup<BasicRequestContext>) {
        let (logger, pool, overview) = (logger, pool, overview)
        api.get("overview") { _, _ -> OverviewReport in
            try await overview.report()
        }
        api.get("stores") { request, _ -> StoreList in
            let page = try Page(request)
            return try await pool.withConnection { try await StoreQueries.list($0, page: page) }
        }
        api.get("stores/:store") { request, context -> StoreReport in
            try await Self.store(try Self.storeID(context), page: try Page(request), pool: pool, logger: logger)
        }
        api.get("search") { request, _ -> SearchReport in
            let (query, page) = (try SearchQueries.query(request), try Page(request))
            return try await pool.withConnection { try await SearchQueries.search($0, query: query, page: page) }
        }
        api.get("stores/:store/items/:product") { request, context -> ItemReport in
            try await Self.item(request, context, pool: pool)
        }
        api.get("pipeline") { request, _ -> PipelineReport in try await Self.pipeline(request, pool: pool) }
    }

    /// The Pipeline report for the `stage`, `status`, `limit` and `offset` of `request`.
    ///
    /// - Throws: `HTTPError(.badRequest)` for a bad parameter.
    static func pipeline(_ request: Request, pool: PGPool) async throws -> PipelineReport {
        let stage = try PipelineQueries.filter(request, "stage", PipelineQueries.stages)
        let status = try PipelineQueries.filter(request, "status", PipelineQueries.statuses)
        let page = try Page(request)
        return try await pool.withConnection {
            try await PipelineQueries.report($0, stage: stage, status: status, page: page)
        }
    }

    /// The report of `store` with `page` of its items.
    ///
    /// - Throws: `HTTPError(.notFound)` when gold has no such store.
    static func store(_ store: String, page: Page, pool: PGPool, logger: Logger) async throws -> StoreReport {
        guard
            let report = try await pool.withConnection({
                try await StoreQueries.report($0, store: store, page: page, logger: logger)
            })
        else { throw HTTPError(.notFound, message: "gold has no store \(Page.shown(store))") }
        return report
    }

    /// The item of the `:store` and `:product` path parameters over the `days` of the query (1 to
    /// 365, default 28).
    ///
    /// - Throws: `HTTPError` 400 for a bad parameter, 404 when gold has no such item.
    static func item(_ request: Request, _ context: BasicRequestContext, pool: PGPool) async throws -> ItemReport {
        let (store, product) = (try storeID(context), try pathID(context, "product", what: "a product id"))
        let days = try Page.integer(request, "days", default: 28, 1...365)
        guard
            let report = try await pool.withConnection({
                try await ItemQueries.report($0, store: store, product: product, days: days)
            })
        else {
            throw HTTPError(
                .notFound, message: "gold has no store \(Page.shown(store)) or no product \(Page.shown(product))")
        }
        return report
    }

    /// The HTML pages, built from the same reports as the API; behind the token (basic
    /// authentication, the token as password) when one is set. `/assets/site.css` and
    /// `/assets/live.js` are open.
    func addPages(to router: Router<BasicRequestContext>) {
        for (path, type, text) in [
            ("assets/site.css", "text/css", HTML.styleSheet), ("assets/live.js", "text/javascript", LiveEvents.script),
        ] {
            router.get(RouterPath(path)) { _, _ -> Response in
                var headers = HTTPFields()
                headers[.contentType] = type + "; charset=utf-8"
                headers[.cacheControl] = "max-age=300"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
        }
        let pages = router.group()
        if let token = configuration.token {
            pages.add(middleware: BearerToken(token: token, challenge: "Basic realm=\"lakehouse\", charset=\"UTF-8\""))
        }
        let (pool, logger, overview) = (pool, logger, overview)
        pages.get("/") { _, _ -> Response in
            let report = try await overview.report()
            return Self.html(DashboardPages.overview(report))
        }
        pages.get("stores") { request, _ -> Response in
            let page = try Page(request)
            return Self.html(
                DashboardPages.stores(try await pool.withConnection { try await StoreQueries.list($0, page: page) }))
        }
        pages.get("search") { request, _ -> Response in
            let (query, page) = (try SearchQueries.query(request), try Page(request))
            let report = try await pool.withConnection { try await SearchQueries.search($0, query: query, page: page) }
            return Self.html(DashboardPages.search(report))
        }
        let streams = InFlightCount(limit: configuration.maximumStreams)
        pages.get("events") { _, _ -> Response in try LiveEvents.response(streams: streams, overview: overview)
        }
        pages.get("pipeline") { request, _ -> Response in
            Self.html(PipelinePage.render(try await Self.pipeline(request, pool: pool)))
        }
        pages.get("stores/:store/order.csv") { _, context -> Response in
            let store = try Self.storeID(context)
            let report = try await Self.store(store, page: Page(limit: 1, offset: 0), pool: pool, logger: logger)
            let name = "order-" + HTML.pathSegment(store) + "-" + (report.proposal?.reviewDate ?? "none") + ".csv"
            var headers = HTTPFields()
            headers[.contentDisposition] = "attachment; filename=\"\(name)\""
            return Self.answer(OrderCSV.text(report), type: "text/csv; charset=utf-8", headers: headers)
        }
        pages.get("stores/:store/items/:product") { request, context -> Response in
            Self.html(ItemPage.page(try await Self.item(request, context, pool: pool)))
        }
        pages.get("stores/:store") { request, context -> Response in
            let report = try await Self.store(
                try Self.storeID(context), page: try Page(request), pool: pool, logger: logger)
            return Self.html(DashboardPages.store(report))
        }
    }

    /// An answer of `body` as `type`, with `headers` besides.
    static func answer(
        _ body: String, type: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields()
    ) -> Response {
        var headers = headers
        headers[.contentType] = type
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// An HTML answer.
    static func html(_ page: String) -> Response { answer(page, type: "text/html; charset=utf-8") }

    /// A plain-text answer.
    static func text(_ text: String, status: HTTPResponse.Status) -> Response {
        answer(text, type: "text/plain; charset=utf-8", status: status)
    }

    /// The `:store` path parameter, percent-decoded: 1 to 64 characters, none of them a control
    /// character.
    ///
    /// - Throws: `HTTPError(.badRequest)` otherwise.
    static func storeID(_ context: BasicRequestContext) throws -> String {
        try pathID(context, "store", what: "a store id")
    }

    /// The path parameter `name`, percent-decoded: 1 to 64 characters, none of them a control
    /// character.
    ///
    /// - Throws: `HTTPError(.badRequest)` otherwise, naming `what`.
    static func pathID(_ context: BasicRequestContext, _ name: String, what: String) throws -> String {
        let raw = context.parameters.get(name) ?? ""
        guard let value = raw.removingPercentEncoding else {
            throw HTTPError(.badRequest, message: "\(what) is not valid percent-encoded UTF-8")
        }
        guard (1...64).contains(value.unicodeScalars.count),
            !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw HTTPError(.badRequest, message: "\(what) is 1 to 64 printable characters; got \(Page.shown(value))")
        }
        return value
    }

    /// The OpenAPI 3.1 document of the API (`Sources/LakehouseServer/openapi.json`).
    static let openAPI: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Array(#"{"openapi":"3.1.0","info":{"title":"missing","version":"0"},"paths":{}}"#.utf8) }
        return Array(data)
    }()
}
