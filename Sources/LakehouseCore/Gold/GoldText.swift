import Foundation

/// Plain-text renderings of gold's reports, as the `gold` executable prints them.
public enum GoldText {
    /// A table of open alerts as the stores see them, each column as wide as its widest value;
    /// product names and ids escaped (they come from the stream). A mark-down list shows its
    /// length where an item shows its product.
    public static func alerts(_ alerts: [OpenStockAlert]) -> String {
        guard !alerts.isEmpty else { return "no open alerts" }
        let rows = alerts.map { alert in
            [
                alert.kind.rawValue, alert.storeID,
                alert.productID ?? (alert.items == 1 ? "1 item" : "\(alert.items) items"),
                alert.onHand.map(String.init) ?? "-",
                String(EventTimestamp.format(micros: alert.openedAt).prefix(16)), alert.productName ?? "mark-down list",
                alert.reason,
            ]
        }
        return TerminalText.table(
            ["kind", "store", "product", "on hand", "opened", "product name", "why, and what to do"], rows,
            alignments: [.left, .left, .left, .right, .left, .left, .left])
    }

    /// A table of mark-down lines, each column as wide as its widest value.
    public static func markdowns(_ lines: [MarkdownLine]) -> String {
        guard !lines.isEmpty else { return "nothing to mark down" }
        let rows = lines.map { line in
            [
                line.storeID, line.productID, line.category, String(line.onHand),
                String(format: "%.1f", line.unitsToSpoil), String(format: "%.2f", line.valueToSpoil),
                String(EventTimestamp.format(micros: line.openedAt).prefix(16)), line.productName,
            ]
        }
        return TerminalText.table(
            ["store", "product", "category", "on hand", "to spoil", "value", "listed", "product name"], rows,
            alignments: [.left, .left, .left, .right, .right, .right, .left, .left])
    }

    /// The pipeline's counts, in aligned sections.
    public static func summary(_ summary: GoldSummary) -> String {
        var rows: [[String]] = [["events in silver, by type:", ""]]
        rows += summary.eventsByType.map { ["  " + $0.type, String($0.count)] }
        rows.append(["quarantined, by reason:", ""])
        rows += summary.quarantinedByReason.map { ["  " + $0.reason, String($0.count)] }
        rows.append(["duplicates removed:", String(summary.duplicates)])
        rows.append(["open item alerts, by kind:", ""])
        rows += summary.openAlertsByKind.map { ["  " + $0.kind, String($0.count)] }
        // Alerts as the stores saw them, with the item alerts behind them in brackets.
        func rate(_ alerts: Int64, _ items: Int64, _ days: Int64) -> String {
            String(format: "%.2f (%.2f item alerts)", Double(alerts) / Double(days), Double(items) / Double(days))
        }
        if summary.storeDays > 0 {
            rows.append([
                "alerts opened per store-day (a mark-down list once on a day it grows):",
                rate(summary.alertsOpened, summary.itemAlertsOpened, summary.storeDays),
            ])
        }
        if summary.orderedStoreDays > 0 {
            rows.append([
                "  on the \(summary.orderedStoreDays) store-days that ordered the proposal:",
                rate(summary.alertsOnOrderedDays, summary.itemAlertsOnOrderedDays, summary.orderedStoreDays),
            ])
            for day in summary.alertsByOrderedDay where day.stores > 0 {
                rows.append([
                    "    \(SilverEvent.dateText(Int32(day.day))) (\(day.stores) stores)",
                    rate(day.alerts, day.items, day.stores),
                ])
            }
        }
        rows.append(["items (store × product):", String(summary.items)])
        rows.append(["  never counted (stock unknown)", String(summary.neverCounted)])
        rows.append(["  last count over \(summary.countAgeDays) days old", String(summary.countOlderThanDays)])
        // The header row is the first section's title.
        return TerminalText.table(rows[0], Array(rows.dropFirst()), alignments: [.left, .right])
    }

    /// A store's order proposal lines, each column as wide as its widest value.
    public static func proposal(_ lines: [OrderProposalLine]) -> String {
        guard !lines.isEmpty else { return "no order proposal yet (gold drafts one per store at each refresh)" }
        let rows = lines.map { line in
            [
                line.storeID, SilverEvent.dateText(Int32(line.reviewDay)), line.reviewStatus, line.productID,
                String(line.quantity), line.cases.map(String.init) ?? "-", String(line.onHand), String(line.onOrder),
                String(format: "%.2f", line.stockoutRisk), line.productName,
            ]
        }
        return TerminalText.table(
            ["store", "day", "status", "product", "order", "cases", "on hand", "on order", "risk", "product name"],
            rows, alignments: [.left, .left, .left, .left, .right, .right, .right, .right, .right, .left])
    }
}
