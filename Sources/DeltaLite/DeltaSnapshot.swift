/// A Delta table as of one version: its protocol, metadata, active files and the last
/// transaction version of each application.
public struct DeltaSnapshot: Sendable, Hashable {
    /// The version this snapshot reflects (the last commit replayed).
    public var version: Int64
    /// The table's `protocol` action: the last one committed at or before ``version``.
    public var `protocol`: DeltaProtocol
    /// The table's `metaData` action (id, schema, partition columns): the last one committed at
    /// or before ``version``.
    public var metadata: DeltaMetadata
    /// The active data files, by path.
    public var files: [String: DeltaAddFile]
    /// The latest `txn` version per application id.
    public var transactions: [String: Int64]
    /// Files removed and not added again, by path: kept for checkpoints (readers that vacuum
    /// or time-travel need them) until ``DeltaLog/tombstoneRetention`` has passed.
    public var tombstones: [String: DeltaRemoveFile] = [:]

    /// The snapshot after replaying `actions` of commit `version` on this one.
    mutating func apply(_ actions: [DeltaAction], version: Int64) {
        self.version = version
        for action in actions {
            switch action {
            case .protocol(let value): self.protocol = value
            case .metadata(let value): metadata = value
            case .add(let file):
                files[file.path] = file
                tombstones[file.path] = nil
            case .remove(let file):
                files[file.path] = nil
                tombstones[file.path] = file
            case .transaction(let value): transactions[value.appID] = value.version
            case .commitInfo: break
            }
        }
    }

    /// Drops the tombstones of files removed before `milliseconds` (since 1970).
    public mutating func expireTombstones(before milliseconds: Int64) {
        tombstones = tombstones.filter { $0.value.deletionTimestamp >= milliseconds }
    }
}
