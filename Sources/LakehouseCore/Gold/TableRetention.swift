import AWSLite
import Foundation
import Logging
import PGLite

/// How long PostgreSQL keeps what grows with time, and what happens to what leaves.
///
/// Months are counted on the data's clock, back from the month of the newest event gold holds
/// (a backlog or a simulation keeps its history however fast it is loaded); the operational
/// tables on the wall clock.
public struct RetentionPolicy: Sendable, Hashable {
    /// Months of the fact tables (`fact_sales`, `fact_stock_movement`,
    /// `fact_inventory_snapshot`) kept in PostgreSQL, the newest event's month included
    /// (default 13: this month and the same month last year). Older months are exported to the
    /// gold bucket as Delta tables (``GoldExport``) and then dropped; without a gold bucket they
    /// stay.
    public var factMonths = 13
    /// Months of `sales_silver` kept (default 13). Older months are dropped: the silver Delta
    /// table holds them. This is also how far back silver recognises a duplicate.
    public var silverMonths = 13
    /// Days of run history (`pipeline_run`) kept (default 90).
    public var runDays = 90
    /// Days silver's bookkeeping of processed bronze objects (`silver_manifest`, the registry's
    /// processed rows) is kept (default 400; a backfill of older days reads their objects again
    /// and finds their rows as duplicates while `sales_silver` still holds them).
    public var manifestDays = 400
    /// Days a resolved alert is kept after it was resolved, in event time (default 180).
    public var resolvedAlertDays = 180
    /// Days order proposals (`order_review` and their `order_line`s) are kept after their review
    /// day, in event time (default 400); drafts still proposed are kept.
    public var reviewDays = 400
    /// The bucket months of facts are exported to before they are dropped (`S3_BUCKET_GOLD`);
    /// `nil`: facts are never dropped.
    public var goldBucket: String?

    /// The defaults above, exporting to `goldBucket`.
    public init(goldBucket: String?) { self.goldBucket = goldBucket }
}

/// Applies a ``RetentionPolicy``: exports and drops old months of the fact tables, drops old
/// months of `sales_silver`, and deletes old run history, bookkeeping and resolved alerts.
public struct TableRetention: Sendable {
    /// What a retention run did.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// Monthly partitions dropped, `table_YYYY_MM`, each fact month after its export.
        public var droppedPartitions: [String] = []
        /// Rows exported to the gold bucket before their months were dropped.
        public var exportedRows = 0
        /// Rows deleted from `pipeline_run`, `silver_manifest`, `bronze_object` and `stock_alert`.
        public var deletedRows = 0

        /// `retention: dropped fact_sales_2025_01, …; 12,000 rows exported; 40 rows deleted`.
        public var description: String {
            "retention: dropped \(droppedPartitions.isEmpty ? "no partition" : droppedPartitions.joined(separator: ", "))"
                + "; \(exportedRows) rows exported; \(deletedRows) old rows deleted"
        }
    }

    let connection: PGConnection
    let s3: S3Client
    /// The policy applied.
    public let policy: RetentionPolicy
    let logger: Logger

    /// Retention of the pipeline's tables on `connection`, exporting through `s3`.
    public init(connection: PGConnection, s3: S3Client, policy: RetentionPolicy, logger: Logger) {
        self.connection = connection
        self.s3 = s3
        self.policy = policy
        self.logger = logger
    }

    /// Applies the policy once.
    ///
    /// - Throws: ``PGError``, ``AWSError``, ``ParquetError`` or ``DeltaError``; a month is
    ///   dropped only after its export is committed, so a rerun takes up where this stopped.
    public func run() async throws -> Report {
        var report = Report()
        if let newest = try await newestMonth() {
            if let bucket = policy.goldBucket {
                let export = GoldExport(connection: connection, s3: s3, bucket: bucket, logger: logger)
                for table in GoldExport.tables {
                    for (partition, month) in try await partitions(
                        of: table.name, before: newest, keeping: policy.factMonths)
                    {
                        report.exportedRows += try await export.export(table, partition: partition, month: month)
                        try await drop(partition, into: &report)
                    }
                }
            }
            for (partition, _) in try await partitions(of: "sales_silver", before: newest, keeping: policy.silverMonths)
            {
                try await drop(partition, into: &report)
            }
            report.deletedRows += try await deleteOldGold()
        }
        report.deletedRows += try await deleteOld()
        logger.info("retention", metadata: ["report": "\(report)"])
        return report
    }

    /// Resolved alerts and past proposals beyond their days (the data's clock); a proposal's
    /// lines go with it.
    private func deleteOldGold() async throws -> Int {
        let newest = "(SELECT max(last_event_time) FROM store_activity)"
        var deleted =
            try await connection.query(
                """
                DELETE FROM stock_alert WHERE status = 'resolved'
                    AND resolved_at < \(newest) - make_interval(days => $1)
                """, [Int32(policy.resolvedAlertDays)]
            ).affectedRows ?? 0
        deleted +=
            try await connection.query(
                """
                DELETE FROM order_review WHERE status <> 'proposed'
                    AND review_date < (\(newest) AT TIME ZONE 'UTC')::date - $1::integer
                """, [Int32(policy.reviewDays)]
            ).affectedRows ?? 0
        return deleted
    }

    /// The run history and bookkeeping past their days (wall clock).
    private func deleteOld() async throws -> Int {
        var deleted =
            try await connection.query(
                "DELETE FROM pipeline_run WHERE started_at < now() - make_interval(days => $1)", [Int32(policy.runDays)]
            ).affectedRows ?? 0
        deleted +=
            try await connection.query(
                "DELETE FROM silver_manifest WHERE processed_at < now() - make_interval(days => $1)",
                [Int32(policy.manifestDays)]
            ).affectedRows ?? 0
        deleted +=
            try await connection.query(
                "DELETE FROM bronze_object WHERE batch_id IS NOT NULL AND written_at < now() - make_interval(days => $1)",
                [Int32(policy.manifestDays)]
            ).affectedRows ?? 0
        return deleted
    }

    /// The month (`YYYYMM`) of the newest event gold holds, `nil` for an empty gold.
    func newestMonth() async throws -> Int? {
        let result = try await connection.query(
            "SELECT to_char(max(last_event_time) AT TIME ZONE 'UTC', 'YYYYMM')::integer FROM store_activity")
        return try result.rows.first?.decode(Int32?.self, at: 0).map(Int.init)
    }

    /// The monthly partitions of `table` older than the `keeping` months up to `newest`, oldest first.
    func partitions(of table: String, before newest: Int, keeping: Int) async throws -> [(String, Int)] {
        let newestIndex = (newest / 100) * 12 + (newest % 100 - 1)
        let firstKept = newestIndex - max(1, keeping) + 1
        let children = try await connection.query(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass",
            [table])
        var old: [(String, Int)] = []
        for row in children.rows {
            let name = try row.decode(String.self, at: 0)
            let suffix = name.dropFirst(table.count + 1).split(separator: "_")
            guard suffix.count == 2, let year = Int(suffix[0]), let month = Int(suffix[1]) else { continue }
            if year * 12 + month - 1 < firstKept { old.append((name, year * 100 + month)) }
        }
        return old.sorted { $0.1 < $1.1 }
    }

    private func drop(_ partition: String, into report: inout Report) async throws {
        try await connection.execute("DROP TABLE \(partition)")
        report.droppedPartitions.append(partition)
        logger.info("partition dropped", metadata: ["partition": "\(partition)"])
    }
}
