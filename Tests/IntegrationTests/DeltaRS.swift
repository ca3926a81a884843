import Foundation
import LakehouseTestSupport
import Testing

/// delta-rs (Python `deltalake`, Tests/Interop/delta_read.py) reading a Delta table from moto.
enum DeltaRS {
    /// What delta-rs reads at `version` (default the latest): `version`, `files`, `rows`,
    /// `num_records`. The table is immutable while it is read, so a failure can only come from the
    /// shared, loaded moto: the read is tried twice, and a second failure reports delta-rs's error.
    static func read(endpoint: String, uri: String, version: Int64? = nil) async throws -> [String: Any] {
        var arguments = ["\(RepositoryPaths.root)/Tests/Interop/delta_read.py", endpoint, uri]
        if let version { arguments.append(String(version)) }
        var result = try await ChildProcess.output(RepositoryPaths.python, arguments)
        if result.status != 0 { result = try await ChildProcess.output(RepositoryPaths.python, arguments) }
        try #require(result.status == 0, "delta-rs could not read \(uri): \(result.errors.suffix(2000))")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    }
}
