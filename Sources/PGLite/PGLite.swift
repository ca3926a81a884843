/// PGLite is a PostgreSQL client for Swift built on libpq.
///
/// This release connects (``PGConnection``), runs statements with text parameters and reads text
/// results (``PGQueryResult``). PGLite depends only on libpq, so it can be used by any Swift
/// project on its own.
public enum PGLite {
    /// The version of the PGLite library, following semantic versioning.
    ///
    /// See the PGLite section of CHANGELOG.md for what each version changed.
    public static let version = "0.1.0"
}
