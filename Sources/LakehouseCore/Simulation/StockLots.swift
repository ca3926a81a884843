/// The units of one product on one shelf. A product that keeps is a plain count; a perishable
/// one is held in lots by the last day they can be sold, and customers (and shrinkage) take the
/// oldest first.
struct StockLots: Sendable, Hashable {
    /// Units on hand.
    private(set) var units = 0
    /// Units that can be sold until a day.
    struct Lot: Sendable, Hashable {
        var lastDay: Int
        var units: Int
    }

    /// For a perishable product, oldest first.
    private(set) var lots: [Lot] = []
    let perishable: Bool

    init(perishable: Bool) { self.perishable = perishable }

    /// The lots as ``OrderPlan`` reads them, with last days relative to `today`.
    func planLots(today: Int) -> [OrderPlan.Lot] {
        guard perishable else { return [OrderPlan.Lot(lastDay: nil, units: Double(units))] }
        return lots.map { OrderPlan.Lot(lastDay: $0.lastDay - today, units: Double($0.units)) }
    }

    /// Puts `count` units on the shelf that can be sold until `lastDay` (ignored when the
    /// product keeps).
    mutating func add(_ count: Int, lastDay: Int) {
        guard count > 0 else { return }
        units += count
        guard perishable else { return }
        if let index = lots.firstIndex(where: { $0.lastDay > lastDay }) {
            lots.insert(Lot(lastDay: lastDay, units: count), at: index)
        } else if let last = lots.last, last.lastDay == lastDay {
            lots[lots.count - 1].units += count
        } else {
            lots.append(Lot(lastDay: lastDay, units: count))
        }
    }

    /// Takes up to `count` units, oldest first; returns how many were taken.
    @discardableResult
    mutating func take(_ count: Int) -> Int {
        let taken = min(max(count, 0), units)
        units -= taken
        guard perishable else { return taken }
        var left = taken
        while left > 0, !lots.isEmpty {
            let used = min(left, lots[0].units)
            lots[0].units -= used
            left -= used
            if lots[0].units == 0 { lots.removeFirst() }
        }
        return taken
    }

    /// Removes the units whose last sale day is `day` or earlier; returns how many.
    mutating func expire(through day: Int) -> Int {
        guard perishable else { return 0 }
        var wasted = 0
        while let first = lots.first, first.lastDay <= day {
            wasted += first.units
            lots.removeFirst()
        }
        units -= wasted
        return wasted
    }
}
