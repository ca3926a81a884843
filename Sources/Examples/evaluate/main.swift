// evaluate — closed-loop replenishment evaluation: every ordering policy on the same simulated
// chains, outcome tables with bootstrap 95 % intervals (see `make evaluate`).
//
//   evaluate [--stores 10] [--products 200] [--days 56] [--seeds 5]
import ArgumentParser
import Foundation
import LakehouseCore

@main
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the ordering policies on the same simulated chains and compare their outcomes.")

    @Option(help: "Stores in the chain.") var stores = 10
    @Option(help: "Products in the assortment.") var products = 200
    @Option(help: "Simulated days.") var days = 56
    @Option(help: "Seeds (chains) to run, 1 to N.") var seeds = 5
    @Option(help: "Days before the measured ones, in which the stores order as before and policies learn.") var warmUp = 14
    @Option(help: "Service level for model and oracle (default: the categories').") var serviceLevel: Double?

    func run() throws {
        var chain = SimulationConfiguration(stores: stores, products: products, days: days + warmUp)
        chain.warmUpDays = warmUp
        let evaluation = ReplenishmentEvaluation(configuration: chain, seeds: (1...UInt64(seeds)).map { $0 })
        var rows: [[String]] = []
        for name in ReplenishmentEvaluation.policyNames {
            let runs = try evaluation.run(policy: name, serviceLevel: serviceLevel)
            let metrics = OutcomeMetrics(items: runs.items, runs: runs.outcomes.count, days: days)
            if name == "model" {
                let calibration = evaluation.calibration(runs)
                for bin in calibration.bins { print(String(format: "%.1f  n=%7d  predicted %.4f  observed %.4f", bin.low, bin.count, bin.predicted, bin.observed)) }
                print("ECE", calibration.expectedCalibrationError, "judged", calibration.judged)
            }
            if ProcessInfo.processInfo.environment["EVAL_WEEKS"] != nil {
                let byDay = runs.outcomes[0].lostValueByDay
                print(name, stride(from: 0, to: byDay.count, by: 7).map { String(byDay[$0..<min($0 + 7, byDay.count)].reduce(0, +) / 100) }.joined(separator: " "))
            }
            let orders = runs.outcomes.map(\.orderLines).reduce(0, +)
            let storeDays = runs.outcomes.map(\.openStoreDays).reduce(0, +)
            rows.append(
                [name] + metrics.named.map { String(format: "%.4g", $0.value) }
                    + [String(format: "%.1f", Double(orders) / Double(max(storeDays, 1)))])
        }
        if ProcessInfo.processInfo.environment["EVAL_CATEGORIES"] != nil {
            for name in ["naive", "model", "oracle"] {
                let runs = try evaluation.run(policy: name, serviceLevel: serviceLevel)
                for category in StoreCatalog.categories {
                    let m = OutcomeMetrics(items: runs.items.filter { $0.category == category }, runs: runs.outcomes.count, days: days)
                    print(name, category, String(format: "oos %.4f fill %.4f inv %.0f cover %.2f waste %.0f", m.outOfStockRate, m.fillRate, m.inventoryValue, m.daysOfCover, m.wasteUnits))
                }
            }
        }
        if ProcessInfo.processInfo.environment["EVAL_BANDS"] != nil {
            for name in ["model", "oracle"] {
                let runs = try evaluation.run(policy: name, serviceLevel: serviceLevel)
                for (low, high) in [(0.0, 1.0), (1.0, 3.0), (3.0, 10.0), (10.0, 100.0)] {
                    for perishable in [true, false] {
                        let items = runs.items.filter { $0.meanDailyDemand >= low && $0.meanDailyDemand < high && (["DAIRY","BAKERY","FRUIT","VEGETABLES","MEAT","FISH"].contains($0.category) == perishable) }
                        let m = OutcomeMetrics(items: items, runs: runs.outcomes.count, days: days)
                        print(name, low, high, perishable ? "perishable" : "keeps", items.count, String(format: "oos %.4f fill %.4f cover %.2f waste %.0f lost %.0f inv %.0f", m.outOfStockRate, m.fillRate, m.daysOfCover, m.wasteUnits, m.lostValue, m.inventoryValue))
                    }
                }
            }
        }
        let header = ["policy"] + OutcomeMetrics(items: [], runs: 1, days: 1).named.map(\.name) + ["orders/store-day"]
        print(TerminalText.table(header, rows, alignments: [.left] + Array(repeating: .right, count: header.count - 1)))
    }
}
