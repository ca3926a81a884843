import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import Logging
import PGLite
import ServiceLifecycle
import Synchronization
import Testing

/// The snippets of LakehouseCore.docc (EmbeddingThePipeline.md, PolicyOverrides.md), run as a
/// user would run them: settings loaded from an environment, the pipeline in a `ServiceGroup`
/// beside a service of the user's own, a policy override applied by the next refresh.
@Suite("LakehouseCore articles: the pipeline inside your own service, a policy override")
struct LakehouseCoreArticleTests {
    /// The fixture's settings as the environment a user's service would have: the schema goes
    /// in the connection string's options (the process's own PGOPTIONS is not ours to set).
    static func environment(of fixture: PipelineFixture) throws -> [String: String] {
        var environment = fixture.environment
        environment["PGOPTIONS"] = nil
        let url = try #require(environment["DATABASE_URL"])
        environment["DATABASE_URL"] =
            url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(fixture.base.schema)"
        return environment
    }

    /// A user's own service: it runs until the group shuts down.
    struct Heartbeat: Service {
        let beats: Tally

        func run() async throws {
            beats.add()
            try await gracefulShutdown()
        }
    }

    @Test("EmbeddingThePipeline: the pipeline in a ServiceGroup brings every event to gold and drains on shutdown")
    func embedding() async throws {
        let fixture = try await PipelineFixture.make("article-embed", shards: 2)
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 2, products: 8, days: 2, seed: 11, dirtyRate: 0))
        let sent = try await PipelineFixture.send(
            days: 2, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        let environment = try Self.environment(of: fixture)

        // The snippet, with the environment given instead of the process's.
        let logger = Logger(label: "stock-service")
        let settings = try LakehouseConfiguration.load(environment: environment, dotEnvPath: nil)
        let configuration = Pipeline.Configuration(
            stream: settings.kinesisStream, bronzeBucket: settings.buckets.bronze, silverBucket: settings.buckets.silver
        )
        let pipeline = Pipeline(
            configuration: configuration,
            kinesis: KinesisClient(configuration: try settings.awsClientConfiguration(.kinesis), logger: logger),
            s3: S3Client(configuration: try settings.awsClientConfiguration(.s3), logger: logger),
            connect: { name in try await settings.connectDatabase(applicationName: name, logger: logger) },
            logger: logger)
        let drained = Mutex<Pipeline.Report?>(nil)
        let beats = Tally()
        let group = ServiceGroup(
            services: [
                pipeline.service(finished: { report in drained.withLock { $0 = report } }), Heartbeat(beats: beats),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        async let running: Void = group.run()

        let events = Int64(sent.count)
        try await eventually("gold holds every event", timeout: .seconds(120)) {
            try await fixture.count("SELECT count(*) FROM fact_stock_movement") >= events
        }
        #expect(try await fixture.count("SELECT count(*) FROM shard_lease WHERE owner IS NOT NULL") == 2)
        await group.triggerGracefulShutdown()
        try await running
        let report = try #require(drained.withLock { $0 }, "the pipeline service handed over its report")
        #expect(report.ingestRecords == sent.count)
        #expect(report.silver.counts.valid == sent.count)
        #expect(beats.count == 1, "the user's own service ran beside the pipeline")
        #expect(
            try await fixture.count("SELECT count(*) FROM shard_lease WHERE owner IS NOT NULL AND expires_at > now()")
                == 0, "the drained pipeline released its leases at once")
        try await fixture.tearDown()
    }

    @Test("PolicyOverrides: a store-level override is the policy gold plans the item with at its next refresh")
    func policyOverride() async throws {
        let fixture = try await PipelineFixture.make("article-policy", shards: 1)
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 2, products: 8, days: 6, seed: 5, dirtyRate: 0))
        _ = try await PipelineFixture.send(
            days: 3, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        #expect(try await fixture.run(["run", "--until-caught-up"]).status == 0)
        let logger = Logger(label: "policy")
        let settings = try LakehouseConfiguration.load(environment: try Self.environment(of: fixture), dotEnvPath: nil)
        let database = try await settings.connectDatabase(applicationName: "policy", logger: logger)
        let gold = GoldJob(connection: database, logger: logger)
        let store = "STORE_001"
        let before = try await gold.orderProposal(store: store, limit: 1000)
        let item = try #require(before.first, "gold drafted a proposal for \(store)")
        let product = item.productID

        // The snippet: the override, then a refresh with the item's next movements.
        try await database.query(
            """
            INSERT INTO replenishment_policy (product_id, store_id, lead_time_days, service_level,
                review_period_days, max_days_of_cover)
            VALUES ($1, $2, 9, 0.99, 1, 14)
            """, [product, store])
        _ = try await PipelineFixture.send(
            days: 2, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        #expect(try await fixture.run(["run", "--until-caught-up"]).status == 0)
        try await gold.refresh()
        let after = try await gold.orderProposal(store: store, limit: 1000)
        let line = try #require(after.first { $0.productID == product }, "\(product) is still in \(store)'s proposal")
        // The plan covers the days to the delivery after next: at least the new 9-day lead time.
        let days = try #require(Self.coveredDays(line.reason), "a reason that names the days covered: \(line.reason)")
        #expect(days >= 9, "\(line.reason)")
        let elsewhere = try #require(after.first { $0.productID != product }, "another item in the proposal")
        let otherDays = try #require(Self.coveredDays(elsewhere.reason))
        #expect(otherDays < 9, "other items keep their category's lead time: \(elsewhere.reason)")
        await database.close()
        try await fixture.tearDown()
    }

    /// The days an order plan's reason says it covers ("… cover the next 10 days …").
    static func coveredDays(_ reason: String) -> Int? {
        guard let range = reason.range(of: "the next ") else { return nil }
        return Int(reason[range.upperBound...].prefix { $0.isNumber })
    }
}
