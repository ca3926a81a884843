import Foundation

/// The model's forecasts against a peer's: one chain run with the `model` policy, its daily
/// sales per item, and the model's incremental forecasts made from the past only, at each
/// weekly cutoff, for the item's lead time plus review period. Written as CSV for
/// `scripts/forecast_compare.py`, which fits Nixtla's statsforecast models on the same sales and
/// scores both sides the same way.
public enum ForecastExport {
    /// Writes `items.csv`, `sales.csv` and `ours.csv` to `directory`.
    ///
    /// - `items.csv`: unique_id, store_id, product_id, category, lead_time_days, review_days,
    ///   horizon (lead time + review period), service_level.
    /// - `sales.csv`: unique_id, ds (date), y (units sold), closed (1 on a day the store was shut),
    ///   censored (1 on a day the shelf was empty at some open hour: its demand is not known; days of
    ///   the warm-up are not judged and count as 0), rate (the simulator's true mean demand that day,
    ///   which no forecaster sees).
    /// - `ours.csv`: unique_id, cutoff, ds, forecast (units), then per cutoff the lead-time demand:
    ///   in `ours_ltd.csv`: unique_id, cutoff, horizon, mean, quantile (at the service level).
    /// - Parameters:
    ///   - firstCutoff: the first day (from the start) forecasts are made after; then every
    ///     `step` days while the horizon still fits in the run.
    public static func write(
        configuration: SimulationConfiguration, to directory: String, firstCutoff: Int, step: Int = 7
    ) throws {
        var chain = configuration
        chain.emitsRecords = false
        let export = Export(chain: chain)
        let calendar = DemandCalendar(catalog: export.catalog, configuration: chain)
        var simulator = StoreSimulator(
            configuration: chain, policy: ModelOrdering(calendar: calendar, startMicros: chain.startMicros))
        var ours = "unique_id,cutoff,ds,forecast\n"
        var ltd = "unique_id,cutoff,horizon,mean,quantile\n"
        let longest = export.policies.map { Int($0.leadTimeDays + $0.reviewPeriodDays) }.max() ?? 1
        while simulator.nextDay() != nil {
            let cutoff = simulator.currentDay - 1
            guard cutoff >= firstCutoff, (cutoff - firstCutoff) % step == 0, cutoff + longest < chain.days,
                let model = simulator.policy as? ModelOrdering
            else { continue }
            export.appendForecasts(of: model, cutoff: cutoff, ours: &ours, ltd: &ltd)
        }
        let items = export.items()
        let sales = export.sales(simulator.outcome, calendar: calendar)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in [("items.csv", items), ("sales.csv", sales), ("ours.csv", ours), ("ours_ltd.csv", ltd)] {
            try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }
    }

    /// The chain's items as the CSV files name them, and the rows written of each.
    private struct Export {
        let chain: SimulationConfiguration
        let catalog: StoreCatalog
        /// Each product's policy.
        let policies: [ReplenishmentPolicy]
        /// The chain's first day (days since 1970).
        let firstDay: Int64

        init(chain: SimulationConfiguration) {
            self.chain = chain
            catalog = StoreCatalog(
                stores: chain.stores, products: chain.products, seed: chain.seed, demandScale: chain.demandScale)
            policies = catalog.products.map { ReplenishmentPolicy.simulated($0) }
            firstDay = EventTimestamp.floorDivide(chain.startMicros, ItemStockModel.dayMicros)
        }

        /// The `unique_id` of an item: `<store id>/<product id>`.
        func id(_ store: Int, _ product: Int) -> String {
            "\(catalog.stores[store].id)/\(catalog.products[product].id)"
        }

        /// Day `day` of the chain as a date.
        func date(_ day: Int) -> String { SilverEvent.dateText(Int32(firstDay + Int64(day))) }

        /// Appends `model`'s forecasts made after day `cutoff` to `ours` (a row per item and
        /// day) and `ltd` (a row per item: the lead-time demand's mean and quantile).
        func appendForecasts(of model: ModelOrdering, cutoff: Int, ours: inout String, ltd: inout String) {
            for store in catalog.stores.indices {
                for product in catalog.products.indices {
                    let policy = policies[product]
                    let horizon = Int(policy.leadTimeDays + policy.reviewPeriodDays)
                    guard
                        let forecast = model.forecast(
                            store: store, product: product, after: firstDay + Int64(cutoff), days: horizon)
                    else { continue }
                    for (offset, value) in forecast.daily.enumerated() {
                        ours += "\(id(store, product)),\(date(cutoff)),\(date(cutoff + 1 + offset)),\(value)\n"
                    }
                    let mean = forecast.daily.reduce(0, +)
                    let quantile = mean + policy.z * (Double(horizon) * forecast.dailyVariance).squareRoot()
                    ltd += "\(id(store, product)),\(date(cutoff)),\(horizon),\(mean),\(quantile)\n"
                }
            }
        }

        /// `items.csv`: each item's ids, category and policy.
        func items() -> String {
            var items = "unique_id,store_id,product_id,category,lead_time_days,review_days,horizon,service_level\n"
            for store in catalog.stores.indices {
                for product in catalog.products.indices {
                    let policy = policies[product]
                    items += "\(id(store, product)),\(catalog.stores[store].id),\(catalog.products[product].id),"
                    items +=
                        "\(catalog.products[product].category),\(Int(policy.leadTimeDays)),\(Int(policy.reviewPeriodDays)),"
                    items += "\(Int(policy.leadTimeDays + policy.reviewPeriodDays)),\(policy.serviceLevel)\n"
                }
            }
            return items
        }

        /// `sales.csv`: each item's units sold every day of `outcome`, whether the store was
        /// closed or the shelf empty, and the true mean demand.
        func sales(_ outcome: SimulationOutcome, calendar: DemandCalendar) -> String {
            var sales = "unique_id,ds,y,closed,censored,rate\n"
            for store in catalog.stores.indices {
                for product in catalog.products.indices {
                    let daily = outcome.soldByDay(store: store, product: product)
                    let empty = outcome.items[store * catalog.products.count + product].emptyIntervals
                    for day in 0..<chain.days {
                        let units = day < daily.count ? daily[day] : 0
                        let censored = ForecastExport.censoredDay(day, empty: empty, chain: chain) ? 1 : 0
                        let rate = calendar.rate(store: store, product: product, day: day)
                        sales +=
                            "\(id(store, product)),\(date(day)),\(units),\(calendar.isClosed(day) ? 1 : 0),\(censored),\(rate)\n"
                    }
                }
            }
            return sales
        }
    }

    /// Whether the shelf was empty during open hours of `day` (from `empty`, the item's
    /// (start, end) pairs).
    static func censoredDay(_ day: Int, empty: [Int64], chain: SimulationConfiguration) -> Bool {
        let midnight = chain.startMicros + Int64(day) * StoreSimulator.dayMicros
        var index = 0
        while index + 1 < empty.count {
            let from = max(empty[index], midnight)
            let to = min(empty[index + 1], midnight + StoreSimulator.dayMicros)
            if from < to && chain.openMicros(from: from, to: to) > 0 { return true }
            index += 2
        }
        return false
    }
}
