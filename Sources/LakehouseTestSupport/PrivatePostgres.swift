import Foundation

/// A PostgreSQL cluster of the test's own (`scripts/services.sh start-postgres` in a directory
/// of its own), so that stopping or restarting it disturbs no other test.
public final class PrivatePostgres: Sendable {
    /// The scratch directory holding the cluster's data, logs and `env` file; ``remove()`` deletes it.
    public let directory: String
    /// This cluster's URL (`postgresql://…`, with its password), which only this test uses.
    public let databaseURL: String

    static let script = TestServices.repositoryRoot + "/scripts/services.sh"

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("pglite-cluster")).path
        try await Self.services(directory, "start-postgres")
        guard let url = ServicesFile.read(directory + "/env")?["LAKEHOUSE_TEST_DATABASE_URL"] else {
            throw TestServicesMissing(message: "services.sh wrote no database URL to \(directory)/env")
        }
        databaseURL = url
    }

    /// Runs `scripts/services.sh command` for the cluster in `directory`.
    ///
    /// - Throws: ``TestServicesMissing`` when it fails.
    public static func services(_ directory: String, _ command: String) async throws {
        let status = try await ChildProcess.run(
            "/usr/bin/env", ["LAKEHOUSE_SERVICES_DIR=\(directory)", script, command], timeout: .seconds(120))
        guard status == 0 else {
            throw TestServicesMissing(message: "services.sh \(command) in \(directory) exited with \(status)")
        }
    }

    /// Restarts the server with a fast shutdown on the same port, so that open connections break and the test
    /// sees how its client recovers.
    ///
    /// - Throws: ``TestServicesMissing`` when `services.sh` fails (the server was not running or did not restart
    ///   within 60 seconds); ``ChildProcessTimeout`` after 120 seconds.
    public func restart() async throws { try await Self.services(directory, "restart-postgres") }

    /// Stops the server and deletes ``directory``; ``with(_:)`` calls it, so tests rarely need to.
    ///
    /// - Throws: ``TestServicesMissing`` when `services.sh clean` fails; ``ChildProcessTimeout`` after 120 seconds.
    public func remove() async throws { try await Self.services(directory, "clean") }

    /// Runs `body` with a new cluster, and removes the cluster whether `body` succeeds or not.
    public static func with(_ body: (PrivatePostgres) async throws -> Void) async throws {
        let cluster = try await PrivatePostgres()
        do {
            try await body(cluster)
        } catch {
            try? await cluster.remove()
            throw error
        }
        try await cluster.remove()
    }
}
