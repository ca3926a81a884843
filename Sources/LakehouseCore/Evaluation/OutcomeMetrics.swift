/// The figures a retailer judges replenishment by, computed from simulated shelves.
///
/// Rates are ratios of sums over the items (out-of-stock hours over open hours, units sold over
/// units wanted); amounts are per simulation run (the mean over the runs pooled). Money is in the
/// catalog's currency units, inventory and waste at cost, lost sales at the shelf price.
public struct OutcomeMetrics: Sendable, Hashable {
    /// Share of open store × product hours with an empty shelf.
    public var outOfStockRate: Double
    /// Units sold ÷ units customers wanted.
    public var fillRate: Double
    /// Units customers wanted and did not get because the shelf was empty, per run.
    public var lostUnits: Double
    /// The lost units' value at the shelf price, per run, in the catalog's currency.
    public var lostValue: Double
    /// Average stock on hand at cost, per run, in the catalog's currency.
    public var inventoryValue: Double
    /// Average stock as days of the true mean demand; both are valued at cost, so dearer items weigh more.
    public var daysOfCover: Double
    /// Units wasted past their shelf life, per run.
    public var wasteUnits: Double
    /// The wasted units' cost, per run, in the catalog's currency.
    public var wasteValue: Double
    /// Share of item-days that ended above the category's maximum days of cover.
    public var overstockShare: Double

    /// The metrics of `items`, pooled from `runs` runs that each lasted `days` days.
    public init<Items: Collection<SimulationOutcome.Item>>(items: Items, runs: Int, days: Int) {
        var open: Int64 = 0
        var empty: Int64 = 0
        var wanted: Int64 = 0
        var sold: Int64 = 0
        var lostValue: Int64 = 0
        var stockCost = 0.0
        var demandCost = 0.0
        var wasteUnits: Int64 = 0
        var wasteCost: Int64 = 0
        var overstock = 0
        let span = Double(days) * Double(StoreSimulator.dayMicros)
        for item in items {
            open += item.openMicros
            empty += item.emptyOpenMicros
            wanted += item.wantedUnits
            sold += item.soldUnits
            lostValue += item.lostValueCents
            stockCost += item.unitMicros / span * Double(item.unitCostCents)
            demandCost += item.meanDailyDemand * Double(item.unitCostCents)
            wasteUnits += item.wasteUnits
            wasteCost += item.wasteCostCents
            overstock += item.overstockDays
        }
        let perRun = 1 / Double(max(runs, 1))
        outOfStockRate = open > 0 ? Double(empty) / Double(open) : 0
        fillRate = wanted > 0 ? Double(sold) / Double(wanted) : 1
        lostUnits = Double(wanted - sold) * perRun
        self.lostValue = Double(lostValue) / 100 * perRun
        inventoryValue = stockCost / 100 * perRun
        daysOfCover = demandCost > 0 ? stockCost / demandCost : 0
        self.wasteUnits = Double(wasteUnits) * perRun
        wasteValue = Double(wasteCost) / 100 * perRun
        overstockShare = items.isEmpty ? 0 : Double(overstock) / Double(items.count * max(days, 1))
    }

    /// The metrics by name, in report order.
    public var named: [(name: String, value: Double)] {
        [
            ("oos_rate", outOfStockRate), ("fill_rate", fillRate), ("lost_units", lostUnits),
            ("lost_value", lostValue), ("inventory_value", inventoryValue), ("days_of_cover", daysOfCover),
            ("waste_units", wasteUnits), ("waste_value", wasteValue), ("overstock_share", overstockShare),
        ]
    }
}

/// A point estimate with a bootstrap 95 % interval.
public struct Estimate: Sendable, Hashable {
    /// The statistic on the full sample.
    public var value: Double
    /// The interval's lower end, the 2.5th percentile of the resamples (NaN when no resample had a value).
    public var low: Double
    /// The interval's upper end, the 97.5th percentile of the resamples (NaN when no resample had a value).
    public var high: Double

    /// An estimate of `value` with the interval `low`…`high`.
    public init(value: Double, low: Double, high: Double) {
        self.value = value
        self.low = low
        self.high = high
    }
}

/// Bootstrap intervals over items: resamples the items (store × product × seed) with
/// replacement, recomputes a statistic, and takes the 2.5th and 97.5th percentiles.
package enum Bootstrap {
    /// The estimate of `statistic` on indices `0..<count`, with `resamples` resamples from `seed`.
    package static func estimate(
        count: Int, resamples: Int = 1000, seed: UInt64 = 1, _ statistic: ([Int]) -> Double
    ) -> Estimate {
        let all = Array(0..<count)
        let value = statistic(all)
        guard count > 1, resamples > 1 else { return Estimate(value: value, low: value, high: value) }
        var random = SeededRandom(seed: seed, stream: 99)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var sample = [Int](repeating: 0, count: count)
        for _ in 0..<resamples {
            for index in 0..<count { sample[index] = Int(random.next() % UInt64(count)) }
            // A resample whose statistic is not a number (a zero denominator) is left out.
            let resampled = statistic(sample)
            if resampled.isFinite { values.append(resampled) }
        }
        guard !values.isEmpty else { return Estimate(value: value, low: .nan, high: .nan) }
        values.sort()
        return Estimate(value: value, low: percentile(values, 0.025), high: percentile(values, 0.975))
    }

    /// The `p` quantile of sorted `values`, interpolating linearly.
    package static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let position = p * Double(values.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, values.count - 1)
        return values[low] + (values[high] - values[low]) * (position - Double(low))
    }
}
