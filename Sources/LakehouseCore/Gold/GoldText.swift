import Foundation

/// Plain-text renderings of gold's reports, as the `gold` executable prints them.
public enum GoldText {
    /// A table of open alerts, each column as wide as its widest value; product names and ids
    /// escaped (they come from the stream).
    public static func alerts(_ alerts: [OpenStockAlert]) -> String {
        guard !alerts.isEmpty else { return "no open alerts" }
        let rows = alerts.map { alert in
            [
                alert.kind.rawValue, alert.storeID, alert.productID, String(alert.onHand),
                alert.daysOfCover.map { String(format: "%.1fd", $0) } ?? "-",
                alert.predictedStockoutTime.map { String(EventTimestamp.format(micros: $0).prefix(16)) } ?? "-",
                String(alert.suggestedOrderQuantity), alert.productName,
            ]
        }
        return TerminalText.table(
            ["kind", "store", "product", "on hand", "cover", "runs out", "order", "product name"], rows,
            alignments: [.left, .left, .left, .right, .right, .left, .right, .left])
    }

    /// The pipeline's counts, in aligned sections.
    public static func summary(_ summary: GoldSummary) -> String {
        var rows: [[String]] = [["events in silver, by type:", ""]]
        rows += summary.eventsByType.map { ["  " + $0.type, String($0.count)] }
        rows.append(["quarantined, by reason:", ""])
        rows += summary.quarantinedByReason.map { ["  " + $0.reason, String($0.count)] }
        rows.append(["duplicates removed:", String(summary.duplicates)])
        rows.append(["open alerts, by kind:", ""])
        rows += summary.openAlertsByKind.map { ["  " + $0.kind, String($0.count)] }
        rows.append(["items (store × product):", String(summary.items)])
        rows.append(["  never counted (stock unknown)", String(summary.neverCounted)])
        rows.append(["  last count over \(summary.countAgeDays) days old", String(summary.countOlderThanDays)])
        // The header row is the first section's title.
        return TerminalText.table(rows[0], Array(rows.dropFirst()), alignments: [.left, .right])
    }

    /// The evaluation's scores and the targets.
    public static func evaluation(_ evaluation: GoldEvaluation) -> String {
        var lines = [
            "alert quality against the ground truth (caught: an alert open 12 h before the stockout began;"
                + " confirmed: a stockout within the lead time after the alert opened)"
        ]
        for kind in StockAlertKind.predictive {
            if let scores = evaluation.kinds[kind] { lines.append("  \(scores)") }
        }
        lines.append("  \(evaluation.baseline)")
        if let predicted = evaluation.kinds[.stockoutPredicted] {
            lines.append(
                String(
                    format:
                        "targets for STOCKOUT_PREDICTED: recall %.3f (≥ %.2f), precision %.3f (≥ %.2f), F1 %.3f vs baseline %.3f: %@",
                    predicted.recall, GoldEvaluation.recallTarget, predicted.precision, GoldEvaluation.precisionTarget,
                    predicted.f1, evaluation.baseline.f1, evaluation.meetsTargets ? "met" : "not met"))
        }
        return lines.joined(separator: "\n")
    }
}
