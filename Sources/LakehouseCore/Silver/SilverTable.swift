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
        public var event: SilverEvent
        /// The bronze object's key.
        public var bronzeKey: String
        /// The line in that object, from 1.
        public var bronzeLine: Int64

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
        public var path: String
        public var bytes: [UInt8]
        public var add: DeltaAddFile
    }

    /// Encodes `rows` as one data file per event date, named `<name>-<date>.zstd.parquet` under
    /// `event_date=<date>/`, so that a batch written again lands on the same paths.
    ///
    /// - Parameter modificationTime: milliseconds since 1970, for the `add` actions.
    /// - Throws: ``ParquetError`` if encoding fails.
    public static func dataFiles(_ rows: [Row], name: String, modificationTime: Int64) async throws -> [DataFile] {
        var files: [DataFile] = []
        for (_, group) in Dictionary(grouping: rows, by: \.event.eventDate).sorted(by: { $0.key < $1.key }) {
            let dateText = group[0].event.eventDateText
            let sink = ParquetMemorySink()
            let writer = try ParquetWriter(schema: try parquetSchema(), sink: sink)
            let events = group.map(\.event)
            try await writer.write([
                .strings(events.map(\.transactionID)), .strings(events.map(\.productID)),
                .strings(events.map(\.productName)), .strings(events.map(\.category)),
                .int64s(events.map(\.quantity)), .int64s(events.map(\.unitPriceCents)),
                .int64s(events.map(\.totalPriceCents)), .int64s(events.map(\.eventTime)),
                .strings(events.map(\.storeID)), .strings(events.map(\.paymentMethod)),
                .strings(events.map(\.clientType)), .strings(events.map(\.eventType.rawValue)),
                .strings(group.map(\.bronzeKey)), .int64s(group.map(\.bronzeLine)),
            ])
            try await writer.close()
            let path = "\(partitionColumn)=\(dateText)/\(name)-\(dateText).zstd.parquet"
            files.append(
                DataFile(
                    path: path, bytes: sink.bytes,
                    add: DeltaAddFile(
                        path: path, partitionValues: [partitionColumn: dateText], size: Int64(sink.bytes.count),
                        modificationTime: modificationTime, dataChange: true, stats: statistics(group))))
        }
        return files
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
    static func statistics(_ rows: [Row]) -> String {
        var minimums: [(String, String)] = []
        var maximums: [(String, String)] = []
        var nulls: [(String, Int)] = []
        func text(_ name: String, _ values: [String?]) {
            let present = values.compactMap { $0 }
            nulls.append((name, values.count - present.count))
            guard let low = present.min(by: bytewise), let high = present.max(by: bytewise) else { return }
            minimums.append((name, quoted(low)))
            maximums.append((name, quoted(high)))
        }
        func number(_ name: String, _ values: [Int64], cents: Bool = false) {
            nulls.append((name, 0))
            guard let low = values.min(), let high = values.max() else { return }
            minimums.append((name, cents ? EventJSON.centsText(low) : String(low)))
            maximums.append((name, cents ? EventJSON.centsText(high) : String(high)))
        }
        let events = rows.map(\.event)
        text("transaction_id", events.map(\.transactionID))
        text("product_id", events.map(\.productID))
        text("product_name", events.map(\.productName))
        text("category", events.map(\.category))
        number("quantity", events.map(\.quantity))
        number("unit_price", events.map(\.unitPriceCents), cents: true)
        number("total_price", events.map(\.totalPriceCents), cents: true)
        if let low = events.map(\.eventTime).min(), let high = events.map(\.eventTime).max() {
            // Readers compare at millisecond precision: round the bounds outwards.
            minimums.append(
                ("event_time", quoted(EventTimestamp.format(micros: EventTimestamp.floorDivide(low, 1000) * 1000))))
            maximums.append(
                ("event_time", quoted(EventTimestamp.format(micros: -EventTimestamp.floorDivide(-high, 1000) * 1000))))
        }
        nulls.append(("event_time", 0))
        text("store_id", events.map(\.storeID))
        text("payment_method", events.map(\.paymentMethod))
        text("client_type", events.map(\.clientType))
        text("event_type", events.map(\.eventType.rawValue))
        text("bronze_key", rows.map(\.bronzeKey))
        number("bronze_line", rows.map(\.bronzeLine))
        func object(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\(quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        }
        return "{\"numRecords\":\(rows.count),\"minValues\":\(object(minimums)),\"maxValues\":\(object(maximums)),"
            + "\"nullCount\":\(object(nulls.map { ($0.0, String($0.1)) }))}"
    }

    private static func bytewise(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    private static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        EventJSON.string(text, &out)
        return String(decoding: out, as: UTF8.self)
    }
}
