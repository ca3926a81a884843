/// What a stock alert asks a person to look at, most urgent first (`v_open_alerts.urgency_rank`
/// ranks them in this order). The order proposal handles everything else: an
/// item running low is ordered, not alerted.
public enum StockAlertKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The shelf ran empty although the last review put the risk below ``unexpectedBelow`` and no
    /// delivery comes by the morning the store next opens: phantom stock, theft, a sudden run on
    /// the item. Held while
    /// the shelf stays empty.
    case unexpectedStockout = "UNEXPECTED_STOCKOUT"
    /// Even with tonight's order, the shelf likely runs empty before the next delivery (risk ≥
    /// ``riskOpens``) and stays empty for at least ``shortDays`` of expected demand: a transfer or
    /// an extra delivery. Held while the risk is ≥ ``riskHolds`` and some demand goes unmet.
    case stockoutRisk = "STOCKOUT_RISK"
    /// A perishable will spoil ``spoilingCases`` cases or more, and half its stock, before it
    /// sells: mark it down. Held while any unit is still expected to spoil.
    case perishableOverstock = "PERISHABLE_OVERSTOCK"

    /// An empty shelf is unexpected when the last review stated a risk below this.
    public static let unexpectedBelow = 0.2
    /// `STOCKOUT_RISK` opens at this risk or above: 0.5.
    public static let riskOpens = 0.5
    /// An open `STOCKOUT_RISK` holds while the risk stays at or above this: 0.25.
    public static let riskHolds = 0.25
    /// Days of expected demand that must go unmet for `STOCKOUT_RISK` to open.
    public static let shortDays = 0.5
    /// Cases that must be expected to spoil for `PERISHABLE_OVERSTOCK` to open.
    public static let spoilingCases: Int64 = 2
}
