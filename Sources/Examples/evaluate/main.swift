// evaluate — closed-loop replenishment evaluation: every ordering policy on the same simulated
// chains, outcome tables with bootstrap 95 % intervals, the frontier and calibration plots, a
// Markdown report, and `bench` lines (see `make evaluate`).
//
//   evaluate [--stores 10] [--products 200] [--days 56] [--warm-up 14] [--seeds 5] [--output .evaluate]
import ArgumentParser
import Foundation
import LakehouseCore

@main
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the ordering policies on the same simulated chains and compare what their shelves went through.")

    @Option(help: "Stores in the chain.") var stores = 10
    @Option(help: "Products in the assortment.") var products = 200
    @Option(help: "Measured days.") var days = 56
    @Option(help: "Days before the measured ones, in which the stores order as before and the policies learn.")
    var warmUp = 14
    @Option(help: "Chains to run (seeds 1 to N).") var seeds = 5
    @Option(help: "Bootstrap resamples.") var resamples = 1000
    @Option(help: "Service levels of the frontier (comma-separated).") var levels = "0.9,0.95,0.98,0.99,0.995"
    @Option(help: "Where the report and plots go.") var output = ".evaluate"
    @Option(help: "A Markdown section to add to the report (the forecast comparison).") var forecastSection: String?
    @Option(help: "Only write the forecast comparison's CSV files (seed 1) to this directory, then stop.")
    var exportForecasts: String?

    func validate() throws {
        guard stores > 0, products > 0, days > 0, warmUp >= 0, seeds > 0, resamples > 0 else {
            throw ValidationError(
                "--stores, --products, --days, --seeds and --resamples must be positive, --warm-up not negative")
        }
        guard parsedLevels.allSatisfy({ $0 >= 0.5 && $0 < 1 }) else {
            throw ValidationError("--levels must be service levels from 0.5 up to (not including) 1, such as 0.9,0.95")
        }
    }

    var parsedLevels: [Double] {
        levels.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() throws {
        var chain = SimulationConfiguration(stores: stores, products: products, days: days + warmUp)
        chain.warmUpDays = warmUp
        // The holiday falls on the tenth measured day, so that the figures include it.
        chain.closedDays = [warmUp + 10]
        if let exportForecasts {
            try ForecastExport.write(configuration: chain, to: exportForecasts, firstCutoff: max(warmUp, 14))
            print("forecasts: \(exportForecasts)/items.csv, sales.csv, ours.csv, ours_ltd.csv")
            return
        }
        let evaluation = ReplenishmentEvaluation(configuration: chain, seeds: (1...UInt64(seeds)).map { $0 })
        let started = Date()
        let report = try ReplenishmentReport.make(evaluation, levels: parsedLevels, resamples: resamples) { line in
            FileHandle.standardError.write(
                Data(String(format: "evaluate [%4.0fs]: %@\n", Date().timeIntervalSince(started), line).utf8))
        }
        for table in report.tables { print(table.terminal + "\n") }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let forecast = try forecastSection.map { try String(contentsOfFile: $0, encoding: .utf8) }
        try report.markdown(forecast: forecast).write(toFile: "\(output)/report.md", atomically: true, encoding: .utf8)
        try report.frontierChart().svg().write(toFile: "\(output)/frontier.svg", atomically: true, encoding: .utf8)
        try report.frontierChart(allPolicies: true).svg().write(
            toFile: "\(output)/policies.svg", atomically: true, encoding: .utf8)
        try report.reliabilityChart.svg().write(toFile: "\(output)/reliability.svg", atomically: true, encoding: .utf8)
        print("report: \(output)/report.md, plots: \(output)/frontier.svg, policies.svg, reliability.svg")
        for line in report.benchLines { print(line) }
    }
}
