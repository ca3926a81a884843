/// The rows and command status of one statement, copied out of libpq's result.
///
/// Values are kept in PostgreSQL's text format; ``PGRow/decode(_:_:)-(_,String)`` reads them
/// into Swift types. `nil` is SQL NULL.
public struct PGQueryResult: Sendable, Hashable {
    /// The column names, in result order.
    public let columns: [String]
    /// The column types, in result order.
    public let columnTypes: [PGDataType]
    /// The rows, in result order.
    public let rows: [PGRow]
    /// The command tag (`SELECT 3`, `INSERT 0 1`, `CREATE TABLE`).
    public let commandTag: String
    /// The number of rows the command affected or returned, when the command reports one.
    public let affectedRows: Int?

    init(columns: [String], columnTypes: [PGDataType], rows: [PGRow], commandTag: String, affectedRows: Int?) {
        self.columns = columns
        self.columnTypes = columnTypes
        self.rows = rows
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }
}

/// One row of a ``PGQueryResult``.
public struct PGRow: Sendable, Hashable {
    /// The result's columns, shared by every row.
    let layout: PGRowLayout
    /// The values in column order, in PostgreSQL's text format; `nil` is SQL NULL.
    public let values: [String?]

    init(layout: PGRowLayout, values: [String?]) {
        self.layout = layout
        self.values = values
    }

    /// The result's column names.
    public var columns: [String] { layout.names }

    /// The raw text of the column at `index`.
    public subscript(index: Int) -> String? { values[index] }

    /// The raw text of the first column named `column`.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/decodingFailed`` when the result has no
    ///   such column; the message lists the columns it has.
    /// - Complexity: O(number of columns).
    public func value(_ column: String) throws -> String? { values[try index(of: column)] }

    /// Reads the column named `column` as `type`.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/decodingFailed`` naming the column when there is
    ///   no such column, the value is NULL, or its type or text does not fit `type`.
    public func decode<T: PGDecodable>(_ type: T.Type, _ column: String) throws -> T {
        try decode(type, at: try index(of: column))
    }

    /// Reads the column named `column` as `type`, with NULL as `nil`.
    public func decode<T: PGDecodable>(_ type: T?.Type, _ column: String) throws -> T? {
        try decode(type, at: try index(of: column))
    }

    /// Reads the column at `index` as `type`.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/decodingFailed`` naming the column when the
    ///   index is out of range, the value is NULL, or its type or text does not fit `type`.
    public func decode<T: PGDecodable>(_ type: T.Type, at index: Int) throws -> T {
        guard let value = try decode(T?.self, at: index) else {
            throw PGError(
                code: .decodingFailed,
                message: "column \"\(layout.names[index])\" is NULL; read it as \(T.self)? to accept NULL")
        }
        return value
    }

    /// Reads the column at `index` as `type`, with NULL as `nil`.
    public func decode<T: PGDecodable>(_ type: T?.Type, at index: Int) throws -> T? {
        guard values.indices.contains(index) else {
            throw PGError(
                code: .decodingFailed,
                message: "the result has no column \(index); it has \(values.count) columns")
        }
        guard let text = values[index] else { return nil }
        let columnType = layout.types[index]
        guard let value = T.decode(pgText: text, type: columnType) else {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            throw PGError(
                code: .decodingFailed,
                message: "column \"\(layout.names[index])\" (\(columnType)) cannot be read as \(T.self): \"\(shown)\"")
        }
        return value
    }

    private func index(of column: String) throws -> Int {
        guard let index = layout.names.firstIndex(of: column) else {
            throw PGError(
                code: .decodingFailed,
                message: "the result has no column \"\(column)\"; it has \(layout.names.joined(separator: ", "))"
            )
        }
        return index
    }
}

/// The column names and types of a result, shared by its rows.
final class PGRowLayout: Sendable, Hashable {
    let names: [String]
    let types: [PGDataType]

    init(names: [String], types: [PGDataType]) {
        self.names = names
        self.types = types
    }

    static func == (left: PGRowLayout, right: PGRowLayout) -> Bool {
        left === right || (left.names == right.names && left.types == right.types)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(names)
        hasher.combine(types)
    }
}
