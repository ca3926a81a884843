import Foundation

/// One stock event of a store × product, as the stock model reads it.
public struct StockMovement: Sendable, Hashable {
    /// What the event says: the event contract's own type (sale, restock, stock count).
    public typealias Kind = EventType

    /// Event time, microseconds since 1970 UTC.
    public var time: Int64
    public var kind: Kind
    /// Units (positive for sales and restocks; the counted units for a count).
    public var quantity: Int64

    public init(time: Int64, kind: Kind, quantity: Int64) {
        self.time = time
        self.kind = kind
        self.quantity = quantity
    }
}

/// The figures the model derives for an item at one moment; alerts carry them.
public struct StockFigures: Sendable, Hashable {
    /// Units on hand.
    public var onHand: Int64
    /// Forecast units per day, and its standard deviation (nil while still learning).
    public var dailyDemand: Double?
    public var dailyDeviation: Double
    /// z·σ·√L, and d·L + SS (0 while still learning).
    public var safetyStock: Double
    public var reorderPoint: Double
    /// On hand ÷ daily demand (nil without demand).
    public var daysOfCover: Double?
    /// When on hand reaches 0 at the forecast rate (nil without demand or stock).
    public var predictedStockoutTime: Int64?
    /// Units to order to reach d·(L + R) + SS.
    public var suggestedOrderQuantity: Int64
}

/// A change to one alert of an item, in event time.
public struct AlertTransition: Sendable, Hashable {
    public enum Change: String, Sendable, Hashable {
        case opened, updated, resolved
    }

    public var kind: StockAlertKind
    public var change: Change
    /// The event time of the movement that caused it.
    public var time: Int64
    /// The figures at that moment.
    public var figures: StockFigures
}

/// The stock model of one store × product, brought forward one movement at a time in event time:
/// on hand, the demand estimate, the figures derived from both, and which alerts are open.
///
/// Feed movements in event-time order with ``apply(_:policy:)``; each returns the alerts it
/// opened, updated (its figures changed) and resolved. A movement stamped before the model's
/// clock (a late event) counts in stock unless an earlier-applied count already covers it, and
/// does not move the clock.
public struct ItemStockModel: Sendable, Hashable {
    /// How far ahead `STOCKOUT_PREDICTED` looks, in days (the lead time when shorter): about the
    /// time until a delivery ordered at tonight's review arrives. Further out, `REORDER_NOW` and
    /// the days of cover speak.
    public static let stockoutHorizonDays = 1.0
    /// The risk of running out within the horizon at which `STOCKOUT_PREDICTED` opens.
    public static let stockoutRisk = 0.1
    /// An open `STOCKOUT_PREDICTED` holds while the risk stays above this share of
    /// ``stockoutRisk`` (hysteresis: a day's new estimate does not close and reopen it).
    public static let holdShare = 0.5
    /// Whole days of demand learned before alerts that need a forecast (all but `OUT_OF_STOCK`)
    /// are raised.
    public static let warmUpDays: Int64 = 2

    /// Units on hand.
    public internal(set) var onHand: Int64 = 0
    /// The latest event time applied (nil before the first movement).
    public internal(set) var time: Int64?
    /// The event time of the count on hand rests on.
    public internal(set) var lastCountTime: Int64?
    public internal(set) var demand = DemandEstimate()
    /// The open alerts and the figures they were last written with.
    public internal(set) var openAlerts: [StockAlertKind: StockFigures] = [:]

    /// A model that has seen nothing.
    public init() {}

    /// A model restored from stored state.
    public init(
        onHand: Int64, time: Int64?, lastCountTime: Int64?, demand: DemandEstimate,
        openAlerts: [StockAlertKind: StockFigures]
    ) {
        self.onHand = onHand
        self.time = time
        self.lastCountTime = lastCountTime
        self.demand = demand
        self.openAlerts = openAlerts
    }

    /// Applies one movement and returns the alert changes it causes. `calendar` says which days
    /// the store was closed (not learned as days without demand) and which the product was on
    /// promotion.
    public mutating func apply(
        _ movement: StockMovement, policy: ReplenishmentPolicy, calendar: DemandDays = .none
    ) -> [AlertTransition] {
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
        return evaluate(at: max(movement.time, time ?? movement.time), policy: policy)
    }

