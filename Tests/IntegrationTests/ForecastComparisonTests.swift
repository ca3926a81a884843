import Foundation
import LakehouseCore
import LakehouseTestSupport
import Testing

/// The model's forecasts against statsforecast (scripts/forecast_compare.py, statsforecast pinned
/// in .venv), at a small size: both sides forecast the same series at the same cutoffs over the
/// same horizons, and every figure is there.
@Suite struct ForecastComparisonTests {
    @Test("statsforecast and the model forecast the same series, cutoffs and horizons")
    func sameSeriesAndHorizon() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forecast-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var chain = SimulationConfiguration(stores: 2, products: 24, days: 14 + 21, seed: 3)
        chain.warmUpDays = 14
        // On a thread of its own (seconds of CPU in a debug build), and the Python below in one
        // process: the pools that carry other tests' requests must not starve meanwhile.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            Thread { [chain] in
                continuation.resume(
                    with: Result { try ForecastExport.write(configuration: chain, to: directory, firstCutoff: 14) })
            }.start()
        }

        // What we wrote: every item, every day, our forecasts at weekly cutoffs over each horizon.
        let items = try String(contentsOfFile: "\(directory)/items.csv", encoding: .utf8).split(separator: "\n")
        let sales = try String(contentsOfFile: "\(directory)/sales.csv", encoding: .utf8).split(separator: "\n")
        let ours = try String(contentsOfFile: "\(directory)/ours.csv", encoding: .utf8).split(separator: "\n")
        #expect(items.count == 1 + 48)
        #expect(sales.count == 1 + 48 * 35)
        let cutoffs = Set(ours.dropFirst().map { $0.split(separator: ",")[1] })
        // Cutoffs on days 14, 21 and 28 (day 28 + the longest horizon, 6, still fits in 35 days).
        #expect(cutoffs.count == 3)
        let horizons = Dictionary(
            uniqueKeysWithValues: items.dropFirst().map { line in
                let cells = line.split(separator: ",")
                return (String(cells[0]), Int(cells[6]) ?? 0)
            })
        #expect(ours.count - 1 == horizons.values.reduce(0, +) * cutoffs.count)

        let json = "\(directory)/result.json"
        let result = try await ChildProcess.output(
            RepositoryPaths.python,
            ["\(RepositoryPaths.root)/scripts/forecast_compare.py", directory, "--json", json, "--jobs", "1"])
        try #require(result.status == 0, "forecast_compare.py failed: \(result.errors.suffix(2000))")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(summary["items"] as? Int == 48)
        #expect((summary["cutoffs"] as? [String]).map(Set.init) == Set(cutoffs.map(String.init)))
        let models = try #require(summary["models"] as? [String: [String: Any]])
        #expect(
            Set(models.keys) == ["ours", "AutoETS", "CrostonOptimized", "TSB", "IMAPA", "SeasonalNaive"])
        // Every side forecast exactly the same (item, cutoff, day) triples: the open days of each
        // item's horizon at each cutoff.
        let days = Set(models.values.compactMap { $0["forecast_days"] as? Int })
        #expect(days.count == 1)
        #expect((days.first ?? 0) > 48 * 3)
        for (name, figures) in models {
            let mase = try #require(figures["mase"] as? Double, "\(name) has no MASE")
            #expect(mase > 0 && mase < 5, "\(name): MASE \(mase)")
        }
        let ratio = try #require(summary["ratio"] as? Double)
        #expect(ratio.isFinite && ratio > 0)
        // Ours and the interval models state a lead-time-demand quantile, judged for coverage.
        for name in ["ours", "AutoETS", "SeasonalNaive"] {
            let coverage = try #require(models[name]?["coverage"] as? Double, "\(name) has no coverage")
            #expect(coverage >= 0 && coverage <= 1)
        }
    }
}
