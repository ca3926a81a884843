import AWSLite
import DeltaLite
import Foundation
import Logging
import PGLite
import ParquetLite

/// The fact tables' history as Delta tables in the gold bucket (`s3://<gold>/<table>/`,
/// partitioned by `month`, `2026-01`): a month leaves PostgreSQL only once it is here, so the
/// whole history stays queryable by delta-rs, DuckDB, Spark or Trino.
///
/// Each month is one commit holding one Parquet file and the transaction
/// `txn(lakehouse-export, YYYYMM)`: a month exported before (a retention run that stopped
/// between the export and the drop) is not exported twice.
struct GoldExport: Sendable {
    /// A column of an exported table: its name, how PostgreSQL gives it, and its type.
    struct Column: Sendable {
        enum Kind: Sendable { case text, integer, cents, timestamp }
        var name: String
        var kind: Kind
        var nullable = false

        /// The select expression: integers as `bigint`, money in cents, times in microseconds.
        var expression: String {
            switch kind {
            case .text: name
            case .integer: "\(name)::bigint"
            case .cents: "(\(name) * 100)::bigint"
            case .timestamp: "(extract(epoch FROM \(name)) * 1000000)::bigint"
            }
        }
    }

    /// An exported table: its name (in PostgreSQL and under the gold bucket) and columns.
    struct Table: Sendable {
        var name: String
        var columns: [Column]
        /// The order rows are written in (stable files for the same month).
        var order: String
    }

    static let tables: [Table] = [
        Table(
            name: "fact_sales",
            columns: [
                .init(name: "transaction_id", kind: .text), .init(name: "product_id", kind: .text),
                .init(name: "date_key", kind: .integer), .init(name: "store_key", kind: .integer),
                .init(name: "product_key", kind: .integer),
                .init(name: "payment_method_key", kind: .integer, nullable: true),
                .init(name: "client_type_key", kind: .integer, nullable: true),
                .init(name: "quantity", kind: .integer), .init(name: "unit_price", kind: .cents),
                .init(name: "total_price", kind: .cents), .init(name: "event_time", kind: .timestamp),
                .init(name: "silver_batch", kind: .integer, nullable: true),
            ], order: "date_key, transaction_id, product_id"),
        Table(
            name: "fact_stock_movement",
            columns: [
                .init(name: "transaction_id", kind: .text), .init(name: "product_id", kind: .text),
                .init(name: "event_type", kind: .text), .init(name: "date_key", kind: .integer),
                .init(name: "store_key", kind: .integer), .init(name: "product_key", kind: .integer),
                .init(name: "event_time", kind: .timestamp),
                .init(name: "quantity_change", kind: .integer, nullable: true),
                .init(name: "counted_quantity", kind: .integer, nullable: true),
                .init(name: "silver_batch", kind: .integer, nullable: true),
            ], order: "date_key, transaction_id, product_id, event_type"),
        Table(
            name: "fact_inventory_snapshot",
            columns: [
                .init(name: "date_key", kind: .integer), .init(name: "store_key", kind: .integer),
                .init(name: "product_key", kind: .integer), .init(name: "closing_on_hand", kind: .integer),
            ], order: "date_key, store_key, product_key"),
    ]

    /// The application id of the export's Delta transactions.
    static let applicationID = "lakehouse-export"

    let connection: PGConnection
    let s3: S3Client
    let bucket: String
    let logger: Logger

    func log(_ table: Table) -> DeltaLog { DeltaLog(s3: s3, bucket: bucket, root: table.name, logger: logger) }

