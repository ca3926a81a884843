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
        var columns = SilverColumns()
        columns.reserveCapacity(batch.rowCount)
        func bad(_ what: String) -> LakehouseError {
            LakehouseError(code: .invalidDeltaLog, message: "silver data file \(path): \(what)")
        }
        for row in batch.rows {
            func text(_ name: String) throws -> String {
                guard case .string(let value)? = row[name] else { throw bad("no text \(name)") }
                return value
            }
            func optionalText(_ name: String) throws -> String? {
                switch row[name] {
                case .string(let value)?: return value
                case .null?: return nil
                default: throw bad("no \(name)")
                }
            }
            func integer(_ name: String) throws -> Int64 {
                guard case .integer(let value)? = row[name] else { throw bad("no integer \(name)") }
                return value
            }
            func cents(_ name: String) throws -> Int64 {
                switch row[name] {
                case .decimal(let value)?:
                    guard let cents = EventJSON.cents(value.description) else { throw bad("\(name) \(value)") }
                    return cents
                case .integer(let value)?: return value
                default: throw bad("no decimal \(name)")
                }
            }
            guard case .timestamp(let micros, _, _)? = row["event_time"] else { throw bad("no event_time") }
            let typeText = try text("event_type")
            guard let type = EventType(rawValue: typeText) else { throw bad("event_type \(typeText)") }
            let event = SilverEvent(
                transactionID: try text("transaction_id"), productID: try text("product_id"),
                productName: try text("product_name"), category: try text("category"),
                quantity: try integer("quantity"), unitPriceCents: try cents("unit_price"),
                totalPriceCents: try cents("total_price"), eventTime: micros, eventDate: eventDate,
                storeID: try text("store_id"), paymentMethod: try optionalText("payment_method"),
                clientType: try optionalText("client_type"), eventType: type)
            columns.append(event, bronzeKey: try text("bronze_key"), bronzeLine: try integer("bronze_line"))
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
