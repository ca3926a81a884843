import Foundation

/// Small data files of one partition that compaction rewrites as one file (Delta's OPTIMIZE,
/// bin-packing): chosen by ``DeltaSnapshot/compactionBins(targetSize:minimumFiles:including:)``,
/// committed by ``DeltaLog/commitRewrite(removing:adding:after:operation:now:)``.
public struct DeltaCompactionBin: Sendable, Hashable {
    /// The partition the files belong to (`[:]` for an unpartitioned table).
    public var partitionValues: [String: String?]
    /// The files, oldest first (by modification time, then path).
    public var files: [DeltaAddFile]

    /// Their bytes together.
    public var bytes: Int64 { files.reduce(0) { $0 + $1.size } }
}

extension DeltaSnapshot {
    /// The active files to compact, partition by partition: each file smaller than
    /// `targetSize` is a candidate; a partition's candidates, oldest first, are packed into bins
    /// of at most `targetSize` bytes, and a bin of fewer than `minimumFiles` files is left alone
    /// (rewriting one file gains nothing).
    ///
    /// - Parameters:
    ///   - targetSize: bytes of the files compaction writes (about: the files' sizes before
    ///     the rewrite are what is added up).
    ///   - minimumFiles: the fewest files worth a rewrite (default 2).
    ///   - including: which active files may be rewritten (default all), for a writer whose
    ///     newest files another sink has not taken yet.
    public func compactionBins(
        targetSize: Int64, minimumFiles: Int = 2, including: (DeltaAddFile) -> Bool = { _ in true }
    ) -> [DeltaCompactionBin] {
        let candidates = files.values.filter { $0.size < targetSize && including($0) }
        let partitions = Dictionary(grouping: candidates) { file in
            file.partitionValues.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ?? "\u{0}")" }
                .joined(separator: "/")
        }
        var bins: [DeltaCompactionBin] = []
        for key in partitions.keys.sorted() {
            let sorted = partitions[key]!.sorted {
                ($0.modificationTime, $0.path) < ($1.modificationTime, $1.path)
            }
            var current: [DeltaAddFile] = []
            var bytes: Int64 = 0
            for file in sorted {
                if !current.isEmpty, bytes + file.size > targetSize {
                    bins.append(DeltaCompactionBin(partitionValues: current[0].partitionValues, files: current))
                    current = []
                    bytes = 0
                }
                current.append(file)
                bytes += file.size
            }
            if !current.isEmpty {
                bins.append(DeltaCompactionBin(partitionValues: current[0].partitionValues, files: current))
            }
        }
        return bins.filter { $0.files.count >= max(1, minimumFiles) }
    }
}

extension DeltaLog {
    /// Commits a rewrite that changes no row: `removing` leave the table and `adding` (already
    /// uploaded under the root) join it, every action with `dataChange: false`, so that readers of
    /// the table's changes skip it. Another writer's appends meanwhile are kept (the commit goes
    /// to the next free version); a concurrent commit that removed one of `removing` makes it a
    /// conflict, and the files added here are then left for ``vacuum(retention:now:)``.
    ///
    /// - Parameters:
    ///   - snapshot: the version `removing` were read from.
    ///   - operation: the `commitInfo` operation (default `OPTIMIZE`, as Delta names compaction).
    ///   - now: milliseconds since 1970, for the `remove` actions' deletion time.
    /// - Returns: the version committed.
    /// - Throws: ``DeltaError`` with ``DeltaError/Code/commitConflict`` as above; ``AWSError``
    ///   when S3 fails.
    public func commitRewrite(
        removing: [DeltaAddFile], adding: [DeltaAddFile], after snapshot: DeltaSnapshot,
        operation: String = "OPTIMIZE", now: Int64
    ) async throws -> Int64 {
        var actions: [DeltaAction] = removing.map {
            .remove(
                DeltaRemoveFile(
                    path: $0.path, deletionTimestamp: now, dataChange: false, partitionValues: $0.partitionValues,
                    size: $0.size))
        }
        for var file in adding {
            file.dataChange = false
            actions.append(.add(file))
        }
        actions.append(
            .commitInfo(
                DeltaCommitInfo(
                    timestamp: now, operation: operation,
                    operationParameters: [
                        "filesRemoved": String(removing.count), "filesAdded": String(adding.count),
                    ],
                    engineInfo: "DeltaLite/\(DeltaLite.version)")))
        switch try await commit(actions, after: snapshot) {
        case .committed(let version), .alreadyCommitted(let version): return version
        }
    }
}