    /// Exports month `month` (`YYYYMM`) of `table`'s partition `partition`, unless the Delta
    /// table holds it already; returns the rows the month holds in Delta.
    ///
    /// - Throws: ``PGError``, ``AWSError``, ``ParquetError`` or ``DeltaError``; nothing is
    ///   dropped then.
    func export(_ table: Table, partition: String, month: Int) async throws -> Int {
        let log = log(table)
        let snapshot = try await log.snapshot()
        let monthText = String(format: "%04d-%02d", month / 100, month % 100)
        if let done = snapshot?.transactions[Self.applicationID], done >= Int64(month) {
            return snapshot?.files.values.filter { $0.partitionValues["month"] == monthText }
                .compactMap { Self.records(in: $0.stats) }.reduce(0, +) ?? 0
        }
        let path = "month=\(monthText)/part-\(month).zstd.parquet"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).parquet")
        defer { try? FileManager.default.removeItem(at: file) }
        let rows = try await write(table, partition: partition, to: file.path)
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
        try await s3.putObject(
            bucket: bucket, key: log.root + path, contentsOfFile: file.path,
            contentType: "application/vnd.apache.parquet")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var actions: [DeltaAction] = []
        if snapshot == nil {
            actions += try DeltaAction.creatingTable(
                schema: deltaSchema(table), partitionColumns: ["month"], name: table.name, createdTime: now)
        }
        actions += [
            .add(
                DeltaAddFile(
                    path: path, partitionValues: ["month": monthText], size: Int64(size), modificationTime: now,
                    dataChange: true, stats: "{\"numRecords\":\(rows)}")),
            .transaction(DeltaTransaction(appID: Self.applicationID, version: Int64(month), lastUpdated: now)),
            .commitInfo(
                DeltaCommitInfo(
                    timestamp: now, operation: "WRITE",
                    operationParameters: ["mode": "Append", "exportedPartition": partition],
                    engineInfo: "LakehouseCore/\(LakehouseCore.version)")),
        ]
        _ = try await log.commit(actions, after: snapshot)
        logger.info(
            "gold month exported",
            metadata: ["table": "\(table.name)", "month": "\(monthText)", "rows": "\(rows)", "path": "\(path)"])
        return rows
    }

    /// The Delta schema: the columns, then the partition column `month`.
    func deltaSchema(_ table: Table) -> DeltaSchema {
        DeltaSchema(
            table.columns.map { column in
                let type: DeltaSchema.FieldType =
                    switch column.kind {
                    case .text: .string
                    case .integer: .long
                    case .cents: .decimal(12, 2)
                    case .timestamp: .timestamp
                    }
                return DeltaSchema.Field(column.name, type, nullable: column.nullable)
            } + [DeltaSchema.Field("month", .string, nullable: false)])
    }

    /// Writes the partition's rows, a day at a time (one row group each), to a Parquet file at
    /// `path`; returns how many.
    private func write(_ table: Table, partition: String, to path: String) async throws -> Int {
        let schema = try ParquetSchema(
            table.columns.map { column in
                let repetition: ParquetRepetition = column.nullable ? .optional : .required
                return switch column.kind {
                case .text: .string(column.name, repetition: repetition)
                case .integer: .int64(column.name, repetition: repetition)
                case .cents: .decimal(column.name, precision: 12, scale: 2, repetition: repetition)
                case .timestamp: .timestamp(column.name, repetition: repetition)
                }
            })
        let writer = try ParquetWriter(schema: schema, sink: try ParquetFileSink(path: path))
        let days = try await connection.query("SELECT DISTINCT date_key FROM \(partition) ORDER BY 1").rows.map {
            try $0.decode(Int32.self, at: 0)
        }
        var total = 0
        for day in days {
            let result = try await connection.query(
                "SELECT \(table.columns.map(\.expression).joined(separator: ", ")) FROM \(partition) WHERE date_key = $1 ORDER BY \(table.order)",
                [day])
            try await writer.write(
                try table.columns.enumerated().map { index, column in try batch(result, index, column) })
            total += result.rows.count
        }
        try await writer.close()
        return total
    }

    /// Column `index` of `result` as a Parquet batch.
    private func batch(_ result: PGQueryResult, _ index: Int, _ column: Column) throws -> ParquetColumnBatch {
        if column.kind == .text {
            let values = try result.rows.map { try $0.decode(String?.self, at: index) }
            return ParquetColumnBatch(
                .byteArray(ParquetByteArrays(strings: values.compactMap { $0 })),
                validity: column.nullable ? values.map { $0 != nil } : nil)
        }
        let values = try result.rows.map { try $0.decode(Int64?.self, at: index) }
        return ParquetColumnBatch(
            .int64(values.compactMap { $0 }), validity: column.nullable ? values.map { $0 != nil } : nil)
    }

    /// `numRecords` of an `add` action's statistics.
    static func records(in stats: String?) -> Int? {
        guard let stats, let object = try? JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Any]
        else { return nil }
        return (object["numRecords"] as? NSNumber)?.intValue
    }
}
