import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// `/metrics` of `lakehouse run --http`, read by prometheus_client's parser while the pipeline runs.
@Suite("Metrics: /metrics of lakehouse run --http in Prometheus' format, moving as the pipeline runs")
struct PipelineMetricsTests {
    /// Each sample of a scrape, parsed by prometheus_client: name, labels, value.
    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Scrape: Decodable {
        var contentType: String
        var samples: [Sample]

        /// The sum of `name`'s samples whose labels include `labels`.
        func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
            samples.filter { sample in
                sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
            }.reduce(0) { $0 + $1.value }
        }
    }

    static func scrape(_ url: String) async throws -> Scrape {
        let result = try await ChildProcess.output(
            TestServices.repositoryRoot + "/.venv/bin/python",
            [TestServices.repositoryRoot + "/Tests/Browser/prometheus_parse.py", url], timeout: .seconds(60))
        guard result.status == 0 else {
            throw ServerFailure(message: "prometheus_parse.py: \(result.errors.suffix(2000))")
        }
        return try JSONDecoder().decode(Scrape.self, from: Data(result.output.utf8))
    }

    struct ServerFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    @Test(
        "ingest, silver and gold counters equal what was sent, alert gauges equal SQL, histograms fill, and a second day moves them"
    )
    func countersMove() async throws {
        let fixture = try await PipelineFixture.make("serve-metrics", shards: 1)
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 2, products: 6, days: 3, seed: 41, dirtyRate: 0.05))
        var sent = try await PipelineFixture.send(
            days: 1, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).log").path
        let child = try fixture.lakehouse(
            ["run", "--http", "127.0.0.1:0", "--poll-seconds", "0.2", "--flush-seconds", "0.2"], outputPath: log)
        var port = 0
        _ = try await eventually("lakehouse run --http says its port", timeout: .seconds(60)) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let range = text.range(of: "http.port=") else { return false }
            port = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
            return port > 0
        }
        let url = "http://127.0.0.1:\(port)/metrics"
        var scrape = try await Self.scrape(url)
        _ = try await eventually("gold applied the first day", timeout: .seconds(120)) {
            scrape = try await Self.scrape(url)
            let silver = scrape.sum("lakehouse_silver_rows_total")
            return silver == Double(sent.count) && scrape.sum("lakehouse_gold_rows_total") > 0
                && scrape.sum("lakehouse_silver_batches_pending") == 0
        }
        #expect(scrape.contentType.hasPrefix("text/plain; version=0.0.4"))
        #expect(scrape.sum("lakehouse_ingest_records_total") == Double(sent.count))
        #expect(scrape.sum("lakehouse_bronze_objects_total") >= 1)
        let valid = try await fixture.count("SELECT count(*) FROM sales_silver")
        let quarantined = try await fixture.count("SELECT count(*) FROM sales_quarantine")
        #expect(scrape.sum("lakehouse_silver_rows_total", ["outcome": "valid"]) == Double(valid))
        #expect(scrape.sum("lakehouse_silver_rows_total", ["outcome": "quarantined"]) == Double(quarantined))
        #expect(quarantined > 0, "the simulation's dirty records are quarantined")
        #expect(scrape.sum("lakehouse_gold_rows_total") == Double(valid))
        #expect(scrape.sum("lakehouse_gold_refresh_duration_seconds_count") >= 1)
        #expect(scrape.sum("lakehouse_silver_batch_duration_seconds_count") >= 1)
        #expect(scrape.sum("lakehouse_stage_errors_total") == 0)
        #expect(scrape.sum("lakehouse_gold_freshness_seconds") > 0)
        for row in try await fixture.database.query(
            "SELECT kind, count(*) FROM stock_alert WHERE status = 'open' GROUP BY kind"
        ).rows {
            let kind = try row.decode(String.self, at: 0)
            #expect(scrape.sum("lakehouse_open_alerts", ["kind": kind]) == Double(try row.decode(Int64.self, at: 1)))
        }

        // A second day moves the counters by what it sent.
        sent += try await PipelineFixture.send(
            days: 1, of: &simulator, to: [fixture.base.stream], kinesis: fixture.base.kinesis)
        _ = try await eventually("the second day reached silver", timeout: .seconds(120)) {
            scrape = try await Self.scrape(url)
            return scrape.sum("lakehouse_silver_rows_total") == Double(sent.count)
        }
        #expect(scrape.sum("lakehouse_ingest_records_total") == Double(sent.count))
        _ = await child.stop()
        try? FileManager.default.removeItem(atPath: log)
        try await fixture.tearDown()
    }
}
