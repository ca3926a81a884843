import Foundation

extension ReplenishmentReport {
    /// One table of the report.
    public struct Table: Sendable {
        /// The table's heading (a Markdown `###` heading, or the line above a terminal table).
        public var title: String
        /// Column names; the first names the row labels (policy or category).
        public var header: [String]
        /// Formatted cells, one array per row, as many as ``header`` has columns.
        public var rows: [[String]]
        /// Columns after the first are numbers, right-aligned.
        public var numeric = true

        /// For a terminal: aligned columns.
        public var terminal: String {
            let alignments: [TerminalText.Alignment] =
                [.left] + Array(repeating: numeric ? .right : .left, count: max(header.count - 1, 0))
            return title + "\n" + TerminalText.table(header, rows, alignments: alignments)
        }

        /// As GitHub Markdown.
        public var markdown: String {
            let line = { (cells: [String]) in
                "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
            }
            let rule = "|" + header.indices.map { $0 == 0 || !numeric ? "---|" : "---:|" }.joined()
            return "### \(title)\n\n" + ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
        }
    }

    /// A target and whether it holds.
    public struct Target: Sendable {
        /// The target as the report states it (`model out-of-stock rate ≤ 2 %`).
        public var name: String
        /// What was measured, formatted with its interval or the figures it rests on.
        public var value: String
        /// Whether the target holds; the ratios to `naive` and `seed-rule` must hold over their whole 95 % interval.
        public var met: Bool
    }

