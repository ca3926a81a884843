/// PGLite is a typed, async PostgreSQL client for Swift built on libpq: parameters and results
/// in Swift types (``PGEncodable``, ``PGDecodable``), prepared statements, transactions,
/// streaming COPY (``PGCopyWriter``), a pool (``PGPool``), advisory locks and migrations
/// (``PGMigrator``).
///
/// PGLite depends only on libpq and swift-log, so it can be used by any Swift project on its
/// own. See the PGLite documentation catalog's getting-started guide.
public enum PGLite {
    /// The version of the PGLite library, following semantic versioning.
    ///
    /// See the PGLite section of CHANGELOG.md for what each version changed.
    public static let version = "0.4.0"
}
