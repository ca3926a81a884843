import Foundation
import LakehouseTestSupport
import Testing

/// Files a Python script of Tests/Interop writes for a test: run into a scratch directory of
/// their own, read, then removed.
enum PythonFixtures {
    /// Runs `Tests/Interop/<script> <directory>` and `body` with the directory and the names of
    /// the `.parquet` files it wrote; the directory is removed afterwards.
    static func with<T>(
        _ script: String, _ body: (_ directory: String, _ names: [String]) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(script)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let status = try await ChildProcess.run(
            RepositoryPaths.python, [RepositoryPaths.root + "/Tests/Interop/" + script, directory],
            timeout: .seconds(300))
        #expect(status == 0, "\(script) failed")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".parquet") }
        return try await body(directory, names)
    }
}
