import Foundation
import Hummingbird
import PGLite

/// `GET /api/v1/search?q=…`: the store × product items whose product id or name holds `q`
/// (case-insensitive), a page at a time.
public struct SearchReport: Codable, Sendable, Equatable, ResponseEncodable {
    /// One item found.
    public struct Item: Codable, Sendable, Equatable {
        /// The store's id.
        public var storeID: String
        /// The product's id.
        public var productID: String
        /// The product's name.
        public var productName: String
        /// The product's category.
        public var category: String
        /// Units on hand; absent when never counted.
        public var onHand: Int64?
    }

    /// What was searched for.
    public var query: String
    /// This page of the items, by product name, then store.
    public var items: [Item]
    /// The page's size.
    public var limit: Int
    /// How many items the page skipped.
    public var offset: Int
}

enum SearchQueries {
    /// The items matching `query` (1 to 100 characters).
    static func search(_ connection: PGConnection, query: String, page: Page) async throws -> SearchReport {
        // The text as it is: LIKE's wildcards and escape character are escaped.
        var pattern = String.UnicodeScalarView("%".unicodeScalars)
        for scalar in query.unicodeScalars {
            if scalar == "%" || scalar == "_" || scalar == "\\" { pattern.append("\\") }
            pattern.append(scalar)
        }
        pattern.append("%")
        let rows = try await connection.query(
            """
            SELECT s.store_id, p.product_id, p.product_name, p.category,
                CASE WHEN sp.last_count_time IS NOT NULL THEN sp.on_hand END
            FROM dim_product p JOIN stock_position sp USING (product_key) JOIN dim_store s USING (store_key)
            WHERE p.product_id ILIKE $1 OR p.product_name ILIKE $1
            ORDER BY p.product_name, p.product_id, s.store_id LIMIT $2 OFFSET $3
            """, [String(pattern), page.limit, page.offset]
        ).rows
        return SearchReport(
            query: query,
            items: try rows.map {
                SearchReport.Item(
                    storeID: try $0.decode(String.self, at: 0), productID: try $0.decode(String.self, at: 1),
                    productName: try $0.decode(String.self, at: 2), category: try $0.decode(String.self, at: 3),
                    onHand: try $0.decode(Int64?.self, at: 4))
            }, limit: page.limit, offset: page.offset)
    }

    /// The `q` of `request`, decoded as a form sends it (`+` is a space): 1 to 100 code points,
    /// none a control character.
    ///
    /// - Throws: `HTTPError(.badRequest)` otherwise.
    static func query(_ request: Request) throws -> String {
        let given = formValues(request.uri.query ?? "", "q")
        guard given.count == 1, let text = given.first, (1...100).contains(text.unicodeScalars.count),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw HTTPError(
                .badRequest, message: "q, the text to search for, is one value of 1 to 100 printable characters")
        }
        return text
    }
}

/// The values of `name` in a raw query string, decoded as HTML forms encode them
/// (`application/x-www-form-urlencoded`: `+` is a space, then percent-decoding); a value that is
/// not valid percent-encoded UTF-8 is left out.
func formValues(_ query: String, _ name: String) -> [String] {
    query.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let decode = { (part: Substring) in part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
        guard decode(parts[0]) == name else { return nil }
        return parts.count > 1 ? decode(parts[1]) : ""
    }
}

/// The CSV of a store's order proposal, for a spreadsheet or an ordering system: RFC 4180
/// quoting, and text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first)
/// prefixed with `'`.
enum OrderCSV {
    static func text(_ report: StoreReport) -> String {
        var lines = [
            "store_id,review_date,product_id,product_name,quantity,cases,on_hand,on_order,stockout_risk,reason"
        ]
        if let proposal = report.proposal {
            for line in proposal.lines {
                lines.append(
                    [
                        field(report.storeID), proposal.reviewDate, field(line.productID), field(line.productName),
                        "\(line.quantity)", line.cases.map(String.init) ?? "", "\(line.onHand)", "\(line.onOrder)",
                        "\(line.stockoutRisk)", field(line.reason),
                    ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A text field, quoted when it must be, with a formula's first character defused.
    static func field(_ text: String) -> String {
        // By Unicode scalar: "\r\n" is one character, and a quote with a combining mark too.
        var value = text
        if let first = value.unicodeScalars.first, "=+-@\t\r\n".unicodeScalars.contains(first) { value = "'" + value }
        let special: Set<Unicode.Scalar> = [",", "\"", "\n", "\r"]
        guard value.unicodeScalars.contains(where: special.contains) else { return value }
        var quoted = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted.append(scalar) }
            quoted.append(scalar)
        }
        return "\"" + String(quoted) + "\""
    }
}
