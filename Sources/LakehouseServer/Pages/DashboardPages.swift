import Foundation
import LakehouseCore

/// The dashboard's pages, rendered on the server from the same reports the JSON API answers
/// with: usable without JavaScript, every value escaped.
enum DashboardPages {
    /// `/`: gold's freshness, open alerts by kind, shards, processes and the last runs.
    static func overview(_ report: OverviewReport) -> String {
        let e = HTML.escape
        let alerts = report.openAlerts.reduce(0) { $0 + $1.count }
        let live = LiveEvents.figures(report)
        let cards = [
            card(
                "Gold freshness", live["freshness"] ?? "", bad: (report.freshnessSeconds ?? 0) > 300, live: "freshness"),
            card("Newest event in gold", live["newest"] ?? "", live: "newest"),
            card(
                "Silver batches pending", live["pending"] ?? "", bad: report.silverBatchesPending > 3, live: "pending"),
            card("Open alerts", live["alerts"] ?? "", bad: alerts > 0, live: "alerts"),
            card(
                "Availability now", live["availability"] ?? "", bad: (report.availability ?? 1) < 0.95,
                live: "availability"),
            card("Items", "\(report.items)"),
            card("Never counted", "\(report.neverCounted)", bad: report.neverCounted > 0),
        ]
        let kinds = HTML.table(
            ["Kind", "Open"], report.openAlerts.map { [e($0.kind), "\($0.count)"] }, numeric: [1],
            empty: "No open alert.")
        let shards = HTML.table(
            ["Shard", "Owner", "Behind the tip"],
            report.shards.map {
                [
                    e($0.shard), $0.ended ? "(ended)" : e($0.owner ?? "(free)"),
                    $0.lagMilliseconds.map { age(Double($0) / 1000) } ?? "—",
                ]
            }, numeric: [2], empty: "No shard registered yet.")
        let workers = HTML.table(
            ["Process", "Host", "Last heard", "State"],
            report.workers.map {
                [e($0.id), e($0.host), age($0.secondsSinceHeartbeat) + " ago", state($0.state)]
            }, numeric: [2], empty: "No process has run.")
        let runs = HTML.table(
            ["Run", "Stage", "Subject", "Started", "Status", "Took", "In", "Out", "Error"],
            report.runs.map {
                [
                    "#\($0.id)", e($0.stage), e($0.subject ?? ""), e(time($0.startedAt)), state($0.status),
                    age($0.seconds), "\($0.rowsIn)", "\($0.rowsOut)", e(String(($0.error ?? "").prefix(200))),
                ]
            }, numeric: [5, 6, 7], empty: "No run yet.")
        let body = """
            <p>Stream <strong>\(e(report.stream))</strong></p>
            <div class="cards">\(cards.joined())</div>
            <h2>Events per minute, last hour</h2>\(sparkline(report.eventsPerMinute))
            <h2>Open alerts by kind</h2>\(kinds)
            <h2>Shards</h2>\(shards)
            <h2>Processes</h2>\(workers)
            <h2>Last runs</h2>\(runs)
            """
        return HTML.page(title: "Overview", body: body, json: "/api/v1/overview", live: true)
    }

    /// `/stores`: the stores, each a link to its page.
    static func stores(_ list: StoreList) -> String {
        let e = HTML.escape
        let rows = list.stores.map {
            [
                "<a href=\"/stores/\(e(HTML.pathSegment($0.storeID)))\">\(e($0.storeID))</a>", "\($0.items)",
                $0.openAlerts > 0 ? "<span class=\"bad\">\($0.openAlerts)</span>" : "0",
                e($0.newestEvent.map { time($0) } ?? "—"),
            ]
        }
        let table = HTML.table(
            ["Store", "Items", "Open alerts", "Newest event"], rows, numeric: [1, 2], empty: "Gold knows no store yet.")
        let body = "<p>\(list.total) stores.</p>\(table)" + pager(list.limit, list.offset, list.total, path: "/stores")
        return HTML.page(title: "Stores", body: body, json: "/api/v1/stores?limit=\(list.limit)&offset=\(list.offset)")
    }

    /// `/stores/{store}`: what to order today, what needs a person, and the items by cover.
    static func store(_ report: StoreReport) -> String {
        let e = HTML.escape
        var body = "<p>Newest event: \(e(report.newestEvent.map { time($0) } ?? "none yet"))</p>"
        if let proposal = report.proposal {
            body += "<h2>Order proposal for \(e(proposal.reviewDate)) (\(e(proposal.status)))</h2>"
            body +=
                "<p><a href=\"/stores/\(e(HTML.pathSegment(report.storeID)))/order.csv\">Download the order (CSV)</a></p>"
            body += HTML.table(
                ["Product", "Order", "Cases", "On hand", "On order", "Risk", "Why"],
                proposal.lines.map {
                    [
                        e($0.productName) + " <small>" + e($0.productID) + "</small>", "\($0.quantity)",
                        $0.cases.map(String.init) ?? "—", "\($0.onHand)", "\($0.onOrder)",
                        String(format: "%.1f %%", $0.stockoutRisk * 100), e($0.reason),
                    ]
                }, numeric: [1, 2, 3, 4, 5], empty: "Nothing to order.")
        } else {
            body +=
                "<h2>Reorder suggestions</h2><p class=\"empty\">No order proposal yet: items below their reorder point.</p>"
            body += HTML.table(
                ["Product", "On hand", "Suggested order"],
                report.suggestions.map {
                    [
                        e($0.productName) + " <small>" + e($0.productID) + "</small>", "\($0.onHand)",
                        "\($0.suggestedOrderQuantity)",
                    ]
                },
                numeric: [1, 2], empty: "No item is below its reorder point.")
        }
        body += "<h2>Open alerts</h2>"
        body += HTML.table(
            ["Kind", "Product", "Since", "What to do"],
            report.alerts.map { alert in
                let product =
                    alert.productName.map { e($0) + " <small>" + e(alert.productID ?? "") + "</small>" }
                    ?? "\(alert.items) items"
                return [e(alert.kind), product, e(time(alert.openedAt, seconds: false)), e(alert.reason)]
            }, empty: "No open alert.")
        body += "<h2>Items by days of cover</h2>"
        body += HTML.table(
            ["Product", "Category", "On hand", "Sells a day", "Days of cover"],
            report.items.map {
                [
                    itemLink(store: report.storeID, product: $0.productID, name: $0.productName), e($0.category),
                    $0.onHand.map(String.init) ?? "<span class=\"bad\">never counted</span>",
                    $0.dailyDemand.map { String(format: "%.1f", $0) } ?? "—",
                    $0.daysOfCover.map { String(format: "%.1f", $0) } ?? "—",
                ]
            }, numeric: [2, 3, 4], empty: "The store has no item yet.")
        let path = "/stores/" + HTML.pathSegment(report.storeID)
        body += pager(report.limit, report.offset, report.itemsTotal, path: path)
        return HTML.page(
            title: "Store \(report.storeID)", body: body,
            json: "/api/v1" + path + "?limit=\(report.limit)&offset=\(report.offset)")
    }

