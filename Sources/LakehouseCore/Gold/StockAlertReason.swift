import Foundation

/// The sentence an alert carries: what holds, with the figures that justify it.
enum StockAlertReason {
    static func text(kind: StockAlertKind, figures: StockFigures) -> String {
        let demand =
            figures.dailyDemand.map { String(format: "%.2f/day (σ %.2f)", $0, figures.dailyDeviation) }
            ?? "not yet known"
        let cover = figures.daysOfCover.map { String(format: "%.1f days of cover", $0) } ?? "no cover estimate"
        let stockout = figures.predictedStockoutTime.map {
            "runs out about \(EventTimestamp.format(micros: $0).prefix(16))Z"
        }
        switch kind {
        case .outOfStock:
            return "\(figures.onHand) on hand; demand \(demand); order \(figures.suggestedOrderQuantity)"
        case .belowSafetyStock:
            return String(
                format: "%lld on hand < safety stock %.1f; demand %@; order %lld", figures.onHand, figures.safetyStock,
                demand, figures.suggestedOrderQuantity)
        case .reorderNow:
            return String(
                format: "%lld on hand <= reorder point %.1f; demand %@; order %lld", figures.onHand,
                figures.reorderPoint,
                demand, figures.suggestedOrderQuantity)
        case .stockoutPredicted:
            return
                "\(figures.onHand) on hand, \(cover); demand \(demand); \(stockout ?? "runs out soon"); order \(figures.suggestedOrderQuantity)"
        case .overstock:
            return "\(figures.onHand) on hand, \(cover); demand \(demand)"
        }
    }
}
