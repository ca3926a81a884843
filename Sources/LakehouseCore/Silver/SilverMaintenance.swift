import AWSLite
import DeltaLite
import Foundation
import Logging
import PGLite

/// Keeps silver's two Delta tables (sales and quarantine) fast to read however long the
/// pipeline runs: compaction rewrites a partition's small files into files of about
/// ``Configuration/targetFileSize`` (Delta's OPTIMIZE: a commit with `dataChange: false` that
/// changes no row), VACUUM deletes data files no recent version uses, and the log's old commits
/// go once a checkpoint older than ``Configuration/logRetention`` stands in for them.
///
/// Silver writes a file per partition per batch — in a live run, hundreds an hour; readers
/// (delta-rs, DuckDB, Spark) open every file they scan, so without compaction a day's read grows
/// with the number of batches. `lakehouse run` runs maintenance every
/// ``Pipeline/Configuration/maintenanceInterval``; `lakehouse maintain` runs it once.
///
/// A batch's files are compacted only once PostgreSQL holds the batch: a batch whose Delta
/// commit landed but whose PostgreSQL load did not is loaded from exactly its own files.
/// Compaction commits after silver's appends of the meantime (they are kept); two compactions of
/// the same files conflict, and the later one leaves its files for VACUUM.
public struct SilverMaintenance: Sendable {
    /// How big files get and how long removed files and old log entries stay.
    public struct Configuration: Sendable, Hashable {
        /// The silver bucket (`S3_BUCKET_SILVER`).
        public var silverBucket: String
        /// The size compaction packs small files up to (default 128 MiB; files at least this
        /// big are left alone).
        public var targetFileSize: Int64 = 128 << 20
        /// How long a file removed from the tables stays on storage (and a tombstone in the
        /// checkpoints), so that readers of a recent version still find it (default 7 days,
        /// Delta's `deletedFileRetentionDuration`).
        public var fileRetention: Duration = .seconds(7 * 86_400)
        /// How long the log keeps commits (time travel reaches back this far; default 30 days,
        /// Delta's `logRetentionDuration`).
        public var logRetention: Duration = .seconds(30 * 86_400)

        /// Maintenance of the tables in `silverBucket`, with the defaults above.
        public init(silverBucket: String) { self.silverBucket = silverBucket }
    }

    /// What one table's maintenance did.
    public struct TableReport: Sendable, Hashable, CustomStringConvertible {
        /// The table's root (`sales/`, `quarantine/`).
        public var table: String
        /// Bins rewritten (one new file each).
        public var filesCompacted = 0
        /// Files written by compaction.
        public var filesWritten = 0
        /// Rows rewritten.
        public var rowsRewritten = 0
        /// Bins skipped because another compaction removed one of their files first.
        public var conflicts = 0
        /// Active files after compaction.
        public var activeFiles = 0
        /// What VACUUM deleted.
        public var vacuum = DeltaVacuumReport()
        /// What the log's expiry deleted.
        public var log = DeltaLogExpiryReport()

        /// A report for `table` of nothing done.
        public init(table: String) { self.table = table }

        /// `sales/: 40 files compacted into 2 (12,000 rows); 5 active; vacuum: …; log expiry: …`.
        public var description: String {
            "\(table): \(filesCompacted) files compacted into \(filesWritten) (\(rowsRewritten) rows)"
                + (conflicts > 0 ? ", \(conflicts) bins left to a concurrent compaction" : "")
                + "; \(activeFiles) active files; \(vacuum); \(log)"
        }
    }

    /// What a maintenance run did, table by table.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// The sales table.
        public var sales: TableReport
        /// The quarantine table.
        public var quarantine: TableReport
        /// Batch plans (`_silver/batches/`) deleted: of batches PostgreSQL holds, older than
        /// ``Configuration/fileRetention``.
        public var plansDeleted = 0
        /// What PostgreSQL's retention did, when it ran with the maintenance
        /// (``runClaimed(_:worker:retention:)``).
        public var retention: TableRetention.Report?

