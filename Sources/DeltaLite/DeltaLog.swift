import AWSLite
import Foundation
import Logging

/// The transaction log of a Delta Lake table on S3 (`s3://<bucket>/<root>_delta_log/`): reads
/// snapshots and makes commits, each commit a new `NNNNNNNNNNNNNNNNNNNN.json` object written
/// with `If-None-Match: *`, so that of two writers racing for a version exactly one wins.
///
/// The loser re-reads what was committed meanwhile and tries the next version, unless that
/// commit already holds its transaction (`txn` with the same application id and a version at
/// least its own: the batch is in, and committing it again would duplicate it) or removed a file
/// it also removes (a conflict it reports).
///
/// Every ``checkpointInterval`` versions a commit also writes a checkpoint
/// (`NNNNNNNNNNNNNNNNNNNN.checkpoint.parquet`, the table's state in one Parquet file) and
/// `_last_checkpoint`; snapshots start from the latest checkpoint at or before the version asked
/// for, and replay only the commits after it.
public struct DeltaLog: Sendable {
    /// Reads and writes the log's commits and checkpoints (commits with a conditional put).
    public let s3: S3Client
    /// The bucket holding the table (for silver's tables, the silver bucket).
    public let bucket: String
    /// The table's prefix in the bucket, ending with `/` (`sales/`).
    public let root: String
    /// A checkpoint is written after every commit whose version is a multiple of this (0: never).
    public let checkpointInterval: Int
    /// How long a removed file stays a tombstone in checkpoints (and on storage, for
    /// ``vacuum(retention:now:)``): Delta's `delta.deletedFileRetentionDuration`, default 7 days.
    public let tombstoneRetention: Duration
    let logger: Logger

    /// The log of the table at `s3://<bucket>/<root>`; nothing is read until a snapshot or a
    /// commit is asked for.
    ///
    /// - Parameters:
    ///   - root: the table's prefix; a trailing `/` is added when missing.
    ///   - checkpointInterval: versions between checkpoints (default 10, as Delta's writers do;
    ///     0 turns checkpoints off).
    ///   - tombstoneRetention: how long checkpoints keep a removed file's tombstone (default 7
    ///     days, Delta's default).
    public init(
        s3: S3Client, bucket: String, root: String, checkpointInterval: Int = 10,
        tombstoneRetention: Duration = .seconds(7 * 86_400), logger: Logger
    ) {
        self.s3 = s3
        self.bucket = bucket
        self.root = root.isEmpty || root.hasSuffix("/") ? root : root + "/"
        self.checkpointInterval = max(0, checkpointInterval)
        self.tombstoneRetention = tombstoneRetention
        self.logger = logger
    }

    /// What a commit did.
    public enum CommitOutcome: Sendable, Hashable {
        /// The actions are the table's version `version`.
        case committed(version: Int64)
        /// Another commit (`version`) already holds this transaction: nothing was written.
        case alreadyCommitted(version: Int64)
    }

    /// The key of commit `version`.
    public func commitKey(_ version: Int64) -> String {
        let digits = String(version)
        return root + "_delta_log/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".json"
    }

    /// The key of the checkpoint of `version`.
    public func checkpointKey(_ version: Int64) -> String {
        String(commitKey(version).dropLast(".json".count)) + ".checkpoint.parquet"
    }

    /// The key of `_last_checkpoint`.
    public var lastCheckpointKey: String { root + "_delta_log/_last_checkpoint" }

    /// The versions of the commits on storage after version `after` (all when `nil`), in order.
    public func versions(after: Int64? = nil) async throws -> [Int64] {
        try await listLog(after: after).commits
    }

