import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// `lakehouse run` stopped by SIGTERM while events keep arriving: it drains and exits promptly,
/// gives its leases back at once (another process need not wait for them to expire), and a
/// restart takes up exactly where it stopped.
@Suite("lakehouse run stops cleanly on SIGTERM under load")
struct PipelineShutdownTests {
    @Test(
        "SIGTERM while a producer sends: exit 0 within 10 s, no lease held, and a restart brings every event into gold once",
        .tags(.scale)
    )
    func sigtermUnderLoad() async throws {
        let fixture = try await PipelineFixture.make("pipe-term", shards: 2)
        let simulation = SimulationConfiguration(
            stores: 6, products: 10, days: TestServices.fullScale ? 20 : 8, seed: 37, dirtyRate: 0)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("term")).path + ".log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let run = try fixture.lakehouse(["run", "--poll-seconds", "1", "--flush-seconds", "0.5"], outputPath: log)
        let (kinesis, stream) = (fixture.base.kinesis, fixture.base.stream)
        let daysSent = Tally()
        let producer = Task {
            var simulator = StoreSimulator(configuration: simulation)
            var sent: [SimulatedRecord] = []
            for _ in 0..<simulation.days {
                sent += try await PipelineFixture.send(days: 1, of: &simulator, to: [stream], kinesis: kinesis)
                daysSent.add()
                // Pacing the traffic: a simulated day every half second, before and after the stop.
                try await Task.sleep(for: .milliseconds(500))
            }
            return sent
        }
        // The stop comes while every stage is busy: gold holds events and more keep coming.
        try await eventually("gold holds events", timeout: .seconds(120), poll: .milliseconds(100)) {
            try await fixture.count("SELECT count(*) FROM fact_stock_movement") > 0
        }
        let clock = ContinuousClock()
        let signalled = clock.now
        run.send(signal: SIGTERM)
        #expect(daysSent.count < simulation.days, "the producer was still sending when SIGTERM came")
        let status = await run.waitForExit(timeout: .seconds(10))
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "no clean exit within 10 s of SIGTERM (\(clock.now - signalled)): \(output.suffix(1500))")
        #expect(output.contains("lakehouse run: ingest"), "the drained run's report: \(output.suffix(500))")
        // Its leases are free at once, not after they expire.
        #expect(try await fixture.count("SELECT count(*) FROM shard_lease WHERE owner IS NOT NULL") == 0)
        let held = try await fixture.count("SELECT count(*) FROM pipeline_run WHERE status = 'running'")
        #expect(held == 0, "runs left running after the drain")

        let sent = try await producer.value
        let again = try await fixture.run(["run", "--until-caught-up", "--poll-seconds", "1"])
        #expect(again.status == 0, "\(again.errors.suffix(1500))")
        let expected = PipelineTests.keys(sent)
        #expect(try await fixture.count("SELECT count(*) FROM fact_stock_movement") == Int64(expected.count))
        #expect(try await fixture.count("SELECT count(*) FROM sales_silver") == Int64(expected.count))
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM (SELECT DISTINCT transaction_id, product_id, event_type FROM sales_silver) k")
                == Int64(expected.count))
        try await fixture.tearDown()
    }
}
