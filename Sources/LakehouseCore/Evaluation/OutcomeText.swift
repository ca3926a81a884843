import Foundation

/// One simulation run's outcome as a terminal table: what the shelves saw per category and
/// overall, in the figures a retailer judges replenishment by (``OutcomeMetrics``).
public enum OutcomeText {
    /// The table, under `title`, for a run whose measured part lasted `days` days.
    public static func table(_ outcome: SimulationOutcome, days: Int, title: String) -> String {
        let span = outcome.days > 0 ? outcome.days : days
        var groups: [(String, [SimulationOutcome.Item])] = Dictionary(grouping: outcome.items, by: \.category)
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        groups.append(("all", outcome.items))
        let rows = groups.map { name, items in
            let metrics = OutcomeMetrics(items: items, runs: 1, days: span)
            return [
                name, String(format: "%.2f %%", metrics.outOfStockRate * 100),
                String(format: "%.1f %%", metrics.fillRate * 100),
                String(format: "%.0f", metrics.lostUnits), String(format: "%.2f", metrics.lostValue),
                String(format: "%.1f", metrics.daysOfCover), String(format: "%.2f", metrics.inventoryValue),
                String(format: "%.0f", metrics.wasteUnits), String(format: "%.2f", metrics.wasteValue),
            ]
        }
        let perStoreDay = outcome.openStoreDays > 0 ? Double(outcome.orderLines) / Double(outcome.openStoreDays) : 0
        return title + "\n"
            + TerminalText.table(
                [
                    "category", "out of stock", "fill rate", "lost units", "lost value", "days of cover",
                    "stock value", "waste units", "waste value",
                ], rows, alignments: [.left] + Array(repeating: .right, count: 8))
            + "\n"
            + String(
                format: "%d order lines (%.1f per open store-day), %d deliveries, over %d days", outcome.orderLines,
                perStoreDay, outcome.deliveries, span)
    }
}