        /// One line per table, the plans, and the retention.
        public var description: String {
            "silver maintenance\n  \(sales)\n  \(quarantine)\n  batch plans: \(plansDeleted) deleted"
                + (retention.map { "\n  \($0)" } ?? "")
        }
    }

    /// Called after a bin's new file is uploaded, before its commit: a seam for the package's
    /// tests (a silver batch committed there must survive the compaction), not public API.
    package typealias CommitHook = @Sendable (String) async throws -> Void

    let s3: S3Client
    let store: SilverStore
    /// The bucket and limits the maintenance was made with.
    public let configuration: Configuration
    let logger: Logger
    private let commitHook: CommitHook?

    /// Maintenance of the silver tables of `configuration`; `store` says which batches
    /// PostgreSQL holds (only their files are compacted).
    public init(s3: S3Client, store: SilverStore, configuration: Configuration, logger: Logger) {
        self.init(s3: s3, store: store, configuration: configuration, logger: logger, commitHook: nil)
    }

    /// With the package's test seam, `commitHook` before each compaction commit.
    package init(
        s3: S3Client, store: SilverStore, configuration: Configuration, logger: Logger, commitHook: CommitHook?
    ) {
        self.s3 = s3
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.commitHook = commitHook
    }

    /// The log of the table at `root`.
    func log(_ root: String) -> DeltaLog {
        DeltaLog(
            s3: s3, bucket: configuration.silverBucket, root: root, tombstoneRetention: configuration.fileRetention,
            logger: logger)
    }

    /// Compacts, vacuums and expires the log of both tables.
    ///
    /// - Parameter now: the present in milliseconds since 1970 (for tests; default the clock).
    /// - Throws: ``AWSError``, ``PGError``, ``ParquetError`` or ``DeltaError`` when a step
    ///   cannot finish; what was committed stands, and the next run takes up the rest.
    public func run(now: Int64? = nil) async throws -> Report {
        let loaded = try await store.lastBatchNumber()
        var reports: [TableReport] = []
        for root in [SilverTable.root, SilverTable.quarantineRoot] {
            var report = try await compact(root, loadedThrough: loaded)
            let table = log(root)
            report.vacuum = try await table.vacuum(retention: configuration.fileRetention, now: now)
            report.log = try await table.expireLog(retention: configuration.logRetention, now: now)
            reports.append(report)
        }
        var report = Report(sales: reports[0], quarantine: reports[1])
        report.plansDeleted = try await expirePlans(loadedThrough: loaded, now: now)
        logger.info("silver maintenance", metadata: ["report": "\(report)"])
        return report
    }

    /// ``run(now:)``, then `retention` when given, under the maintenance claim on the silver
    /// bucket (a PostgreSQL advisory lock: one process at a time), recorded in `pipeline_run` as
    /// stage `maintenance`; `nil` when another process holds the claim (nothing is done).
    ///
    /// - Parameters:
    ///   - connection: the connection of ``SilverJob``'s store, on which the claim is held.
    ///   - worker: the process's id in the run history.
    /// - Throws: what ``run(now:)`` throws (recorded first).
    public func runClaimed(_ connection: PGConnection, worker: String, retention: TableRetention? = nil)
        async throws -> Report?
    {
        let history = RunHistory(connection: connection, worker: worker)
        do {
            return try await connection.withAdvisoryLock(Pipeline.advisoryKey(claimName), timeout: .zero) { _ in
                let started = Date()
                do {
                    var report = try await run()
                    report.retention = try await retention?.run()
                    let rows = report.sales.rowsRewritten + report.quarantine.rowsRewritten
                    try await history.record(.maintenance, startedAt: started, rowsIn: rows, rowsOut: rows)
                    return report
                } catch {
                    try? await history.record(
                        .maintenance, startedAt: started, rowsIn: 0, rowsOut: 0, error: "\(error)")
                    throw error
                }
            }
        } catch let error as PGError where error.sqlState == "55P03" {
            logger.info("silver maintenance runs in another process; skipping this turn")
            return nil
        }
    }

    /// The name of the maintenance claim's advisory lock.
    var claimName: String { "lakehouse.maintenance:\(configuration.silverBucket)" }

    /// Deletes the plans of batches up to `loadedThrough` written longer than
    /// ``Configuration/fileRetention`` ago: they are kept only for a rerun of an unfinished batch.
    ///
    /// - Returns: how many were deleted.
    package func expirePlans(loadedThrough: Int64, now: Int64?) async throws -> Int {
        let cutoff =
            (now ?? Int64(Date().timeIntervalSince1970 * 1000)) - Int64(configuration.fileRetention.inSeconds * 1000)
        var doomed: [String] = []
        for try await page in s3.listObjectsV2(bucket: configuration.silverBucket, prefix: SilverJob.planPrefix) {
            for object in page.objects {
                let name = object.key.dropFirst(SilverJob.planPrefix.count)
                guard let number = Int64(name.prefix { $0.isNumber }), number <= loadedThrough,
                    let modified = object.lastModifiedMilliseconds, modified < cutoff
                else { continue }
                doomed.append(object.key)
            }
        }
        if let failure = try await s3.deleteObjects(bucket: configuration.silverBucket, keys: doomed).first {
            throw AWSError(
                code: AWSError.Code(rawValue: failure.code),
                message: "s3://\(configuration.silverBucket)/\(failure.key) was not deleted: \(failure.message)",
                operation: "DeleteObjects")
        }
        return doomed.count
    }

    /// Rewrites the small files of the table at `root` bin by bin, taking only files of batches
    /// up to `loadedThrough` (those PostgreSQL holds) and earlier compactions' files.
    ///
    /// - Throws: as ``run(now:)``.
    public func compact(_ root: String, loadedThrough: Int64) async throws -> TableReport {
        var report = TableReport(table: root)
        let table = log(root)
        guard var snapshot = try await table.snapshot() else { return report }
        let bins = snapshot.compactionBins(targetSize: configuration.targetFileSize) { file in
            Self.batchNumber(ofPath: file.path).map { $0 <= loadedThrough } ?? true
        }
        for bin in bins {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let (file, rows) = try await rewrite(bin, root: root, version: snapshot.version, now: now)
            try await s3.putObject(
                bucket: configuration.silverBucket, key: root + file.path, body: file.bytes,
                contentType: "application/vnd.apache.parquet")
            try await commitHook?(file.path)
            do {
                let version = try await table.commitRewrite(
                    removing: bin.files, adding: [file.add], after: snapshot, now: now)
                report.filesCompacted += bin.files.count
                report.filesWritten += 1
                report.rowsRewritten += rows
                logger.debug(
                    "silver compaction",
                    metadata: [
                        "delta.table": "\(root)", "delta.version": "\(version)", "files": "\(bin.files.count)",
                        "rows": "\(rows)", "path": "\(file.path)",
                    ])
            } catch let error as DeltaError where error.code == .commitConflict {
                report.conflicts += 1
                logger.warning(
                    "silver compaction lost to another; its file is left for vacuum",
                    metadata: ["delta.table": "\(root)", "path": "\(file.path)", "error": "\(error)"])
            }
            snapshot = try await table.snapshot(updating: snapshot) ?? snapshot
        }
        report.activeFiles = snapshot.files.count
        return report
    }

    /// The files of `bin` read and written again as one file (rows in the bin's file order).
    private func rewrite(_ bin: DeltaCompactionBin, root: String, version: Int64, now: Int64) async throws
        -> (SilverTable.DataFile, Int)
    {
        let name = "compact-\(version)-\(UUID().uuidString.prefix(8).lowercased())"
        if root == SilverTable.quarantineRoot {
            var records: [SilverStore.QuarantinedRecord] = []
            for file in bin.files {
                records += try SilverTable.quarantined(ofFile: try await body(root, file), path: file.path)
            }
            return (try await SilverTable.quarantineFile(records, name: name, modificationTime: now), records.count)
        }
        guard let dateText = bin.partitionValues[SilverTable.partitionColumn] ?? nil,
            let micros = EventTimestamp.parse(dateText + "T00:00:00Z")
        else {
            throw LakehouseError(
                code: .invalidDeltaLog, message: "silver files \(bin.files[0].path)… have no event_date partition value"
            )
        }
        let eventDate = Int32(EventTimestamp.floorDivide(micros, BronzeBatch.dayMicros))
        var columns = SilverColumns()
        for file in bin.files {
            let rows = try SilverTable.rows(
                ofDataFile: try await body(root, file), path: file.path, eventDate: eventDate)
            columns.reserveCapacity(rows.count)
            for row in 0..<rows.count { columns.append(row: row, of: rows) }
        }
        guard let file = try await SilverTable.dataFiles(columns, name: name, modificationTime: now).first else {
            throw LakehouseError(code: .invalidDeltaLog, message: "silver files \(bin.files[0].path)… hold no rows")
        }
        return (file, columns.count)
    }

    private func body(_ root: String, _ file: DeltaAddFile) async throws -> [UInt8] {
        try await s3.getObject(
            bucket: configuration.silverBucket, key: root + (file.path.removingPercentEncoding ?? file.path)
        ).body
    }

    /// The batch that wrote the file at `path` (`…/part-12-2026-01-05.zstd.parquet`,
    /// `part-12.zstd.parquet`), or `nil` for another writer's file (compaction's).
    package static func batchNumber(ofPath path: String) -> Int64? {
        guard let name = path.split(separator: "/").last, name.hasPrefix("part-") else { return nil }
        return Int64(name.dropFirst(5).prefix { $0.isNumber })
    }
}
