/// DeltaLite reads and writes the log of a Delta Lake table on S3: commits with put-if-absent
/// (`If-None-Match: *`), snapshots replayed from checkpoints and commits, transaction ids for
/// exactly-once writers, and Parquet checkpoints in the protocol's format (delta-rs reads them).
public enum DeltaLite {
    /// The version of DeltaLite, following semantic versioning.
    ///
    /// See the DeltaLite section of CHANGELOG.md for what each version changed.
    public static let version = "0.1.0"
}
