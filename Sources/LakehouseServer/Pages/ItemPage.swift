import Foundation

/// `/stores/{store}/items/{product}`: the item's stock over its last days with its safety stock
/// and reorder point drawn in, deliveries and counts marked; its daily sales with the forecast's
/// band; its alerts. Charts are inline SVG drawn here (no script).
enum ItemPage {
    static func page(_ report: ItemReport) -> String {
        let e = HTML.escape
        let figures: [(String, String)] = [
            ("On hand", report.onHand.map(String.init) ?? "never counted"),
            ("Sells a day", report.dailyDemand.map { String(format: "%.1f", $0) } ?? "—"),
            ("Safety stock", report.safetyStock.map { String(format: "%.1f", $0) } ?? "—"),
            ("Reorder point", report.reorderPoint.map { String(format: "%.1f", $0) } ?? "—"),
            ("Days of cover", report.daysOfCover.map { String(format: "%.1f", $0) } ?? "—"),
        ]
        let cards = figures.map {
            "<div class=\"card\"><div class=\"label\">\(e($0.0))</div><div class=\"value\">\(e($0.1))</div></div>"
        }
        let alerts = HTML.table(
            ["Kind", "Status", "Opened", "Resolved", "Why"],
            report.alerts.map {
                [
                    e($0.kind), e($0.status), e(DashboardPages.time($0.openedAt, seconds: false)),
                    e($0.resolvedAt.map { DashboardPages.time($0, seconds: false) } ?? "—"), e($0.reason),
                ]
            }, empty: "No alert yet.")
        let store = "/stores/" + HTML.pathSegment(report.storeID)
        let body = """
            <p><a href="\(e(store))">Store \(e(report.storeID))</a> · \(e(report.category)) · \(e(report.productID))</p>
            <div class="cards">\(cards.joined())</div>
            <h2>Stock at closing, last \(report.days.count) days</h2>
            \(stockChart(report))
            <p class="empty">Line: closing stock. Dashed: reorder point (upper) and safety stock. ▲ delivery, ● count.</p>
            <h2>Units sold a day</h2>
            \(salesChart(report))
            <p class="empty">Bars: units sold. Band: the forecast, daily demand ± one deviation.</p>
            <h2>Alerts</h2>\(alerts)
            """
        return HTML.page(
            title: "\(report.productName) at \(report.storeID)", body: body,
            json: "/api/v1" + store + "/items/" + HTML.pathSegment(report.productID)
                + "?days=\(report.days.isEmpty ? 28 : report.days.count)")
    }

    static let (width, height, left, bottom, top) = (720.0, 220.0, 44.0, 24.0, 10.0)

    /// The x of day `index` of `count`, and the y of `value` on a scale up to `maximum`.
    private static func x(_ index: Int, _ count: Int) -> Double {
        left + (width - left - 10) * (Double(index) + 0.5) / Double(max(1, count))
    }

    private static func y(_ value: Double, _ maximum: Double) -> Double {
        height - bottom - (height - bottom - top) * value / max(1, maximum)
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The frame: the value axis's top and zero labels, and the first and last dates.
    private static func frame(_ report: ItemReport, maximum: Double, label: String) -> String {
        let first = report.days.first?.date ?? ""
        let last = report.days.last?.date ?? ""
        return """
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - 10)" y2="\(height - bottom)" stroke="#9aa3b2"/>\
            <text x="\(left - 6)" y="\(top + 4)" text-anchor="end" font-size="11" fill="#5c6577">\(number(maximum))</text>\
            <text x="\(left - 6)" y="\(height - bottom)" text-anchor="end" font-size="11" fill="#5c6577">0</text>\
            <text x="\(left)" y="\(height - 6)" font-size="11" fill="#5c6577">\(HTML.escape(first))</text>\
            <text x="\(width - 10)" y="\(height - 6)" text-anchor="end" font-size="11" fill="#5c6577">\(HTML.escape(last))</text>
            """ + "<title>\(HTML.escape(label))</title>"
    }

    static func stockChart(_ report: ItemReport) -> String {
        let days = report.days
        let maximum = max(
            days.compactMap(\.closingOnHand).map(Double.init).max() ?? 0, report.reorderPoint ?? 0,
            report.safetyStock ?? 0, 1)
        var parts = [frame(report, maximum: maximum, label: "closing stock by day")]
        let points = days.enumerated().compactMap { index, day in
            day.closingOnHand.map { "\(number(x(index, days.count))),\(number(y(Double(max(0, $0)), maximum)))" }
        }
        if !points.isEmpty {
            parts.append(
                "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#1849a9\" stroke-width=\"2\"/>"
            )
        }
        for (value, color) in [(report.reorderPoint, "#b54708"), (report.safetyStock, "#b42318")] {
            guard let value else { continue }
            let level = number(y(value, maximum))
            parts.append(
                "<line x1=\"\(left)\" y1=\"\(level)\" x2=\"\(width - 10)\" y2=\"\(level)\" stroke=\"\(color)\" stroke-dasharray=\"5 4\"/>"
            )
        }
        for (index, day) in days.enumerated() {
            let center = number(x(index, days.count))
            if day.unitsDelivered > 0 {
                parts.append(
                    "<text x=\"\(center)\" y=\"\(height - bottom - 4)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#067647\">▲</text>"
                )
            }
            if day.counts > 0 {
                parts.append("<circle cx=\"\(center)\" cy=\"\(top + 4)\" r=\"3.5\" fill=\"#5c6577\"/>")
            }
        }
        return svg(parts, label: "Closing stock of \(report.productName)")
    }

    static func salesChart(_ report: ItemReport) -> String {
        let days = report.days
        let demand = report.dailyDemand ?? 0, deviation = report.dailyDeviation ?? 0
        let maximum = max(Double(days.map(\.unitsSold).max() ?? 0), demand + deviation, 1)
        var parts = [frame(report, maximum: maximum, label: "units sold by day")]
        if report.dailyDemand != nil {
            let upper = y(demand + deviation, maximum), lower = y(max(0, demand - deviation), maximum)
            parts.append(
                "<rect x=\"\(left)\" y=\"\(number(upper))\" width=\"\(number(width - left - 10))\" height=\"\(number(max(1, lower - upper)))\" fill=\"#1849a9\" fill-opacity=\"0.12\"/>"
            )
            let mean = number(y(demand, maximum))
            parts.append(
                "<line x1=\"\(left)\" y1=\"\(mean)\" x2=\"\(width - 10)\" y2=\"\(mean)\" stroke=\"#1849a9\" stroke-opacity=\"0.5\"/>"
            )
        }
        let barWidth = max(1, (width - left - 10) / Double(max(1, days.count)) * 0.7)
        for (index, day) in days.enumerated() where day.unitsSold > 0 {
            let top = y(Double(day.unitsSold), maximum)
            parts.append(
                "<rect x=\"\(number(x(index, days.count) - barWidth / 2))\" y=\"\(number(top))\" width=\"\(number(barWidth))\" height=\"\(number(height - bottom - top))\" fill=\"#5c6577\"><title>\(HTML.escape(day.date)): \(day.unitsSold) sold</title></rect>"
            )
        }
        return svg(parts, label: "Units sold a day of \(report.productName)")
    }

    private static func svg(_ parts: [String], label: String) -> String {
        "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
            + parts.joined() + "</svg>"
    }
}