    /// The commits and single-file checkpoints on storage after version `after`, each in order.
    private func listLog(after: Int64?) async throws -> (commits: [Int64], checkpoints: [Int64]) {
        var commits: [Int64] = []
        var checkpoints: [Int64] = []
        for try await page in s3.listObjectsV2(
            bucket: bucket, prefix: root + "_delta_log/", startAfter: after.map(commitKey))
        {
            for object in page.objects {
                let name = object.key.dropFirst(root.count + "_delta_log/".count)
                guard name.count >= 25, let version = Int64(name.prefix(20)) else { continue }
                switch name.dropFirst(20) {
                case ".json": commits.append(version)
                case ".checkpoint.parquet": checkpoints.append(version)
                default: continue
                }
            }
        }
        return (commits.sorted(), checkpoints.sorted())
    }

    /// The snapshot checkpoint `version` holds, or `nil` (logged) when it cannot be read, so
    /// that the reader replays the commits instead.
    private func loadCheckpoint(_ version: Int64) async -> DeltaSnapshot? {
        let key = checkpointKey(version)
        do {
            let body = try await s3.getObject(bucket: bucket, key: key).body
            return try DeltaCheckpoint.decode(body, version: version, key: key)
        } catch {
            logger.warning(
                "delta checkpoint unreadable; replaying the commits instead",
                metadata: ["delta.checkpoint": "s3://\(bucket)/\(key)", "error": "\(error)"])
            return nil
        }
    }

    /// Writes the checkpoint of `snapshot` and points `_last_checkpoint` at it (unless it already
    /// names a later checkpoint). Both are plain puts: two writers checkpointing the same version
    /// write the same state.
    ///
    /// - Throws: ``AWSError`` when S3 fails; ``ParquetError`` if the state cannot be encoded.
    public func writeCheckpoint(_ snapshot: DeltaSnapshot) async throws {
        var snapshot = snapshot
        // Tombstones older than the retention leave the checkpoint (as Delta's writers do):
        // otherwise compaction's removals would make every checkpoint larger than the last.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        snapshot.expireTombstones(before: now - tombstoneRetention.milliseconds)
        let (bytes, actions) = try await DeltaCheckpoint.encode(snapshot)
        let key = checkpointKey(snapshot.version)
        try await s3.putObject(bucket: bucket, key: key, body: bytes)
        if let newer = await lastCheckpointVersion(), newer > snapshot.version { return }
        let pointer =
            "{\"version\":\(snapshot.version),\"size\":\(actions),\"sizeInBytes\":\(bytes.count),\"numOfAddFiles\":\(snapshot.files.count)}"
        try await s3.putObject(
            bucket: bucket, key: lastCheckpointKey, body: Array(pointer.utf8), contentType: "application/json")
        logger.debug(
            "delta checkpoint",
            metadata: ["delta.table": "s3://\(bucket)/\(root)", "delta.version": "\(snapshot.version)"])
    }

    /// The version `_last_checkpoint` names, or `nil` when it is missing or unreadable (then
    /// the whole log is listed).
    private func lastCheckpointVersion() async -> Int64? {
        guard let body = try? await s3.getObject(bucket: bucket, key: lastCheckpointKey).body,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        else { return nil }
        return DeltaAction.jsonInteger(object["version"])
    }

    /// The actions of commit `version`.
    ///
    /// - Throws: ``AWSError`` when it cannot be read; ``DeltaError`` with
    ///   ``DeltaError/Code/invalidLog`` when it is not a commit.
    public func actions(of version: Int64) async throws -> [DeltaAction] {
        let key = commitKey(version)
        let body = try await s3.getObject(bucket: bucket, key: key).body
        guard let text = String(validating: body, as: UTF8.self) else {
            throw DeltaError(code: .invalidLog, message: "\(key): not UTF-8")
        }
        return try text.split(whereSeparator: \.isNewline).compactMap { try DeltaAction.parse(String($0), file: key) }
    }

    /// The table as of `version` (default: the latest), or `nil` when the table has no commit.
    ///
    /// - Throws: ``DeltaError`` with ``DeltaError/Code/invalidLog`` for a gap in the
    ///   versions, a first commit without protocol and metadata, a protocol above reader version
    ///   1, or an unreadable commit; ``AWSError`` when S3 fails.
    public func snapshot(asOf version: Int64? = nil) async throws -> DeltaSnapshot? {
        try await snapshot(updating: nil, asOf: version)
    }

