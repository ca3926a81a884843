/// LakehouseServer serves what the pipeline knows over HTTP: health checks and a read-only JSON
/// API described by an OpenAPI 3.1 document (``DashboardServer``), on Hummingbird 2. It reads
/// PostgreSQL only, through sessions that cannot write.
public enum LakehouseServer {
    /// The version of LakehouseServer, following semantic versioning.
    ///
    /// See the LakehouseServer section of CHANGELOG.md for what each version changed.
    public static let version = "0.1.0"
}
