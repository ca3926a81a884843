/// HTML text built by the pages: every value from the database or a request goes through
/// ``escape(_:)``, so a product named `<script>` shows as text.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` as character references, safe in element content
    /// and in quoted attribute values. By Unicode scalar, not by character: a quote followed by a
    /// combining mark is one character, and must still be escaped.
    static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// A path segment with everything but unreserved characters percent-encoded (for links).
    static func pathSegment(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            let unreserved =
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            encoded +=
                unreserved ? String(UnicodeScalar(byte)) : "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
        }
        return encoded
    }

    /// A table: a header row and rows of cells already escaped (or built from escaped parts);
    /// `numeric` columns align right.
    static func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int> = [], empty: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(escape(empty))</p>" }
        func cell(_ tag: String, _ index: Int, _ content: String) -> String {
            numeric.contains(index) ? "<\(tag) class=\"num\">\(content)</\(tag)>" : "<\(tag)>\(content)</\(tag)>"
        }
        let head = headers.enumerated().map { cell("th", $0.offset, escape($0.element)) }.joined()
        let body = rows.map { row in
            "<tr>" + row.enumerated().map { cell("td", $0.offset, $0.element) }.joined() + "</tr>"
        }
        return
            "<div class=\"scroll\"><table><thead><tr>\(head)</tr></thead><tbody>\(body.joined())</tbody></table></div>"
    }

    /// A whole page: title, navigation, `body` (already HTML), and a link to the JSON it is built from.
    /// With `live`, the page loads `/assets/live.js`, which keeps its `data-live` figures current.
    static func page(title: String, body: String, json: String, live: Bool = false) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Stock lakehouse</title>
        <link rel="stylesheet" href="/assets/site.css">\(live ? "\n<script src=\"/assets/live.js\" defer></script>" : "")
        </head><body>
        <header><nav><a href="/">Overview</a> <a href="/stores">Stores</a> <a href="/pipeline">Pipeline</a>
        <form action="/search" method="get" role="search"><input name="q" type="search" placeholder="Product name or id" \
        aria-label="Search products" maxlength="100" required></form></nav></header>
        <main><h1>\(escape(title))</h1>
        \(body)
        </main>
        <footer>This page as JSON: <a href="\(escape(json))">\(escape(json))</a></footer>
        </body></html>

        """
    }

    /// The stylesheet every page links (`/assets/site.css`): readable on a phone, no web fonts.
    static let styleSheet = """
        :root { color-scheme: light; --ink: #1d2330; --muted: #5c6577; --line: #d9dde5; --bad: #b42318; --ok: #067647; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
        header { background: #1d2330; padding: 0.6rem 1rem; }
        header a { color: #fff; margin-right: 1.2rem; text-decoration: none; font-weight: 600; }
        header nav { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0; }
        header form { margin-left: auto; }
        header input { font: inherit; padding: 0.2rem 0.5rem; border-radius: 6px; border: 1px solid #9aa3b2; width: 14rem; max-width: 100%; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: 0.2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.6rem 0 0.5rem; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.8rem; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 0.7rem 0.9rem; }
        .card .label { color: var(--muted); font-size: 0.85rem; }
        .card .value { font-size: 1.4rem; font-weight: 650; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: 0.85rem; }
        .num { text-align: right; white-space: nowrap; }
        .bad { color: var(--bad); font-weight: 600; }
        .ok { color: var(--ok); font-weight: 600; }
        .empty, footer { color: var(--muted); }
        footer { max-width: 72rem; margin: 2rem auto; padding: 0 1rem; font-size: 0.85rem; }
        a { color: #1849a9; }
        pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85rem; min-width: 20rem; max-width: 44rem; }
        .key { display: inline-block; max-width: 16rem; overflow-wrap: anywhere; font-size: 0.8rem; color: var(--muted); }
        h3 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
        .filters { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; margin-bottom: 0.6rem; }
        .filters select, .filters button { font: inherit; padding: 0.15rem 0.4rem; }
        svg.spark { width: 100%; max-width: 22rem; height: 3rem; }
        svg.spark polyline { fill: none; stroke: #1849a9; stroke-width: 1.5; }

        """
}

extension String {
    /// The string with `"0"`s before it up to `width` characters.
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
