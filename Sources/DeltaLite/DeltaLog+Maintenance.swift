import AWSLite
import Foundation

/// What ``DeltaLog/vacuum(retention:now:)`` removed from storage.
public struct DeltaVacuumReport: Sendable, Hashable, CustomStringConvertible {
    /// Data files deleted: in no version newer than the retention, and older than it.
    public var filesDeleted = 0
    /// Their bytes.
    public var bytesDeleted: Int64 = 0
    /// Data files left on storage (the active ones, those removed within the retention, and
    /// files too young to judge: a writer may be about to commit them).
    public var filesKept = 0

    /// A report of nothing done.
    public init() {}

    /// `vacuum: 12 files deleted (3.1 MB), 40 kept`.
    public var description: String {
        "vacuum: \(filesDeleted) files deleted (\(bytesDeleted) bytes), \(filesKept) kept"
    }
}

/// What ``DeltaLog/expireLog(retention:now:)`` removed from the log.
public struct DeltaLogExpiryReport: Sendable, Hashable, CustomStringConvertible {
    /// Commit files deleted.
    public var commitsDeleted = 0
    /// Checkpoint files deleted.
    public var checkpointsDeleted = 0
    /// The oldest version still readable (the checkpoint the log now starts from), or `nil`
    /// when nothing was deleted.
    public var oldestVersion: Int64?

    /// A report of nothing done.
    public init() {}

    /// `log expiry: 120 commits and 11 checkpoints deleted; history starts at version 130`.
    public var description: String {
        "log expiry: \(commitsDeleted) commits and \(checkpointsDeleted) checkpoints deleted"
            + (oldestVersion.map { "; history starts at version \($0)" } ?? "")
    }
}

extension DeltaLog {
    /// Deletes the data files under the table's root that no version within `retention` uses
    /// (Delta's VACUUM): files removed more than `retention` ago, and files no commit ever added
    /// (a writer that died before committing) whose object is older than `retention`.
    ///
    /// Files of the current version are never deleted, nor are files younger than `retention`:
    /// a writer uploads its files before its commit, and a reader of a recent version may still
    /// be reading them. Objects whose name starts with `_` or `.` (the log, plans) are left alone.
    /// Time travel to versions older than `retention` stops working, as with Delta's VACUUM.
    ///
    /// - Parameters:
    ///   - retention: at least as long as any reader or writer takes (default 7 days, Delta's).
    ///   - now: the present, in milliseconds since 1970 (for tests; default the clock).
    /// - Throws: ``AWSError`` when listing or deleting fails (a rerun finishes the job);
    ///   ``DeltaError`` when the log cannot be read.
    public func vacuum(retention: Duration = .seconds(7 * 86_400), now: Int64? = nil) async throws
        -> DeltaVacuumReport
    {
        let now = now ?? Int64(Date().timeIntervalSince1970 * 1000)
        let cutoff = now - retention.milliseconds
        var report = DeltaVacuumReport()
        guard let snapshot = try await snapshot() else { return report }
        var kept = Set(snapshot.files.keys.map(Self.decodedPath))
        for (path, tombstone) in snapshot.tombstones where tombstone.deletionTimestamp >= cutoff {
            kept.insert(Self.decodedPath(path))
        }
        var doomed: [String] = []
        for try await page in s3.listObjectsV2(bucket: bucket, prefix: root) {
            for object in page.objects {
                let relative = String(object.key.dropFirst(root.count))
                let hidden = relative.split(separator: "/").contains { $0.hasPrefix("_") || $0.hasPrefix(".") }
                if hidden { continue }
                let modified = object.lastModifiedMilliseconds ?? now
                if kept.contains(relative) || modified >= cutoff {
                    report.filesKept += 1
                    continue
                }
                doomed.append(object.key)
                report.bytesDeleted += Int64(object.size)
            }
        }
        try await delete(doomed)
        report.filesDeleted = doomed.count
        logger.info(
            "delta vacuum",
            metadata: [
                "delta.table": "s3://\(bucket)/\(root)", "files.deleted": "\(report.filesDeleted)",
                "bytes.deleted": "\(report.bytesDeleted)", "files.kept": "\(report.filesKept)",
            ])
        return report
    }

    /// Deletes log files older than `retention` that no snapshot needs any more (Delta's log
    /// clean-up, `delta.logRetentionDuration`): every commit and checkpoint before the newest
    /// checkpoint that is itself older than `retention`. The table then starts at that
    /// checkpoint: snapshots read it (through `_last_checkpoint`), and time travel reaches back
    /// to it.
    ///
    /// - Parameters:
    ///   - retention: default 30 days, Delta's.
    ///   - now: the present, in milliseconds since 1970 (for tests; default the clock).
    /// - Throws: ``AWSError`` when listing or deleting fails.
    public func expireLog(retention: Duration = .seconds(30 * 86_400), now: Int64? = nil) async throws
        -> DeltaLogExpiryReport
    {
        let now = now ?? Int64(Date().timeIntervalSince1970 * 1000)
        let cutoff = now - retention.milliseconds
        var commits: [(version: Int64, key: String, modified: Int64)] = []
        var checkpoints: [(version: Int64, key: String, modified: Int64)] = []
        for try await page in s3.listObjectsV2(bucket: bucket, prefix: root + "_delta_log/") {
            for object in page.objects {
                let name = object.key.dropFirst(root.count + "_delta_log/".count)
                guard name.count >= 25, let version = Int64(name.prefix(20)) else { continue }
                let entry = (version, object.key, object.lastModifiedMilliseconds ?? now)
                switch name.dropFirst(20) {
                case ".json": commits.append(entry)
                case ".checkpoint.parquet": checkpoints.append(entry)
                default: continue
                }
            }
        }
        var report = DeltaLogExpiryReport()
        // The table must stay readable from a checkpoint that stays: the newest one old enough.
        guard let start = checkpoints.filter({ $0.modified < cutoff }).map(\.version).max() else { return report }
        let doomedCommits = commits.filter { $0.version < start && $0.modified < cutoff }
        let doomedCheckpoints = checkpoints.filter { $0.version < start && $0.modified < cutoff }
        try await delete(doomedCommits.map(\.key) + doomedCheckpoints.map(\.key))
        report.commitsDeleted = doomedCommits.count
        report.checkpointsDeleted = doomedCheckpoints.count
        report.oldestVersion = report.commitsDeleted + report.checkpointsDeleted > 0 ? start : nil
        logger.info(
            "delta log expiry",
            metadata: [
                "delta.table": "s3://\(bucket)/\(root)", "commits.deleted": "\(report.commitsDeleted)",
                "checkpoints.deleted": "\(report.checkpointsDeleted)", "delta.start": "\(start)",
            ])
        return report
    }

    /// Deletes `keys` (1,000 a request).
    ///
    /// - Throws: ``AWSError`` when a request fails, or naming the first key S3 did not delete.
    private func delete(_ keys: [String]) async throws {
        if let failure = try await s3.deleteObjects(bucket: bucket, keys: keys).first {
            throw AWSError(
                code: AWSError.Code(rawValue: failure.code),
                message:
                    "s3://\(bucket)/\(failure.key) was not deleted (\(failure.message)); run the maintenance again",
                operation: "DeleteObjects")
        }
    }

    /// A data file's path as it is on storage: `add.path` is URL-encoded.
    static func decodedPath(_ path: String) -> String { path.removingPercentEncoding ?? path }
}

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
