import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// `lakehouse run` while its PostgreSQL server goes away and comes back: on a cluster of the
/// test's own, so that stopping it disturbs no other test.
@Suite("lakehouse run survives a PostgreSQL outage", .serialized)
struct PipelineOutageTests {
    @Test(
        "PostgreSQL stopped for 15 s under lakehouse run with a producer sending: ingest resumes, every event reaches gold once, status tells waiting from dead"
    )
    func postgresOutage() async throws {
        try await PrivatePostgres.with { cluster in
            let fixture = try await PipelineFixture.make("pipe-outage", shards: 2, databaseURL: cluster.databaseURL)
            let simulation = SimulationConfiguration(stores: 6, products: 10, days: 12, seed: 31, dirtyRate: 0)
            let log = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("outage")).path + ".log"
            defer { try? FileManager.default.removeItem(atPath: log) }
            let run = try fixture.lakehouse(
                ["run", "--poll-seconds", "1", "--failover-seconds", "4"], outputPath: log)

            // The producer: a simulated day every second, before and during the outage; the last
            // two days once the server is back.
            let kinesis = fixture.base.kinesis
            let stream = fixture.base.stream
            let atLastDays = StopSignal()
            let restarted = StopSignal()
            let producer = Task {
                var simulator = StoreSimulator(configuration: simulation)
                var sent: [SimulatedRecord] = []
                for day in 0..<simulation.days {
                    if day == simulation.days - 2 {
                        atLastDays.stop()
                        try await eventually("the server is back", timeout: .seconds(600)) { restarted.isStopped }
                    }
                    sent += try await PipelineFixture.send(days: 1, of: &simulator, to: [stream], kinesis: kinesis)
                    // Pacing the traffic: a day a second.
                    try await Task.sleep(for: .seconds(1))
                }
                return sent
            }
            // The outage starts once the pipeline has carried events into gold.
            try await eventually(
                "gold holds events before the outage", timeout: .seconds(120), poll: .milliseconds(250)
            ) {
                ((try? await fixture.count("SELECT count(*) FROM fact_stock_movement")) ?? 0) > 0
            }
            try await PrivatePostgres.services(cluster.directory, "stop-postgres")
            let clock = ContinuousClock()
            let outageStart = clock.now
            // While it is down, `lakehouse status` fails at once, saying why, without the password.
            let password = try #require(URLComponents(string: cluster.databaseURL)?.password)
            let down = try await fixture.run(["status"])
            #expect(down.status != 0)
            #expect(down.errors.contains("127.0.0.1"), "\(down.errors)")
            #expect(!(down.output + down.errors).contains(password), "the password was printed: \(down.errors)")
            // It stays down while the producer sends all but its last two days, and at least 12 s
            // (three failover periods: the leases expire meanwhile).
            try await eventually("the producer sends its days during the outage", timeout: .seconds(120)) {
                atLastDays.isStopped && clock.now - outageStart >= .seconds(12)
            }
            try await PrivatePostgres.services(cluster.directory, "start-postgres")
            restarted.stop()
            let sent = try await producer.value

            // Every valid event reaches gold, once.
            let expected = PipelineTests.keys(sent)
            let database = try await PGConnection.connect(
                configuration: .init(cluster.databaseURL), logger: fixture.logs.logger())
            try await database.execute("SET search_path TO \(fixture.base.schema)")
            func count(_ sql: String) async throws -> Int64 {
                try await database.query(sql).rows[0].decode(Int64.self, at: 0)
            }
            let caughtUp = try? await eventually(
                "gold holds every event", timeout: .seconds(180), poll: .milliseconds(250)
            ) {
                try await count("SELECT count(*) FROM fact_stock_movement") >= Int64(expected.count)
            }
            let inGold = try await count("SELECT count(*) FROM fact_stock_movement")
            #expect(caughtUp != nil, "gold holds \(inGold) of \(expected.count) events")
            #expect(inGold == Int64(expected.count))
            #expect(try await count("SELECT count(*) FROM sales_silver") == Int64(expected.count))
            #expect(
                try await count(
                    "SELECT count(*) FROM (SELECT DISTINCT transaction_id, product_id, event_type FROM sales_silver) k")
                    == Int64(expected.count))
            // Ingest went on after the outage: checkpoints moved after the server came back.
            #expect(
                try await count(
                    "SELECT count(*) FROM ingest_checkpoints WHERE updated_at > (SELECT pg_postmaster_start_time())")
                    > 0)

            let status = try await fixture.run(["status"])
            #expect(status.status == 0, "\(status.errors)")
            #expect(status.output.contains("alive"), "\(status.output)")

            run.send(signal: SIGTERM)
            #expect(await run.waitForExit(timeout: .seconds(60)) == 0, "lakehouse run drains and exits 0")
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(output.contains("waiting for PostgreSQL") || output.contains("PostgreSQL connection lost"))
            #expect(output.contains("PostgreSQL reached again"), "\(output.suffix(3000))")
            #expect(!output.contains(password), "the password was logged")
            await database.close()
            // The schema goes with the cluster.
            try await fixture.tearDown(dropSchema: false)
        }
    }
}
