import DeltaLite
import Foundation
import ParquetLite

/// The silver Delta table (`s3://<silver>/sales/`): its columns, partitioned by `event_date`,
/// and its data files — Parquet written by ParquetLite (zstd), one file per partition of a batch,
/// each with the `add` action and statistics Delta readers use to skip files.
public enum SilverTable {
    /// The table's prefix in the silver bucket.
    public static let root = "sales/"
    /// The partition column (UTC date of the event); in the path, not in the files.
    public static let partitionColumn = "event_date"

    /// A cleaned event and where in bronze it came from.
    public struct Row: Sendable, Hashable {
        /// The event, cleaned by ``SilverRules``.
        public var event: SilverEvent
        /// The bronze object's key.
        public var bronzeKey: String
        /// The line in that object, from 1.
        public var bronzeLine: Int64

        /// `event`, read at line `bronzeLine` of the bronze object `bronzeKey`.
        public init(event: SilverEvent, bronzeKey: String, bronzeLine: Int64) {
            self.event = event
            self.bronzeKey = bronzeKey
            self.bronzeLine = bronzeLine
        }
    }

    /// The columns, in order; `event_date` is the last and the partition column.
    public static let schema = DeltaSchema([
        .init("transaction_id", .string, nullable: false), .init("product_id", .string, nullable: false),
        .init("product_name", .string, nullable: false), .init("category", .string, nullable: false),
        .init("quantity", .long, nullable: false), .init("unit_price", .decimal(12, 2), nullable: false),
        .init("total_price", .decimal(12, 2), nullable: false), .init("event_time", .timestamp, nullable: false),
        .init("store_id", .string, nullable: false), .init("payment_method", .string),
        .init("client_type", .string), .init("event_type", .string, nullable: false),
        .init("bronze_key", .string, nullable: false), .init("bronze_line", .long, nullable: false),
        .init(partitionColumn, .date, nullable: false),
    ])

    /// The data files' Parquet schema: every column but the partition column.
    static func parquetSchema() throws -> ParquetSchema {
        try ParquetSchema([
            .string("transaction_id"), .string("product_id"), .string("product_name"), .string("category"),
            .int64("quantity"), .decimal("unit_price", precision: 12, scale: 2),
            .decimal("total_price", precision: 12, scale: 2), .timestamp("event_time"), .string("store_id"),
            .string("payment_method", repetition: .optional), .string("client_type", repetition: .optional),
            .string("event_type"), .string("bronze_key"), .int64("bronze_line"),
        ])
    }

    /// A data file ready to upload: its path under ``root``, its bytes and its `add` action.
    public struct DataFile: Sendable {
        /// Its path under ``SilverTable/root``: `event_date=<date>/<name>-<date>.zstd.parquet`.
        public var path: String
        /// The whole Parquet file (zstd), as uploaded.
        public var bytes: [UInt8]
        /// The Delta `add` action that commits it: path, partition value, size and statistics.
        public var add: DeltaAddFile
    }

    /// Encodes `rows` as one data file per event date, named `<name>-<date>.zstd.parquet` under
    /// `event_date=<date>/`, so that a batch written again lands on the same paths.
    ///
    /// - Parameter modificationTime: milliseconds since 1970, for the `add` actions.
    /// - Throws: ``ParquetError`` if encoding fails.
    public static func dataFiles(_ rows: [Row], name: String, modificationTime: Int64) async throws -> [DataFile] {
        try await dataFiles(SilverColumns(rows: rows), name: name, modificationTime: modificationTime)
    }

