/// The rows and command status of one statement, copied out of libpq's result.
///
/// Values are in PostgreSQL's text format; `nil` is SQL NULL.
public struct PGQueryResult: Sendable, Hashable {
    /// The column names, in result order.
    public let columns: [String]
    /// The rows, in result order.
    public let rows: [PGRow]
    /// The command tag (`SELECT 3`, `INSERT 0 1`, `CREATE TABLE`).
    public let commandTag: String
    /// The number of rows the command affected or returned, when the command reports one.
    public let affectedRows: Int?

    init(columns: [String], rows: [PGRow], commandTag: String, affectedRows: Int?) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }
}

/// One row of a ``PGQueryResult``.
public struct PGRow: Sendable, Hashable {
    /// The result's column names, shared by every row.
    public let columns: [String]
    /// The values in column order, in PostgreSQL's text format; `nil` is SQL NULL.
    public let values: [String?]

    /// The value of the column at `index`.
    public subscript(index: Int) -> String? { values[index] }

    /// The value of the first column named `column`.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/decodingFailed`` when the result has no
    ///   such column; the message lists the columns it has.
    /// - Complexity: O(number of columns).
    public func value(_ column: String) throws -> String? {
        guard let index = columns.firstIndex(of: column) else {
            throw PGError(
                code: .decodingFailed,
                message: "the result has no column \"\(column)\"; it has \(columns.joined(separator: ", "))"
            )
        }
        return values[index]
    }
}
