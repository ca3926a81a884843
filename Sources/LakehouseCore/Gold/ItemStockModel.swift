import Foundation

/// One stock event of a store × product, as the stock model reads it.
public struct StockMovement: Sendable, Hashable {
    /// What the event says: the event contract's own type (sale, restock, stock count).
    public typealias Kind = EventType

    /// Event time, microseconds since 1970 UTC.
    public var time: Int64
    /// Whether it is a sale, a restock (delivery) or a stock count.
    public var kind: Kind
    /// Units (positive for sales and restocks; the counted units for a count).
    public var quantity: Int64

    /// A movement of `quantity` units of `kind` at `time` (microseconds since 1970 UTC).
    public init(time: Int64, kind: Kind, quantity: Int64) {
        self.time = time
        self.kind = kind
        self.quantity = quantity
    }
}

/// The figures the model derives for an item at one moment (`demand_forecast` and alerts carry them).
public struct StockFigures: Sendable, Hashable {
    /// Units on hand.
    public var onHand: Int64
    /// Forecast units per day (nil while still learning).
    public var dailyDemand: Double?
    /// Standard deviation of units per day.
    public var dailyDeviation: Double
    /// Safety stock SS = z·σ·√L, in units (0 while still learning).
    public var safetyStock: Double
    /// Reorder point d·L + SS, in units (0 while still learning).
    public var reorderPoint: Double
    /// On hand ÷ daily demand (nil without demand).
    public var daysOfCover: Double?
    /// When on hand reaches 0 at the forecast rate (nil without demand or stock).
    public var predictedStockoutTime: Int64?
    /// Units to order to reach d·(L + R) + SS.
    public var suggestedOrderQuantity: Int64
}

/// The stock model of one store × product, brought forward one movement at a time in event time:
/// on hand, the demand estimate, and the figures derived from both.
///
/// Feed movements in event-time order with ``apply(_:calendar:)``. A movement stamped before the
/// model's clock (a late event) counts in stock unless an earlier-applied count already covers
/// it, and does not move the clock. What to order and what needs a person are decided at the
/// review, from the model: ``OrderProposal`` and ``ItemAlerts``.
public struct ItemStockModel: Sendable, Hashable {
    /// Units on hand.
    public internal(set) var onHand: Int64 = 0
    /// The latest event time applied (nil before the first movement).
    public internal(set) var time: Int64?
    /// The event time of the count on hand rests on.
    public internal(set) var lastCountTime: Int64?
    /// What the model has learned of the item's daily demand.
    public internal(set) var demand = DemandEstimate()

    /// A model that has seen nothing.
    public init() {}

    /// A model restored from stored state.
    public init(onHand: Int64, time: Int64?, lastCountTime: Int64?, demand: DemandEstimate) {
        self.onHand = onHand
        self.time = time
        self.lastCountTime = lastCountTime
        self.demand = demand
    }

    /// Applies one movement. `calendar` says which days the store was closed (not learned as days
    /// without demand) and which the product was on promotion.
    public mutating func apply(_ movement: StockMovement, calendar: DemandDays = .none) {
        let day = EventTimestamp.floorDivide(movement.time, Self.dayMicros)
        let late = time.map { movement.time < $0 } ?? false
        // Out of stock only means something once stock is known (a count was applied).
        let known = lastCountTime != nil
        if !late {
            demand.stockedOutAtClose = known && onHand <= 0
            demand.advance(to: day, calendar: calendar)
            time = movement.time
        }
        let coveredByCount = lastCountTime.map { movement.time <= $0 } ?? false
        switch movement.kind {
        case .sale:
            demand.addSale(units: movement.quantity, day: day)
            if !coveredByCount { onHand -= movement.quantity }
        case .restock:
            if !coveredByCount { onHand += movement.quantity }
        case .stockCount:
            if !coveredByCount {
                onHand = movement.quantity
                lastCountTime = movement.time
            }
        }
        if onHand <= 0 && !late && lastCountTime != nil { demand.dayStockedOut = true }
    }

    /// Sets on hand to the authoritative figure (from `stock_position`).
    public mutating func reconcile(onHand units: Int64, lastCountTime count: Int64?) {
        guard time != nil else { return }
        onHand = units
        lastCountTime = count
    }

    /// The figures at `time` (the model's clock by default).
    public func figures(policy: ReplenishmentPolicy, at moment: Int64? = nil) -> StockFigures {
        let now = moment ?? time ?? 0
        guard let rate = demand.dailyDemand, demand.daysLearned >= 1 else {
            return StockFigures(
                onHand: onHand, dailyDemand: nil, dailyDeviation: 0, safetyStock: 0, reorderPoint: 0, daysOfCover: nil,
                predictedStockoutTime: nil, suggestedOrderQuantity: 0)
        }
        let sigma = demand.dailyDeviation
        let safety = policy.z * sigma * policy.leadTimeDays.squareRoot()
        let reorder = rate * policy.leadTimeDays + safety
        // Never counted: on hand is only relative, so nothing that rests on it is stated.
        guard lastCountTime != nil else {
            return StockFigures(
                onHand: onHand, dailyDemand: rate, dailyDeviation: sigma, safetyStock: safety, reorderPoint: reorder,
                daysOfCover: nil, predictedStockoutTime: nil, suggestedOrderQuantity: 0)
        }
        let cover = rate > 0 ? Double(max(onHand, 0)) / rate : nil
        // A demand that has all but vanished (a long silence decays it towards 0) leaves cover
        // beyond any horizon: no stockout is foreseen then, rather than an instant out of range.
        let stockout: Int64? =
            if let cover, onHand > 0, cover <= Self.horizonDays { now + Int64(cover * Double(Self.dayMicros)) } else {
                nil
            }
        let target = rate * (policy.leadTimeDays + policy.reviewPeriodDays) + safety
        let shortfall = (target - Double(onHand)).rounded(.up)
        let order = shortfall.isFinite ? Int64(min(max(0, shortfall), Double(Self.maximumOrder))) : 0
        return StockFigures(
            onHand: onHand, dailyDemand: rate, dailyDeviation: sigma, safetyStock: safety, reorderPoint: reorder,
            daysOfCover: cover, predictedStockoutTime: stockout, suggestedOrderQuantity: order)
    }

    static let dayMicros: Int64 = 86_400_000_000
    /// Days of cover beyond which no stockout time is stated (about 100 years).
    static let horizonDays = 36_500.0
    /// The largest order quantity stated (silver's largest quantity of an event).
    static let maximumOrder: Int64 = 1_000_000_000
}