    /// `base` brought forward to `version` (default: the latest), reading only the commits after
    /// it — what a writer that commits batch after batch uses instead of replaying the whole log
    /// each time. With `base` `nil` (or newer than `version`) the log is replayed from the start.
    ///
    /// - Throws: as ``snapshot(asOf:)``.
    public func snapshot(updating base: DeltaSnapshot?, asOf version: Int64? = nil) async throws -> DeltaSnapshot? {
        if let base, let version, version < base.version { return try await snapshot(updating: nil, asOf: version) }
        var base = base
        var listing: (commits: [Int64], checkpoints: [Int64])
        if base == nil, let pointed = await lastCheckpointVersion(), pointed <= (version ?? .max) {
            // List from the checkpoint `_last_checkpoint` names, not from the table's start: the
            // listing stays as long as the commits since that checkpoint, however old the table.
            listing = try await listLog(after: pointed > 0 ? pointed - 1 : nil)
            if let checkpoint = listing.checkpoints.last(where: { $0 <= (version ?? .max) }) {
                base = await loadCheckpoint(checkpoint)
            }
            if base == nil { listing = try await listLog(after: nil) }
        } else {
            listing = try await listLog(after: base?.version)
        }
        if base == nil, let checkpoint = listing.checkpoints.last(where: { $0 <= (version ?? .max) }) {
            base = await loadCheckpoint(checkpoint)
        }
        var versions = listing.commits.filter { $0 > (base?.version ?? -1) }
        if let version { versions = versions.filter { $0 <= version } }
        let start = (base?.version ?? -1) + 1
        for (expected, found) in zip(start..., versions) where expected != found {
            throw DeltaError(
                code: .invalidLog,
                message: "s3://\(bucket)/\(root)_delta_log/ has no commit \(expected) (the next is \(found))")
        }
        var pending = versions[...]
        var snapshot: DeltaSnapshot
        if let base {
            snapshot = base
        } else {
            guard pending.popFirst() != nil else { return nil }
            let first = try await actions(of: 0)
            var protocolAction: DeltaProtocol?
            var metadata: DeltaMetadata?
            for action in first {
                if case .protocol(let value) = action { protocolAction = value }
                if case .metadata(let value) = action { metadata = value }
            }
            guard let protocolAction, let metadata else {
                throw DeltaError(
                    code: .invalidLog, message: "\(commitKey(0)) does not hold the table's protocol and metadata")
            }
            snapshot = DeltaSnapshot(
                version: 0, protocol: protocolAction, metadata: metadata, files: [:], transactions: [:])
            snapshot.apply(first, version: 0)
        }
        for version in pending { snapshot.apply(try await actions(of: version), version: version) }
        guard snapshot.protocol.minReaderVersion <= 1 else {
            throw DeltaError(
                code: .invalidLog,
                message:
                    "the table at s3://\(bucket)/\(root) needs reader version \(snapshot.protocol.minReaderVersion); this reader supports 1"
            )
        }
        return snapshot
    }

