import DeltaLite
import ParquetLite

extension SilverTable {
    /// The rows of one data file of the silver table, as ``dataFiles(_:name:modificationTime:)``
    /// wrote them: what a batch committed to Delta holds, for loading PostgreSQL with exactly
    /// that after a crash between the two.
    ///
    /// - Parameters:
    ///   - bytes: the Parquet file.
    ///   - eventDate: the file's partition value (`event_date`, days since 1970).
    /// - Throws: ``ParquetError`` for a file that does not decode, ``LakehouseError`` with
    ///   ``LakehouseError/Code/invalidDeltaLog`` for one that lacks a column or holds a value
    ///   silver never writes.
    static func rows(ofDataFile bytes: [UInt8], path: String, eventDate: Int32) throws -> SilverColumns {
        let batch = try ParquetReader(bytes: bytes).read()
        func bad(_ what: String) -> LakehouseError {
            LakehouseError(code: .invalidDeltaLog, message: "silver data file \(path): \(what)")
        }
        let rows = batch.rowCount
        func text(_ name: String, nullable: Bool = false) throws -> SilverTextColumn {
            guard let column = batch.column(named: name)?.primitive, case .byteArray(let values) = column.values,
                nullable || column.validity.map({ !$0.contains(false) }) ?? true,
                let text = SilverTextColumn(present: values, validity: column.validity, rows: rows)
            else { throw bad("no text column \(name) of \(rows) \(nullable ? "values" : "non-null values")") }
            return text
        }
        func integers(_ name: String, _ logical: ParquetLogicalType? = nil) throws -> [Int64] {
            guard let column = batch.column(named: name)?.primitive, case .int64(let values) = column.values,
                values.count == rows, column.validity.map({ !$0.contains(false) }) ?? true
            else { throw bad("no 64-bit column \(name) of \(rows) non-null values") }
            if let logical {
                guard let field = batch.fields.first(where: { $0.name == name }),
                    case .primitive(_, let found, _) = field.kind, found == logical
                else { throw bad("\(name) is not \(logical)") }
            }
            return values
        }
        var columns = SilverColumns()
        columns.transactionID = try text("transaction_id")
        columns.productID = try text("product_id")
        columns.productName = try text("product_name")
        columns.category = try text("category")
        columns.quantity = try integers("quantity")
        let cents = ParquetLogicalType.decimal(precision: 12, scale: 2)
        columns.unitPriceCents = try integers("unit_price", cents)
        columns.totalPriceCents = try integers("total_price", cents)
        columns.eventTime = try integers("event_time", .timestamp(unit: .microseconds, isAdjustedToUTC: true))
        columns.eventDate = Array(repeating: eventDate, count: rows)
        columns.storeID = try text("store_id")
        columns.paymentMethod = try text("payment_method", nullable: true)
        columns.clientType = try text("client_type", nullable: true)
        columns.eventType = try text("event_type")
        columns.bronzeKey = try text("bronze_key")
        columns.bronzeLine = try integers("bronze_line")
        for row in 0..<rows where EventType(rawValue: columns.eventType[row] ?? "") == nil {
            throw bad("event_type \(columns.eventType[row] ?? "") at row \(row)")
        }
        return columns
    }

    /// The records of one data file of the quarantine table, as
    /// ``quarantineFile(_:name:modificationTime:)`` wrote them.
    ///
    /// - Throws: as ``rows(ofDataFile:path:eventDate:)``.
    static func quarantined(ofFile bytes: [UInt8], path: String) throws -> [SilverStore.QuarantinedRecord] {
        let batch = try ParquetReader(bytes: bytes).read()
        func bad(_ what: String) -> LakehouseError {
            LakehouseError(code: .invalidDeltaLog, message: "quarantine data file \(path): \(what)")
        }
        return try batch.rows.map { row in
            guard case .string(let key)? = row["bronze_key"], case .integer(let line)? = row["bronze_line"],
                case .string(let reason)? = row["reason"], case .string(let detail)? = row["detail"]
            else { throw bad("a record without its key, line, reason or detail") }
            let payload: [UInt8]
            switch row["payload"] {
            case .bytes(let bytes)?: payload = bytes
            case .string(let text)?: payload = Array(text.utf8)
            default: throw bad("a record without its payload")
            }
            return SilverStore.QuarantinedRecord(
                bronzeKey: key, bronzeLine: line, rejection: SilverRejection(reason: reason, detail: detail),
                payload: payload)
        }
    }
}
