import AWSLite
import Foundation
import PGLite

/// Opening stock (or any counts) from a CSV file, sent as `stock_count` events through the normal
/// path (Kinesis, bronze, silver, gold): what a chain whose stream carries sales only needs
/// before gold can tell what is on the shelf (`gold stock import FILE.csv`).
///
/// The file has a header row naming its columns, in any order: `store_id`, `product_id`,
/// `quantity` (whole units, 0 or more) and `counted_at` (RFC 3339) are required; `product_name`,
/// `category` and `unit_price` are optional, taken from gold's products when absent (a product
/// gold does not know needs its name and category; its price is then 0.00). Each count carries
/// the unit price, and `total_price` = price × units, so that gold's products keep their price.
/// Fields may be quoted (RFC 4180). Each row becomes an event with the transaction id
/// `COUNT-IMPORT-<store>-<product>-<counted_at>`, so importing the same file again adds nothing
/// (and a corrected quantity for the same store, product and time is a duplicate: give the
/// correction its own `counted_at`).
public enum StockCountImport {
    /// One row of the file.
    public struct Row: Sendable, Hashable {
        /// The line in the file, from 1 (the header is line 1).
        public var line: Int
        /// The `store_id` column, trimmed.
        public var storeID: String
        /// The `product_id` column, trimmed.
        public var productID: String
        /// The `quantity` column: the units counted, 0 to ``SilverRules/maximumQuantity``.
        public var quantity: Int64
        /// The `counted_at` column as written; checked as RFC 3339 when the row becomes an event.
        public var countedAt: String
        /// The `product_name` column; nil when absent or blank (gold's name is used).
        public var productName: String?
        /// The `category` column; nil when absent or blank (gold's category is used).
        public var category: String?
        /// The `unit_price` column in cents; nil when absent or blank (gold's price, or 0.00).
        public var unitPriceCents: Int64?
    }