    /// Commits `actions` as the version after `snapshot` (version 0 when `snapshot` is `nil`,
    /// which creates the table: include its protocol and metadata), retrying at later versions
    /// when other writers win the race.
    ///
    /// - Parameter maxAttempts: how many versions to try (default 50).
    /// - Throws: ``DeltaError`` with ``DeltaError/Code/commitConflict`` when another
    ///   commit removed a file this one removes, created the table first with another schema, or
    ///   every attempt lost; ``AWSError`` when S3 fails.
    public func commit(_ actions: [DeltaAction], after snapshot: DeltaSnapshot?, maxAttempts: Int = 50) async throws
        -> CommitOutcome
    {
        var version = (snapshot?.version ?? -1) + 1
        var pending = actions
        for attempt in 1...max(1, maxAttempts) {
            let body = Array((try pending.map { try $0.jsonLine }.joined(separator: "\n") + "\n").utf8)
            let outcome = try await s3.putObject(
                bucket: bucket, key: commitKey(version), body: body, contentType: "application/json", ifNoneMatch: true)
            if case .stored = outcome {
                logger.debug(
                    "delta commit",
                    metadata: ["delta.table": "s3://\(bucket)/\(root)", "delta.version": "\(version)"])
                if checkpointInterval > 0, version > 0, version % Int64(checkpointInterval) == 0 {
                    await checkpoint(after: snapshot, at: version)
                }
                return .committed(version: version)
            }
            // Someone else has this version: see what it did.
            if let done = try await lostRace(at: version, ours: actions, pending: &pending) { return done }
            logger.debug(
                "delta commit lost a race; retrying",
                metadata: ["delta.version": "\(version)", "attempt": "\(attempt)"])
            version += 1
            try await Task.sleep(for: .milliseconds(Int.random(in: 5...50)))
        }
        throw DeltaError(
            code: .commitConflict,
            message: "s3://\(bucket)/\(root): \(maxAttempts) attempts lost the race for the next version")
    }

    /// What the commit that won `version` means for ours: ``CommitOutcome/alreadyCommitted(version:)``
    /// when it holds our transaction; `nil` to try the next version (without our protocol and
    /// metadata when it created the same table).
    ///
    /// - Throws: ``DeltaError`` with ``DeltaError/Code/commitConflict`` when it removed a file we
    ///   remove, or created the table with another schema.
    private func lostRace(at version: Int64, ours actions: [DeltaAction], pending: inout [DeltaAction])
        async throws -> CommitOutcome?
    {
        var transactions: [DeltaTransaction] = []
        var removing: Set<String> = []
        var metadata: DeltaMetadata?
        for action in actions {
            switch action {
            case .transaction(let value): transactions.append(value)
            case .remove(let file): removing.insert(file.path)
            case .metadata(let value): metadata = metadata ?? value
            default: break
            }
        }
        for action in try await self.actions(of: version) {
            switch action {
            case .transaction(let theirs)
            where transactions.contains(where: { $0.appID == theirs.appID && $0.version <= theirs.version }):
                logger.debug(
                    "delta commit lost a race to the same transaction; nothing to commit",
                    metadata: ["delta.version": "\(version)", "delta.txn": "\(theirs.appID) \(theirs.version)"])
                return .alreadyCommitted(version: version)
            case .remove(let file) where removing.contains(file.path):
                throw DeltaError(
                    code: .commitConflict,
                    message: "commit \(version) of s3://\(bucket)/\(root) already removed \(file.path)")
            case .metadata(let theirs) where pending.contains(where: \.isMetadata):
                // Both created the table: fine when the schema and partitioning agree.
                guard let metadata, metadata.schemaString == theirs.schemaString,
                    metadata.partitionColumns == theirs.partitionColumns
                else {
                    throw DeltaError(
                        code: .commitConflict,
                        message: "s3://\(bucket)/\(root) was created meanwhile with another schema")
                }
                pending.removeAll { $0.isMetadata || $0.isProtocol }
            default: break
            }
        }
        return nil
    }

    /// Writes the checkpoint of `version` (just committed). A failure is logged, not thrown: the
    /// commit stands, and readers replay the commits instead.
    private func checkpoint(after snapshot: DeltaSnapshot?, at version: Int64) async {
        do {
            guard let state = try await self.snapshot(updating: snapshot, asOf: version) else { return }
            try await writeCheckpoint(state)
        } catch {
            logger.warning(
                "delta checkpoint failed; the commit stands",
                metadata: ["delta.table": "s3://\(bucket)/\(root)", "delta.version": "\(version)", "error": "\(error)"])
        }
    }
}
