import Foundation

/// Plain-text renderings of gold's reports, as the `gold` executable prints them.
public enum GoldText {
    /// A table of open alerts.
    public static func alerts(_ alerts: [OpenStockAlert]) -> String {
        guard !alerts.isEmpty else { return "no open alerts" }
        var lines = ["kind                store      product  on hand  cover  runs out          order  product name"]
        for alert in alerts {
            let cover = alert.daysOfCover.map { String(format: "%5.1fd", $0) } ?? "     -"
            let out = alert.predictedStockoutTime.map { String(EventTimestamp.format(micros: $0).prefix(16)) } ?? "-"
            lines.append(
                "\(pad(alert.kind.rawValue, 19)) \(pad(alert.storeID, 10)) \(pad(alert.productID, 8)) "
                    + "\(left(String(alert.onHand), 7)) \(cover) \(pad(out, 17)) \(left(String(alert.suggestedOrderQuantity), 5))  "
                    + alert.productName)
        }
        return lines.joined(separator: "\n")
    }

    /// The pipeline's counts.
    public static func summary(_ summary: GoldSummary) -> String {
        var lines = ["events in silver, by type:"]
        lines += summary.eventsByType.map { "  \(pad($0.type, 28)) \(left(String($0.count), 9))" }
        lines.append("quarantined, by reason:")
        lines += summary.quarantinedByReason.map { "  \(pad($0.reason, 28)) \(left(String($0.count), 9))" }
        lines.append("duplicates removed:            \(left(String(summary.duplicates), 9))")
        lines.append("open alerts, by kind:")
        lines += summary.openAlertsByKind.map { "  \(pad($0.kind, 28)) \(left(String($0.count), 9))" }
        return lines.joined(separator: "\n")
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

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