    /// A row that cannot be imported, and why.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The line in the file, from 1 (the header is line 1).
        public var line: Int
        /// What is wrong with the row, naming the column and its value (escaped).
        public var message: String
        /// `<line>: <message>`, to follow the file name as compilers print it.
        public var description: String { "\(line): \(message)" }
    }

    static let required = ["store_id", "product_id", "quantity", "counted_at"]

    /// Parses `text`; every row is checked, and every problem reported.
    ///
    /// - Complexity: O(size of the text).
    public static func parse(_ text: String) -> (rows: [Row], problems: [Problem]) {
        let records = csvRecords(text)
        guard let header = records.first else {
            return ([], [Problem(line: 1, message: "the file is empty; the first line must name the columns")])
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = required.filter { !names.contains($0) }
        guard missing.isEmpty else {
            return (
                [],
                [
                    Problem(
                        line: header.line,
                        message: "the header lacks \(missing.joined(separator: ", ")); it needs "
                            + "store_id, product_id, quantity, counted_at (product_name and category are optional)")
                ]
            )
        }
        var rows: [Row] = []
        var problems: [Problem] = []
        for record in records.dropFirst() where !(record.fields.count == 1 && record.fields[0].isEmpty) {
            if let row = row(of: record, columns: names, problems: &problems) { rows.append(row) }
        }
        return (rows, problems)
    }

    /// A record's fields by column name, trimmed; a blank or missing one is nil.
    private struct Fields {
        var columns: [String]
        var record: Record

        subscript(_ name: String) -> String? {
            guard let index = columns.firstIndex(of: name), index < record.fields.count else { return nil }
            let value = record.fields[index].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
    }

    /// The row `record` holds under the header's `columns`, or nil after adding why not to `problems`.
    private static func row(of record: Record, columns: [String], problems: inout [Problem]) -> Row? {
        let field = Fields(columns: columns, record: record)
        guard record.fields.count == columns.count else {
            problems.append(
                Problem(
                    line: record.line, message: "\(record.fields.count) fields where the header names \(columns.count)")
            )
            return nil
        }
        guard let store = field["store_id"], let product = field["product_id"],
            let quantityText = field["quantity"], let countedAt = field["counted_at"]
        else {
            let empty = required.filter { field[$0] == nil }
            problems.append(Problem(line: record.line, message: "no \(empty.joined(separator: ", "))"))
            return nil
        }
        guard let quantity = JSONDecimal(quantityText)?.wholeValue(),
            (0...SilverRules.maximumQuantity).contains(quantity)
        else {
            problems.append(
                Problem(
                    line: record.line,
                    message: "quantity \(TerminalText.escaped(quantityText)) is not a whole number from 0 to "
                        + "\(SilverRules.maximumQuantity)"))
            return nil
        }
        var price: Int64?
        if let text = field["unit_price"] {
            guard let cents = EventJSON.cents(text), (0...SilverRules.maximumPriceCents).contains(cents) else {
                problems.append(
                    Problem(
                        line: record.line,
                        message:
                            "unit_price \(TerminalText.escaped(text)) is not an amount from 0 with at most two decimals"
                    ))
                return nil
            }
            price = cents
        }
        return Row(
            line: record.line, storeID: store, productID: product, quantity: quantity, countedAt: countedAt,
            productName: field["product_name"], category: field["category"], unitPriceCents: price)
    }

    /// The count events of `rows`, products' names and categories filled in from gold's
    /// `dim_product` where the file has none; each event checked against the silver rules.
    ///
    /// - Returns: the events, and the rows that cannot become one (an unknown product without a
    ///   name, a time that is not RFC 3339, a value the rules refuse).
    public static func events(_ rows: [Row], connection: PGConnection?) async throws
        -> (events: [POSEvent], problems: [Problem])
    {
        var known: [String: (name: String, category: String, cents: Int64)] = [:]
        if let connection {
            let products = try await connection.query(
                "SELECT product_id, product_name, category, (unit_price * 100)::bigint FROM dim_product")
            for row in products.rows {
                known[try row.decode(String.self, at: 0)] = (
                    try row.decode(String.self, at: 1), try row.decode(String.self, at: 2),
                    try row.decode(Int64.self, at: 3)
                )
            }
        }
        var events: [POSEvent] = []
        var problems: [Problem] = []
        for row in rows {
            guard let name = row.productName ?? known[row.productID]?.name,
                let category = row.category ?? known[row.productID]?.category
            else {
                problems.append(
                    Problem(
                        line: row.line,
                        message: "product \(TerminalText.escaped(row.productID)) is not in gold yet: "
                            + "give its product_name and category in the file"))
                continue
            }
            guard let micros = EventTimestamp.parse(row.countedAt) else {
                problems.append(
                    Problem(
                        line: row.line,
                        message: "counted_at \(TerminalText.escaped(row.countedAt)) is not an RFC 3339 time "
                            + "(for example 2026-01-05T06:00:00Z)"))
                continue
            }
            let price = row.unitPriceCents ?? known[row.productID]?.cents ?? 0
            let (total, overflow) = price.multipliedReportingOverflow(by: row.quantity)
            let event = POSEvent(
                transactionID: "COUNT-IMPORT-\(row.storeID)-\(row.productID)-\(micros)", productID: row.productID,
                productName: name, category: category, quantity: Int(row.quantity), unitPriceCents: price,
                totalPriceCents: overflow ? .max : total, timestamp: row.countedAt, storeID: row.storeID,
                eventType: .stockCount)
            // Checked as silver will check it when it arrives, now.
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            if case .failure(let rejection) = SilverRules.clean(EventJSON.encode(event), arrivalMicros: now) {
                problems.append(Problem(line: row.line, message: "\(rejection.reason): \(rejection.detail)"))
                continue
            }
            events.append(event)
        }
        return (events, problems)
    }

    /// Sends `events` to `stream`, partitioned by store (`KinesisClient.putRecords` cuts them into
    /// calls Kinesis takes and resends rejected records).
    ///
    /// - Throws: ``AWSError``, or ``LakehouseError`` with ``LakehouseError/Code/deliveryFailed``
    ///   when records are still refused after the retries (sending the file again is safe).
    public static func send(_ events: [POSEvent], stream: String, kinesis: KinesisClient) async throws {
        let result = try await kinesis.putRecords(
            stream: stream,
            records: events.map { KinesisRecordInput(data: EventJSON.encode($0), partitionKey: $0.storeID) })
        if let first = result.failed.first {
            throw LakehouseError(
                code: .deliveryFailed,
                message: "\(result.failed.count) count events were not accepted by \(stream) "
                    + "(first: \(first.errorCode)); importing the file again is safe")
        }
    }

    /// A CSV record and the line it starts on.
    struct Record {
        var line: Int
        var fields: [String]
    }

    /// RFC 4180 records: fields separated by commas, quoted fields may hold commas, quotes
    /// (doubled) and line breaks; CRLF or LF line ends.
    static func csvRecords(_ text: String) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var characters = text.makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return characters.next()
        }
        func endRecord() {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
            fields = []
            field = ""
        }
        while let character = next() {
            if quoted {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    if character.isNewline { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                fields.append(field)
                field = ""
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default: field.append(character)
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
