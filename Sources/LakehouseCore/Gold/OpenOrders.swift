/// The orders of one store × product that were placed and have not arrived, as gold tracks them
/// from its own proposals: a delivery (`restock`) closes the oldest, whether it brought all that
/// was ordered or not, and an order not delivered within its lead time plus
/// ``giveUpDays`` is taken as never coming.
public struct OpenOrders: Sendable, Hashable {
    /// One order: the day it was placed (days since 1970 UTC) and its units.
    public struct Line: Sendable, Hashable {
        /// The day it was placed (for ``RecentDeliveries``, delivered): days since 1970 UTC.
        public var day: Int64
        /// Units ordered (for ``RecentDeliveries``, delivered).
        public var units: Int64
    }

    /// Oldest first.
    public private(set) var lines: [Line] = []

    /// Days past the lead time after which an order still open is dropped.
    public static let giveUpDays: Int64 = 3

    /// Open orders `lines`, oldest first (as gold reads them back from `order_line`); none by default.
    public init(lines: [Line] = []) { self.lines = lines }

    /// Units ordered and not delivered.
    public var units: Int64 { lines.reduce(0) { $0 + $1.units } }

    /// Records an order placed on `day`.
    public mutating func place(units: Int64, day: Int64) {
        guard units > 0 else { return }
        lines.append(Line(day: day, units: units))
    }

    /// A delivery arrived: the oldest order is closed.
    public mutating func receive() {
        if !lines.isEmpty { lines.removeFirst() }
    }

    /// Drops the orders placed more than the lead time plus ``giveUpDays`` before `day`.
    public mutating func expire(day: Int64, leadTimeDays: Double) {
        let limit = Int64(leadTimeDays.rounded(.up)) + Self.giveUpDays
        lines.removeAll { day - $0.day > limit }
    }
}

extension OpenOrders {
    /// The open orders as ``OrderPlan`` reads them: each due its lead time after it was placed
    /// (moved past closed days), an overdue one tomorrow.
    public func arrivals(today: Int64, leadTimeDays: Double, closedDays: Set<Int>) -> [OrderPlan.Arrival] {
        lines.map { line in
            var due = Int(line.day - today) + Int(leadTimeDays.rounded())
            while closedDays.contains(due) { due += 1 }
            return OrderPlan.Arrival(day: max(due, 1), units: Double(line.units))
        }
    }
}

/// The deliveries of one store × product over the last days, which tell how old the units on
/// hand of a perishable product are: units are sold oldest first, so those on hand are the
/// newest delivered, and any beyond the recent deliveries are older.
public struct RecentDeliveries: Sendable, Hashable {
    /// (day since 1970, units), oldest first.
    public private(set) var entries: [OpenOrders.Line] = []

    /// No deliveries recorded.
    public init() {}

    /// Records a delivery on `day`, forgetting those older than `keepDays`.
    public mutating func add(day: Int64, units: Int64, keepDays: Int64) {
        guard keepDays > 0 else { return }
        entries.append(OpenOrders.Line(day: day, units: units))
        entries.removeAll { day - $0.day >= keepDays }
    }

    /// `onHand` units as lots by their last sale day (relative to `today`): the newest
    /// deliveries first; what remains is taken to go tomorrow. Non-perishables are one lot.
    public func lots(onHand: Int64, today: Int64, shelfLifeDays: Int?) -> [OrderPlan.Lot] {
        guard let life = shelfLifeDays, life > 0 else {
            return [OrderPlan.Lot(lastDay: nil, units: Double(max(onHand, 0)))]
        }
        var left = max(onHand, 0)
        var lots: [OrderPlan.Lot] = []
        for entry in entries.reversed() where left > 0 {
            let lastDay = Int(entry.day - today) + life - 1
            guard lastDay >= 1 else { continue }
            let units = min(left, entry.units)
            lots.append(OrderPlan.Lot(lastDay: lastDay, units: Double(units)))
            left -= units
        }
        if left > 0 { lots.append(OrderPlan.Lot(lastDay: 1, units: Double(left))) }
        return lots.reversed()
    }
}