    /// The item page's link, with the product's name and id.
    private static func itemLink(store: String, product: String, name: String) -> String {
        let path = "/stores/" + HTML.pathSegment(store) + "/items/" + HTML.pathSegment(product)
        return "<a href=\"\(HTML.escape(path))\">\(HTML.escape(name))</a> <small>\(HTML.escape(product))</small>"
    }

    /// The minutes' counts as a line (an inline SVG), with the newest minute's and the peak's figures.
    static func sparkline(_ counts: [Int64]) -> String {
        guard let peak = counts.max(), peak > 0 else { return "<p class=\"empty\">No event in the last hour.</p>" }
        let step = counts.count > 1 ? 120.0 / Double(counts.count - 1) : 0
        let points = counts.enumerated().map { index, count in
            String(format: "%.1f,%.1f", Double(index) * step, 29 - 28 * Double(count) / Double(peak))
        }
        let last = counts.last ?? 0
        return """
            <svg class="spark" viewBox="0 0 120 30" preserveAspectRatio="none" role="img" \
            aria-label="Events per minute over the last hour; peak \(peak)"><polyline points="\(points.joined(separator: " "))"/></svg>
            <p><small>This minute so far: <span data-live="minute">\(last)</span> · peak: \(peak) a minute · last hour: \(counts.reduce(0, +))</small></p>
            """
    }

    private static func card(_ label: String, _ value: String, bad: Bool = false, live: String? = nil) -> String {
        let attribute = live.map { " data-live=\"\($0)\"" } ?? ""
        return
            "<div class=\"card\"><div class=\"label\">\(HTML.escape(label))</div><div class=\"value\(bad ? " bad" : "")\"\(attribute)>\(HTML.escape(value))</div></div>"
    }

    static func state(_ state: String) -> String {
        let tone = ["alive", "succeeded", "running"].contains(state) ? "ok" : ["stopped"].contains(state) ? "" : "bad"
        return tone.isEmpty ? HTML.escape(state) : "<span class=\"\(tone)\">\(HTML.escape(state))</span>"
    }

    /// Links to the previous and next pages of a list.
    private static func pager(_ limit: Int, _ offset: Int, _ total: Int64, path: String) -> String {
        var links: [String] = []
        if offset > 0 {
            links.append("<a href=\"\(path)?limit=\(limit)&amp;offset=\(max(0, offset - limit))\">← previous</a>")
        }
        if Int64(offset + limit) < total {
            links.append("<a href=\"\(path)?limit=\(limit)&amp;offset=\(offset + limit)\">next →</a>")
        }
        return links.isEmpty ? "" : "<p>" + links.joined(separator: " · ") + "</p>"
    }

    /// An RFC 3339 time of the API (`2026-01-05T12:30:00.000000Z`) as a person reads it:
    /// `2026-01-05 12:30:00 UTC` (without seconds: `2026-01-05 12:30 UTC`).
    static func time(_ iso: String, seconds: Bool = true) -> String {
        let whole = iso.prefix(seconds ? 19 : 16)
        return whole.replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    /// `0.4 s`, `12 s`, `3 min 5 s`, `2 h 3 min`, `3 d 4 h` (as `lakehouse status` says them).
    static func age(_ seconds: Double) -> String { PipelineStatus.seconds(seconds) }

    /// `/search?q=…`: the items whose product id or name holds the text.
    static func search(_ report: SearchReport) -> String {
        let rows = report.items.map {
            [
                itemLink(store: $0.storeID, product: $0.productID, name: $0.productName), HTML.escape($0.category),
                "<a href=\"/stores/\(HTML.escape(HTML.pathSegment($0.storeID)))\">\(HTML.escape($0.storeID))</a>",
                $0.onHand.map(String.init) ?? "<span class=\"bad\">never counted</span>",
            ]
        }
        let table = HTML.table(
            ["Product", "Category", "Store", "On hand"], rows, numeric: [3], empty: "Nothing found.")
        let query = HTML.pathSegment(report.query)
        return HTML.page(
            title: "Search: \(report.query)", body: table,
            json: "/api/v1/search?q=\(query)&limit=\(report.limit)&offset=\(report.offset)")
    }
}