    /// Sets on hand to the authoritative figure (from `stock_position`) and re-evaluates alerts.
    public mutating func reconcile(onHand units: Int64, lastCountTime count: Int64?, policy: ReplenishmentPolicy)
        -> [AlertTransition]
    {
        guard units != onHand || count != lastCountTime, let time else { return [] }
        onHand = units
        lastCountTime = count
        return evaluate(at: time, policy: policy)
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
        let stockout: Int64? =
            if let cover, onHand > 0 { now + Int64(cover * Double(Self.dayMicros)) } else { nil }
        let target = rate * (policy.leadTimeDays + policy.reviewPeriodDays) + safety
        let order = max(0, Int64((target - Double(onHand)).rounded(.up)))
        return StockFigures(
            onHand: onHand, dailyDemand: rate, dailyDeviation: sigma, safetyStock: safety, reorderPoint: reorder,
            daysOfCover: cover, predictedStockoutTime: stockout, suggestedOrderQuantity: order)
    }

    /// Which alert kinds hold for `figures`: none while the item was never counted (its stock
    /// is unknown: a sales-only stream knows what was sold, not what is on the shelf).
    public func conditions(_ figures: StockFigures, policy: ReplenishmentPolicy) -> Set<StockAlertKind> {
        var kinds: Set<StockAlertKind> = []
        guard lastCountTime != nil else { return kinds }
        if figures.onHand <= 0 { kinds.insert(.outOfStock) }
        let risk = Self.stockoutProbability(
            figures.onHand, distribution: demand.rateDistribution,
            days: min(policy.leadTimeDays, Self.stockoutHorizonDays))
        let bar = openAlerts[.stockoutPredicted] == nil ? Self.stockoutRisk : Self.stockoutRisk * Self.holdShare
        if figures.onHand > 0 && risk >= bar { kinds.insert(.stockoutPredicted) }
        guard demand.daysLearned >= Self.warmUpDays, let rate = figures.dailyDemand else { return kinds }
        let units = Double(figures.onHand)
        if figures.onHand > 0 && units < figures.safetyStock { kinds.insert(.belowSafetyStock) }
        if units <= figures.reorderPoint && rate > 0 { kinds.insert(.reorderNow) }
        if let cover = figures.daysOfCover, cover > policy.maxDaysOfCover, rate > 0 { kinds.insert(.overstock) }
        return kinds
    }

    /// The probability that demand over `days` reaches `units`: Poisson demand whose rate follows
    /// `distribution` (a Gamma), that is negative binomial demand.
    static func stockoutProbability(_ units: Int64, distribution: (shape: Double, rate: Double), days: Double)
        -> Double
    {
        guard units > 0 else { return 1 }
        guard days > 0, distribution.shape > 0 else { return 0 }
        let success = distribution.rate / (distribution.rate + days)
        // P(D >= units) = 1 - P(D <= units - 1), P(D = 0) = p^shape, then the ratio recurrence.
        var term = exp(distribution.shape * log(success))
        var below = term
        var k = 0.0
        while k + 1 < Double(units) {
            term *= (distribution.shape + k) / (k + 1) * (1 - success)
            below += term
            k += 1
            if below >= 1 { break }
        }
        return max(0, 1 - below)
    }

    private mutating func evaluate(at moment: Int64, policy: ReplenishmentPolicy) -> [AlertTransition] {
        let current = figures(policy: policy, at: moment)
        let holding = conditions(current, policy: policy)
        var changes: [AlertTransition] = []
        for kind in StockAlertKind.allCases {
            let isOpen = openAlerts[kind] != nil
            if holding.contains(kind) {
                if !isOpen {
                    openAlerts[kind] = current
                    changes.append(AlertTransition(kind: kind, change: .opened, time: moment, figures: current))
                } else if openAlerts[kind] != current {
                    openAlerts[kind] = current
                    changes.append(AlertTransition(kind: kind, change: .updated, time: moment, figures: current))
                }
            } else if isOpen {
                openAlerts[kind] = nil
                changes.append(AlertTransition(kind: kind, change: .resolved, time: moment, figures: current))
            }
        }
        return changes
    }

    static let dayMicros: Int64 = 86_400_000_000
}
