import Foundation

/// `/pipeline`: the run history with filters, the quarantine by reason with raw examples, the
/// backfills, and the alert webhooks with their dead letters.
enum PipelinePage {
    static func render(_ report: PipelineReport) -> String {
        let e = HTML.escape
        var body = "<h2>Runs</h2>" + filters(report)
        body += "<p>\(report.totalRuns) runs match.</p>"
        body += runs(report.runs, empty: "No run matches.")
        body += pager(report)
        body += "<h2>Backfills</h2>" + runs(report.backfills, empty: "No backfill has run.")
        body += "<h2>Quarantine by reason</h2>"
        if report.quarantine.isEmpty { body += "<p class=\"empty\">Nothing quarantined.</p>" }
        for reason in report.quarantine {
            body += "<h3>\(e(reason.reason)) <small>\(reason.count) record\(reason.count == 1 ? "" : "s")</small></h3>"
            body += HTML.table(
                ["Bronze object", "Line", "What was wrong", "Record as received"],
                reason.examples.map {
                    [
                        "<span class=\"key\">\(e($0.bronzeKey))</span>", "\($0.line)", e($0.detail),
                        "<pre>\(e($0.record))</pre>",
                    ]
                }, numeric: [1], empty: "")
        }
        body += "<h2>Alert webhooks</h2>"
        body += HTML.table(
            ["Endpoint", "Shape", "Enabled", "Pending", "Delivered", "Dead"],
            report.webhooks.map {
                [
                    e($0.name), e($0.format), $0.enabled ? "yes" : "no", "\($0.pending)", "\($0.delivered)",
                    $0.dead > 0 ? "<span class=\"bad\">\($0.dead)</span>" : "0",
                ]
            }, numeric: [3, 4, 5], empty: "No webhook endpoint: add one with `lakehouse webhooks add NAME URL`.")
        body += "<h2>Dead letters</h2>"
        if !report.deadLetters.isEmpty {
            body += "<p>Send them again with <code>lakehouse webhooks retry</code>.</p>"
        }
        body += HTML.table(
            ["Delivery", "Endpoint", "Event", "Key", "Attempts", "Written", "Last error"],
            report.deadLetters.map {
                [
                    "#\($0.id)", e($0.endpoint), e($0.event), e($0.key), "\($0.attempts)",
                    e(DashboardPages.time($0.createdAt)), e($0.lastError ?? ""),
                ]
            }, numeric: [4], empty: "No dead delivery.")
        return HTML.page(title: "Pipeline", body: body, json: "/api/v1/pipeline" + query(report, offset: report.offset))
    }

    private static func runs(_ runs: [OverviewReport.Run], empty: String) -> String {
        let e = HTML.escape
        return HTML.table(
            ["Run", "Stage", "Process", "Subject", "Started", "Status", "Took", "In", "Out", "Error"],
            runs.map {
                [
                    "#\($0.id)", e($0.stage), e($0.worker), e($0.subject ?? ""), e(DashboardPages.time($0.startedAt)),
                    DashboardPages.state($0.status), DashboardPages.age($0.seconds), "\($0.rowsIn)", "\($0.rowsOut)",
                    e(String(($0.error ?? "").prefix(300))),
                ]
            }, numeric: [6, 7, 8], empty: empty)
    }

    /// The filter form: stage and status, sent as a GET.
    private static func filters(_ report: PipelineReport) -> String {
        func select(_ name: String, _ label: String, _ values: [String], _ chosen: String?) -> String {
            let options = ([""] + values).map { value in
                "<option value=\"\(value)\"\(value == (chosen ?? "") ? " selected" : "")>\(value.isEmpty ? "any" : value)</option>"
            }
            return "<label>\(label) <select name=\"\(name)\">\(options.joined())</select></label>"
        }
        return """
            <form class="filters" action="/pipeline" method="get">\
            \(select("stage", "Stage", PipelineQueries.stages, report.stage)) \
            \(select("status", "Status", PipelineQueries.statuses, report.status)) \
            <input type="hidden" name="limit" value="\(report.limit)"> <button type="submit">Show</button></form>
            """
    }

    /// `?stage=…&status=…&limit=…&offset=…`, the filters that are set.
    private static func query(_ report: PipelineReport, offset: Int) -> String {
        var parts: [String] = []
        if let stage = report.stage { parts.append("stage=\(stage)") }
        if let status = report.status { parts.append("status=\(status)") }
        parts += ["limit=\(report.limit)", "offset=\(offset)"]
        return "?" + parts.joined(separator: "&")
    }

    private static func pager(_ report: PipelineReport) -> String {
        var links: [String] = []
        if report.offset > 0 {
            let previous = HTML.escape("/pipeline" + query(report, offset: max(0, report.offset - report.limit)))
            links.append("<a href=\"\(previous)\">← newer</a>")
        }
        if Int64(report.offset + report.limit) < report.totalRuns {
            links.append(
                "<a href=\"\(HTML.escape("/pipeline" + query(report, offset: report.offset + report.limit)))\">older →</a>"
            )
        }
        return links.isEmpty ? "" : "<p>" + links.joined(separator: " · ") + "</p>"
    }
}