    /// Encodes `columns` as one data file per event date (see ``dataFiles(_:name:modificationTime:)``),
    /// several files at once on a machine with several cores.
    public static func dataFiles(_ columns: SilverColumns, name: String, modificationTime: Int64) async throws
        -> [DataFile]
    {
        let dates = Dictionary(grouping: 0..<columns.count, by: { columns.eventDate[$0] }).sorted { $0.key < $1.key }
        // Several dates: one file per core at a time; one date: its columns on every core.
        let columnsConcurrently = dates.count == 1
        return try await withThrowingTaskGroup(of: (Int, DataFile).self) { tasks in
            for (index, date) in dates.enumerated() {
                tasks.addTask {
                    let group = dates.count == 1 ? columns : columns.selecting(date.value)
                    let file = try await dataFile(
                        group, name: name, modificationTime: modificationTime,
                        columnsConcurrently: columnsConcurrently)
                    return (index, file)
                }
            }
            var files: [(Int, DataFile)] = []
            for try await file in tasks { files.append(file) }
            return files.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The data file of rows of one event date.
    private static func dataFile(
        _ group: SilverColumns, name: String, modificationTime: Int64, columnsConcurrently: Bool
    ) async throws -> DataFile {
        let dateText = SilverEvent.dateText(group.eventDate[0])
        let sink = ParquetMemorySink()
        var configuration = ParquetWriter.Configuration()
        configuration.encodesColumnsConcurrently = columnsConcurrently
        let writer = try ParquetWriter(schema: try parquetSchema(), configuration: configuration, sink: sink)
        func text(_ column: SilverTextColumn) -> ParquetColumnBatch {
            guard let validity = column.validity else {
                return ParquetColumnBatch(.byteArray(ParquetByteArrays(bytes: column.bytes, offsets: column.offsets)))
            }
            // Parquet holds the present values only: a null's (empty) slot is left out.
            var offsets: [Int32] = [0]
            offsets.reserveCapacity(column.count + 1)
            for row in 0..<column.count where validity[row] { offsets.append(column.offsets[row + 1]) }
            return ParquetColumnBatch(
                .byteArray(ParquetByteArrays(bytes: column.bytes, offsets: offsets)), validity: validity)
        }
        try await writer.write([
            text(group.transactionID), text(group.productID), text(group.productName), text(group.category),
            ParquetColumnBatch(.int64(group.quantity)), ParquetColumnBatch(.int64(group.unitPriceCents)),
            ParquetColumnBatch(.int64(group.totalPriceCents)), ParquetColumnBatch(.int64(group.eventTime)),
            text(group.storeID), text(group.paymentMethod), text(group.clientType), text(group.eventType),
            text(group.bronzeKey), ParquetColumnBatch(.int64(group.bronzeLine)),
        ])
        try await writer.close()
        let path = "\(partitionColumn)=\(dateText)/\(name)-\(dateText).zstd.parquet"
        return DataFile(
            path: path, bytes: sink.bytes,
            add: DeltaAddFile(
                path: path, partitionValues: [partitionColumn: dateText], size: Int64(sink.bytes.count),
                modificationTime: modificationTime, dataChange: true, stats: statistics(group)))
    }

    /// The quarantine Delta table's prefix in the silver bucket.
    public static let quarantineRoot = "quarantine/"

    /// The quarantine table's columns (not partitioned).
    public static let quarantineSchema = DeltaSchema([
        .init("bronze_key", .string, nullable: false), .init("bronze_line", .long, nullable: false),
        .init("reason", .string, nullable: false), .init("detail", .string, nullable: false),
        .init("payload", .binary, nullable: false),
    ])

    /// Encodes quarantined records as one data file `<name>.zstd.parquet` of the quarantine table.
    public static func quarantineFile(
        _ records: [SilverStore.QuarantinedRecord], name: String, modificationTime: Int64
    ) async throws -> DataFile {
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(
            schema: try ParquetSchema([
                .string("bronze_key"), .int64("bronze_line"), .string("reason"), .string("detail"), .bytes("payload"),
            ]), sink: sink)
        try await writer.write([
            .strings(records.map(\.bronzeKey)), .int64s(records.map(\.bronzeLine)),
            .strings(records.map(\.rejection.reason)), .strings(records.map(\.rejection.detail)),
            .byteArrays(records.map(\.payload)),
        ])
        try await writer.close()
        let path = "\(name).zstd.parquet"
        return DataFile(
            path: path, bytes: sink.bytes,
            add: DeltaAddFile(
                path: path, partitionValues: [:], size: Int64(sink.bytes.count), modificationTime: modificationTime,
                dataChange: true, stats: "{\"numRecords\":\(records.count)}"))
    }

    /// Delta's per-file statistics: record count, and min, max and null count of each column.
    static func statistics(_ columns: SilverColumns) -> String {
        var minimums: [(String, String)] = []
        var maximums: [(String, String)] = []
        var nulls: [(String, Int)] = []
        func text(_ name: String, _ column: SilverTextColumn) {
            var low: Int?
            var high: Int?
            var nullCount = 0
            for row in 0..<column.count {
                if let flags = column.validity, !flags[row] {
                    nullCount += 1
                    continue
                }
                if low.map({ bytewise(column, row, $0) }) ?? true { low = row }
                if high.map({ bytewise(column, $0, row) }) ?? true { high = row }
            }
            nulls.append((name, nullCount))
            guard let low, let high, let lowText = column[low], let highText = column[high] else { return }
            minimums.append((name, quoted(lowText)))
            maximums.append((name, quoted(highText)))
        }
        func number(_ name: String, _ values: [Int64], cents: Bool = false) {
            nulls.append((name, 0))
            guard let low = values.min(), let high = values.max() else { return }
            minimums.append((name, cents ? EventJSON.centsText(low) : String(low)))
            maximums.append((name, cents ? EventJSON.centsText(high) : String(high)))
        }
        text("transaction_id", columns.transactionID)
        text("product_id", columns.productID)
        text("product_name", columns.productName)
        text("category", columns.category)
        number("quantity", columns.quantity)
        number("unit_price", columns.unitPriceCents, cents: true)
        number("total_price", columns.totalPriceCents, cents: true)
        if let low = columns.eventTime.min(), let high = columns.eventTime.max() {
            // Readers compare at millisecond precision: round the bounds outwards.
            minimums.append(
                ("event_time", quoted(EventTimestamp.format(micros: EventTimestamp.floorDivide(low, 1000) * 1000))))
            maximums.append(
                ("event_time", quoted(EventTimestamp.format(micros: -EventTimestamp.floorDivide(-high, 1000) * 1000))))
        }
        nulls.append(("event_time", 0))
        text("store_id", columns.storeID)
        text("payment_method", columns.paymentMethod)
        text("client_type", columns.clientType)
        text("event_type", columns.eventType)
        text("bronze_key", columns.bronzeKey)
        number("bronze_line", columns.bronzeLine)
        func object(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\(quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        }
        return "{\"numRecords\":\(columns.count),\"minValues\":\(object(minimums)),\"maxValues\":\(object(maximums)),"
            + "\"nullCount\":\(object(nulls.map { ($0.0, String($0.1)) }))}"
    }

    /// Whether value `left` of `column` sorts before value `right` in UTF-8 byte order, as
    /// Parquet and Delta statistics compare strings.
    private static func bytewise(_ column: SilverTextColumn, _ left: Int, _ right: Int) -> Bool {
        column.withBytes(left) { a in
            column.withBytes(right) { b in
                let common = min(a.count, b.count)
                let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
                return order != 0 ? order < 0 : a.count < b.count
            }
        }
    }

    private static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        EventJSON.string(text, &out)
        return String(decoding: out, as: UTF8.self)
    }
}