    static func percent(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f %%", value * 100) }
    static func money(_ value: Double) -> String { String(format: "%.0f", value) }
    static func interval(_ estimate: Estimate?, _ format: (Double) -> String) -> String {
        guard let estimate else { return "-" }
        return "\(format(estimate.value)) [\(format(estimate.low)), \(format(estimate.high))]"
    }

    /// The model's results.
    var model: PolicyResult? { results.first { $0.policy == "model" } }
    func result(_ name: String) -> PolicyResult? { results.first { $0.policy == name } }

    /// Alerts a store sees per day under the model (a mark-down list counts once a day).
    public var alertsPerStoreDay: Double { model?.seenAlertsPerStoreDay ?? 0 }

    /// The targets of the closed-loop evaluation (forecast quality is judged apart).
    public var targets: [Target] {
        guard let model, let naive = result("naive") else { return [] }
        let oos = model.overall["oos_rate"]?.value ?? 1
        let inventory = inventoryOverNaive.value
        let waste = wasteOverNaive.value
        return [
            Target(name: "model out-of-stock rate ≤ 2 %", value: Self.percent(oos), met: oos <= 0.02),
            Target(
                name: "model average inventory ≤ naive's",
                value: String(
                    format: "%.3f × naive's [%.3f, %.3f]", inventory, inventoryOverNaive.low, inventoryOverNaive.high),
                met: inventoryOverNaive.high <= 1),
            Target(
                name: "model waste ≤ naive's",
                value: String(format: "%.3f × naive's [%.3f, %.3f]", waste, wasteOverNaive.low, wasteOverNaive.high),
                met: wasteOverNaive.high <= 1),
            Target(
                name: "lost sales ≤ 0.5 × seed-rule's",
                value: String(
                    format: "seed-rule loses %.2f × the model's [%.2f, %.2f]", seedRuleLostOverModel.value,
                    seedRuleLostOverModel.low, seedRuleLostOverModel.high), met: seedRuleLostOverModel.low >= 2),
            Target(
                name: "lost sales ≤ 0.5 × naive's",
                value: String(
                    format: "naive loses %.2f × the model's [%.2f, %.2f]", naiveLostOverModel.value,
                    naiveLostOverModel.low,
                    naiveLostOverModel.high), met: naiveLostOverModel.low >= 2),
            Target(
                name: "lost sales ≤ 1.25 × oracle's at equal inventory",
                value: String(
                    format: "%.3f × (model %@ vs oracle %@ at %@ inventory)", modelLostOverOracle,
                    Self.money(model.overall["lost_value"]?.value ?? 0), Self.money(oracleLostAtModelInventory),
                    Self.money(model.overall["inventory_value"]?.value ?? 0)),
                met: modelInsideOracleFrontier && modelLostOverOracle.isFinite && modelLostOverOracle <= 1.25),
            Target(
                name: "expected calibration error ≤ 0.03",
                value: String(format: "%.4f over %d risks", calibration.expectedCalibrationError, calibration.judged),
                met: calibration.expectedCalibrationError <= 0.03),
            Target(
                name: "≤ 5 alerts per store per day",
                value: String(
                    format: "%.2f, mark-downs as one list (%.2f item alerts; naive orders %.1f lines a store-day)",
                    alertsPerStoreDay, model.alertsPerStoreDay?.values.reduce(0, +) ?? 0, naive.ordersPerStoreDay),
                met: alertsPerStoreDay <= 5),
        ]
    }

    /// The report's tables, in order.
    public var tables: [Table] {
        [outcomesTable] + categoryTables + [frontierTable, calibrationTable] + (alertsTable.map { [$0] } ?? [])
            + [targetsTable]
    }

    /// Every policy's outcomes overall, with their intervals.
    private var outcomesTable: Table {
        Table(
            title:
                "Outcomes per policy (\(stores) stores × \(products) products × \(measuredDays) days, \(seeds.count) seeds; 95 % bootstrap intervals; money per run)",
            header: [
                "policy", "out of stock", "fill rate", "lost sales", "avg inventory", "days of cover",
                "waste units",
                "waste value", "overstock days", "orders/store-day", "deliveries/store-day", "alerts/store-day",
            ],
            rows: results.map { result in
                let o = result.overall
                return [
                    result.policy, Self.interval(o["oos_rate"]) { Self.percent($0) },
                    Self.interval(o["fill_rate"]) { Self.percent($0, 1) },
                    Self.interval(o["lost_value"], Self.money), Self.interval(o["inventory_value"], Self.money),
                    String(format: "%.2f", o["days_of_cover"]?.value ?? 0),
                    Self.interval(o["waste_units"], Self.money), Self.interval(o["waste_value"], Self.money),
                    Self.percent(o["overstock_share"]?.value ?? 0, 1),
                    String(format: "%.1f", result.ordersPerStoreDay),
                    String(format: "%.1f", result.deliveriesPerStoreDay),
                    result.seenAlertsPerStoreDay.map { String(format: "%.2f", $0) } ?? "-",
                ]
            })
    }

    /// One table per figure (out of stock, lost sales, inventory, waste): a row per category, a
    /// column per policy.
    private var categoryTables: [Table] {
        let categories = results.first?.byCategory.map(\.category) ?? []
        let figures = [
            ("oos_rate", "Out-of-stock rate per category"), ("lost_value", "Lost sales per category (per run)"),
            ("inventory_value", "Average inventory per category (at cost, per run)"),
            ("waste_value", "Waste per category (at cost, per run)"),
        ]
        return figures.map { figure, title in
            var rows: [[String]] = []
            for category in categories {
                var row = [category]
                for result in results {
                    let estimate = result.byCategory.first { $0.category == category }?.estimates[figure]
                    row.append(
                        figure == "oos_rate"
                            ? Self.interval(estimate) { Self.percent($0) } : Self.interval(estimate, Self.money))
                }
                rows.append(row)
            }
            return Table(title: title, header: ["category"] + results.map(\.policy), rows: rows)
        }
    }

    /// The frontier's points: each policy's inventory and availability at each service level.
    private var frontierTable: Table {
        Table(
            title: "Availability against inventory (one point per policy and service level)",
            header: ["policy", "service level", "avg inventory", "out of stock", "lost sales"],
            rows: frontier.map { point in
                [
                    point.policy, point.serviceLevel.map { Self.percent($0, 1) } ?? "categories'",
                    Self.money(point.inventoryValue), Self.percent(point.outOfStockRate),
                    Self.money(point.lostValue),
                ]
            })
    }

    /// The model's stated risks against what happened, bin by bin.
    private var calibrationTable: Table {
        Table(
            title: String(
                format: "Calibration of the risk of running empty before the next delivery (ECE %.4f)",
                calibration.expectedCalibrationError),
            header: ["predicted", "risks", "mean predicted", "observed"],
            rows: calibration.bins.map { bin in
                [
                    String(format: "%.1f–%.1f", bin.low, bin.low + 0.1), String(bin.count),
                    bin.count > 0 ? String(format: "%.4f", bin.predicted) : "-",
                    bin.count > 0 ? String(format: "%.4f", bin.observed) : "-",
                ]
            })
    }

    /// The alerts the model opens per store and day, by kind (nil without the model's alerts).
    private var alertsTable: Table? {
        guard let alerts = model?.alertsPerStoreDay else { return nil }
        return Table(
            title: "Alerts the model opens, per store and day (a store sees its mark-downs as one list a day)",
            header: ["kind", "item alerts", "a store sees"],
            rows: StockAlertKind.allCases.map { kind in
                let items = alerts[kind] ?? 0
                let seen = kind == .perishableOverstock ? model?.markDownListsPerStoreDay ?? 0 : items
                return [kind.rawValue, String(format: "%.3f", items), String(format: "%.3f", seen)]
            } + [
                [
                    "all", String(format: "%.3f", alerts.values.reduce(0, +)),
                    String(format: "%.3f", alertsPerStoreDay),
                ]
            ])
    }

    /// Each target and whether it holds.
    private var targetsTable: Table {
        Table(
            title: "Targets", header: ["target", "measured", "met"],
            rows: targets.map { [$0.name, $0.value, $0.met ? "yes" : "NO"] }, numeric: false)
    }

    /// The `bench` lines of `make evaluate` (lost sales and calibration).
    public var benchLines: [String] {
        guard let model, let seedRule = result("seed-rule"), let oracle = result("oracle") else { return [] }
        let lost = model.overall["lost_value"]?.value ?? 0
        let peer = seedRule.overall["lost_value"]?.value ?? 0
        return [
            String(
                format:
                    "bench replenishment-lost-sales ratio=%.3f ours=%.0fEUR peer=%.0fEUR peer_name=seed-rule oos=%.3f%% inventory_ratio=%.3f waste_ratio=%.3f oracle_lost=%.0fEUR oracle_lost_at_equal_inventory=%.0fEUR",
                lost > 0 ? peer / lost : 0, lost, peer, (model.overall["oos_rate"]?.value ?? 0) * 100,
                inventoryOverNaive.value, wasteOverNaive.value, oracle.overall["lost_value"]?.value ?? 0,
                oracleLostAtModelInventory),
            String(
                format: "bench risk-calibration ece=%.4f risks=%d", calibration.expectedCalibrationError,
                calibration.judged),
        ]
    }

    /// The frontier plot: out-of-stock rate against average inventory, for `model` and `oracle`
    /// over service levels (and their defaults); with `allPolicies`, naive and seed-rule too.
    package func frontierChart(allPolicies: Bool = false) -> SVGChart {
        var series: [SVGChart.Series] = []
        for (name, below) in [("model", false), ("oracle", true)] {
            let points = frontier.filter { $0.policy == name && $0.serviceLevel != nil }.sorted {
                $0.inventoryValue < $1.inventoryValue
            }
            series.append(
                SVGChart.Series(
                    name: "\(name) (service levels)",
                    points: points.map { ($0.inventoryValue, $0.outOfStockRate * 100) },
                    joined: true, labels: points.map { Self.percent($0.serviceLevel ?? 0, 1) }, labelsBelow: below))
        }
        for point in frontier
        where point.serviceLevel == nil && (allPolicies || ["model", "oracle"].contains(point.policy)) {
            series.append(
                SVGChart.Series(
                    name: ["model", "oracle"].contains(point.policy)
                        ? "\(point.policy) (categories' levels)" : point.policy,
                    points: [(point.inventoryValue, point.outOfStockRate * 100)],
                    joined: false))
        }
        let shown = frontier.filter { allPolicies || ["model", "oracle"].contains($0.policy) }
        var chart = SVGChart(
            title: allPolicies ? "Every policy: availability against inventory" : "Availability against inventory",
            xLabel: "average inventory at cost, per run", yLabel: "out-of-stock rate (% of open item-hours)",
            series: series)
        chart.yRange = 0...(max(shown.map { $0.outOfStockRate * 100 }.max() ?? 1, 0.5) * 1.15)
        return chart
    }

    /// The reliability diagram of the model's stated risks.
    package var reliabilityChart: SVGChart {
        let bins = calibration.bins.filter { $0.count > 0 }
        var chart = SVGChart(
            title: String(format: "Risk calibration (ECE %.4f)", calibration.expectedCalibrationError),
            xLabel: "predicted probability of running empty before the next delivery", yLabel: "observed frequency",
            series: [
                SVGChart.Series(
                    name: "model", points: bins.map { ($0.predicted, $0.observed) }, joined: true,
                    labels: bins.map { "n=\($0.count)" })
            ])
        chart.diagonal = true
        chart.xRange = 0...1
        chart.yRange = 0...1
        return chart
    }

    /// The whole report as Markdown.
    public func markdown(forecast: String? = nil) -> String {
        var text = """
            # Replenishment evaluation

            \(stores) stores × \(products) products, \(measuredDays) measured days after a \(warmUpDays)-day warm-up \
            (stores order as they always did while every policy learns from the events), seeds \
            \(seeds.map(String.init).joined(separator: ", ")). Every policy faces the same customers (common \
            random numbers). Intervals are 95 % bootstrap intervals over store × product items.

            ![frontier](frontier.svg)
            ![policies](policies.svg)
            ![calibration](reliability.svg)


            """
        text += tables.map(\.markdown).joined(separator: "\n")
        if let forecast { text += "\n" + forecast }
        text += "\n```\n" + benchLines.joined(separator: "\n") + "\n```\n"
        return text
    }
}
