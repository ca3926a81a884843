import CLibPQ

/// The rows and command status of one statement, copied out of libpq's result.
///
/// Values are kept in PostgreSQL's text format (or its binary form, for a query run with
/// ``PGResultFormat/binary``), in one buffer the rows share;
/// ``PGRow/decode(_:_:)-(_,String)`` reads them into Swift types. `nil` is SQL NULL.
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
///
/// The row reads its values from the result's text, kept in one buffer that every row shares:
/// numbers and booleans are parsed from its bytes, and a `String` is made only for a value read
/// as one.
public struct PGRow: Sendable, Hashable {
    /// The result's columns, shared by every row.
    @usableFromInline let layout: PGRowLayout
    /// The result's values, shared by every row.
    @usableFromInline let text: PGResultValues
    /// The row's position in the result.
    @usableFromInline let row: Int

    init(layout: PGRowLayout, text: PGResultValues, row: Int) {
        self.layout = layout
        self.text = text
        self.row = row
    }

    /// The values in column order, in PostgreSQL's text format; `nil` is SQL NULL.
    public var values: [String?] { (0..<layout.names.count).map { self[$0] } }

    /// The result's column names.
    public var columns: [String] { layout.names }

    /// The raw text of the column at `index`. In a binary result, the text of a text-like
    /// column, and the value's bytes in hex (`\\x…`) for any other.
    public subscript(index: Int) -> String? {
        let textual = !text.binary || layout.types[index].isTextual
        return text.withValue(row: row, column: index) { bytes in
            bytes.map { textual ? String(decoding: $0, as: UTF8.self) : "\\x" + $0.map { PGRow.hex($0) }.joined() }
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// Rows are equal when their columns and values are.
    public static func == (left: PGRow, right: PGRow) -> Bool {
        left.layout == right.layout && left.values == right.values
    }

    /// Hashes the columns and values.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(layout)
        hasher.combine(values)
    }

    /// The raw text of the first column named `column`.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/decodingFailed`` when the result has no
    ///   such column; the message lists the columns it has.
    /// - Complexity: O(number of columns).
    public func value(_ column: String) throws -> String? { self[try index(of: column)] }

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
    @inlinable
    public func decode<T: PGDecodable>(_ type: T.Type, at index: Int) throws -> T {
        guard let value = try decode(T?.self, at: index) else { throw nullError(at: index, reading: T.self) }
        return value
    }

    /// Reads the column at `index` as `type`, with NULL as `nil`.
    ///
    /// Inlinable, so that each caller's `T` is known where the value is read: a row of many
    /// columns is read without a generic call per value.
    @inlinable
    public func decode<T: PGDecodable>(_ type: T?.Type, at index: Int) throws -> T? {
        guard index >= 0, index < layout.names.count else { throw missingColumnError(index) }
        let field = row &* text.columnCount &+ index
        let length = Int(text.lengths[field])
        guard length >= 0 else { return nil }
        let start = text.starts[field]
        let columnType = layout.types[index]
        let binary = text.binary
        let value = text.bytes.withUnsafeBufferPointer { all -> T? in
            let bytes = UnsafeBufferPointer(rebasing: all[start..<start + length])
            return binary ? T.decode(pgBinary: bytes, type: columnType) : T.decode(pgBytes: bytes, type: columnType)
        }
        guard let value else { throw unreadableError(at: index, reading: T.self) }
        return value
    }

    /// The error for a NULL read as a type that cannot hold it.
    @usableFromInline
    func nullError(at index: Int, reading type: Any.Type) -> PGError {
        PGError(
            code: .decodingFailed,
            message: "column \"\(layout.names[index])\" is NULL; read it as \(type)? to accept NULL")
    }

    /// The error for a column index the result does not have.
    @usableFromInline
    func missingColumnError(_ index: Int) -> PGError {
        PGError(
            code: .decodingFailed, message: "the result has no column \(index); it has \(layout.names.count) columns")
    }

    /// The error for a value `type` cannot read, showing its start.
    @usableFromInline
    func unreadableError(at index: Int, reading type: Any.Type) -> PGError {
        let binary = text.binary
        let columnType = layout.types[index]
        let text = self[index] ?? ""
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        let form = binary ? " from its binary form" : ""
        return PGError(
            code: .decodingFailed,
            message: "column \"\(layout.names[index])\" (\(columnType)) cannot be read as \(type)\(form): \"\(shown)\""
                + (binary ? "; read it in a text result" : ""))
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
@usableFromInline
final class PGRowLayout: Sendable, Hashable {
    @usableFromInline let names: [String]
    @usableFromInline let types: [PGDataType]

    init(names: [String], types: [PGDataType]) {
        self.names = names
        self.types = types
    }

    @usableFromInline
    static func == (left: PGRowLayout, right: PGRowLayout) -> Bool {
        left === right || (left.names == right.names && left.types == right.types)
    }

    @usableFromInline
    func hash(into hasher: inout Hasher) {
        hasher.combine(names)
        hasher.combine(types)
    }
}

/// The values of a result: each value's bytes followed by a NUL, in one buffer, and where
/// each value starts and how long it is (-1 for SQL NULL), row after row. The bytes are the
/// value's text, or its binary form in a result asked for in ``PGResultFormat/binary``.
@usableFromInline
final class PGResultValues: Sendable {
    @usableFromInline let columnCount: Int
    /// Whether the values are in PostgreSQL's binary form.
    @usableFromInline let binary: Bool
    @usableFromInline let bytes: [UInt8]
    @usableFromInline let starts: [Int]
    @usableFromInline let lengths: [Int32]

    /// Copies the values of a libpq result (`PGresult *`).
    init(copying result: OpaquePointer, rows rowCount: Int, columns columnCount: Int) {
        self.columnCount = columnCount
        binary = columnCount > 0 && PQfformat(result, 0) == 1
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var lengths: [Int32] = []
        starts.reserveCapacity(rowCount * columnCount)
        lengths.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                starts.append(bytes.count)
                guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else {
                    lengths.append(-1)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                value.withMemoryRebound(to: UInt8.self, capacity: length) {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
                bytes.append(0)
                lengths.append(Int32(length))
            }
        }
        self.bytes = bytes
        self.starts = starts
        self.lengths = lengths
    }

    /// Calls `body` with the bytes of the value at `row`, `column` (not counting the NUL that
    /// follows them), or `nil` for SQL NULL.
    func withValue<R>(row: Int, column: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        let field = row * columnCount + column
        let length = Int(lengths[field])
        guard length >= 0 else { return body(nil) }
        let start = starts[field]
        return bytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[start..<start + length]))
        }
    }
}

/// The form a query's result values come in.
public enum PGResultFormat: Sendable, Hashable {
    /// PostgreSQL's text format: every type, read as ``PGDecodable/decode(pgText:type:)`` reads it.
    case text
    /// PostgreSQL's binary format: nothing formatted by the server or parsed by the client.
    /// Integers, floats, booleans, text-like columns, `timestamptz`, `timestamp` and `date` read
    /// into the Swift types that read them from text; other types (such as `numeric`) fail to
    /// decode with an error that says to read them in a text result.
    case binary
}
