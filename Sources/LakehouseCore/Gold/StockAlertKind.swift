/// What a stock alert warns about.
public enum StockAlertKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Nothing on hand.
    case outOfStock = "OUT_OF_STOCK"
    /// On hand, but below the safety stock z·σ·√L.
    case belowSafetyStock = "BELOW_SAFETY_STOCK"
    /// At or below the reorder point d·L + SS: an order placed now arrives as the safety stock is
    /// reached.
    case reorderNow = "REORDER_NOW"
    /// The stock will likely run out before a delivery ordered now could arrive (see
    /// ``ItemStockModel/stockoutHorizonDays``).
    case stockoutPredicted = "STOCKOUT_PREDICTED"
    /// More days of cover than the policy's maximum.
    case overstock = "OVERSTOCK"

    /// How urgent the kind is, most urgent first (0).
    public var urgencyRank: Int {
        switch self {
        case .outOfStock: 0
        case .stockoutPredicted: 1
        case .belowSafetyStock: 2
        case .reorderNow: 3
        case .overstock: 4
        }
    }

    /// The kinds that warn ahead of a stockout, which `gold evaluate` scores against the truth.
    public static let predictive: [StockAlertKind] = [.stockoutPredicted, .belowSafetyStock, .reorderNow]
}
