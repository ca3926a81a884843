import Foundation

/// delta-rs (Python `deltalake`, `Tests/Interop/delta_read.py`) reading a Delta table from an S3
/// endpoint: what another Delta engine makes of a table we wrote.
public enum DeltaRS {
    /// delta-rs could not read the table, or printed something that is not a JSON object.
    public struct Failure: Error, CustomStringConvertible {
        /// The table's URI (`s3://bucket/root`).
        public var uri: String
        /// delta-rs's error output, or what it printed instead of JSON.
        public var detail: String
        /// The URI and what went wrong, as a test failure shows it.
        public var description: String { "delta-rs could not read \(uri): \(detail)" }
    }

    /// What delta-rs reads at `version` (default the latest): `version`, `files`, `rows`,
    /// `num_records`. The table is immutable while it is read, so a failure can only come from a
    /// shared, loaded moto: the read is tried twice, and a second failure reports delta-rs's error.
    ///
    /// - Throws: ``Failure``; ``ChildProcessTimeout`` when Python does not finish.
    public static func read(endpoint: String, uri: String, version: Int64? = nil) async throws -> [String: Any] {
        var arguments = ["\(RepositoryPaths.root)/Tests/Interop/delta_read.py", endpoint, uri]
        if let version { arguments.append(String(version)) }
        var result = try await ChildProcess.output(RepositoryPaths.python, arguments)
        if result.status != 0 { result = try await ChildProcess.output(RepositoryPaths.python, arguments) }
        guard result.status == 0 else { throw Failure(uri: uri, detail: String(result.errors.suffix(2000))) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            throw Failure(uri: uri, detail: "not a JSON object: \(result.output.prefix(500))")
        }
        return object
    }
}
