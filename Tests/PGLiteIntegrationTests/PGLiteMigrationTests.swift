import Foundation
import LakehouseTestSupport
import PGLite
import Testing

@Suite("PGLite migrations")
struct PGLiteMigrationTests {
    let services: TestServices
    let logs = CapturedLogs()

    init() throws { services = try TestServices.require() }

    func migrations(_ schema: String) -> [PGMigration] {
        [
            PGMigration(name: "0001_table", sql: "CREATE TABLE \(schema).events (id bigint, note text)"),
            PGMigration(
                name: "0002_rows",
                sql: "SELECT pg_sleep(0.3); INSERT INTO \(schema).events VALUES (1, 'once'), (2, 'once')"),
            PGMigration(name: "0003_index", sql: "CREATE INDEX ON \(schema).events (id)"),
        ]
    }

    @Test("migrations apply once, in order; an applied migration that changed is an error")
    func applyOnce() async throws {
        let connection = try await PGConnection.connect(
            configuration: .init(services.databaseURL), logger: logs.logger())
        let schema = uniqueName("pgmig")
        try await connection.execute("CREATE SCHEMA \(schema)")
        let migrator = try PGMigrator(migrations: migrations(schema), table: "\(schema).schema_migrations")
        #expect(try await migrator.migrate(on: connection) == ["0001_table", "0002_rows", "0003_index"])
        #expect(try await migrator.migrate(on: connection) == [])
        #expect(
            try await connection.query("SELECT count(*) FROM \(schema).events").rows[0].decode(Int.self, at: 0) == 2)

        var edited = migrations(schema)
        edited[1].sql += "; INSERT INTO \(schema).events VALUES (3, 'sneaky')"
        let error = await #expect(throws: PGError.self) {
            try await PGMigrator(migrations: edited, table: "\(schema).schema_migrations").migrate(on: connection)
        }
        #expect(error?.code == .migrationFailed)
        #expect(error?.message.contains("0002_rows was changed after it was applied") == true)

        let failing = migrations(schema) + [PGMigration(name: "0004_broken", sql: "CREATE TABLE \(schema).x (; ")]
        let broken = await #expect(throws: PGError.self) {
            try await PGMigrator(migrations: failing, table: "\(schema).schema_migrations").migrate(on: connection)
        }
        #expect(broken?.message.hasPrefix("migration 0004_broken failed and was rolled back") == true)
        #expect(throws: PGError.self) { try PGMigrator(migrations: migrations(schema) + migrations(schema)) }
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }

    @Test("two processes migrating at once apply each migration exactly once")
    func twoProcesses() async throws {
        let connection = try await PGConnection.connect(
            configuration: .init(services.databaseURL), logger: logs.logger())
        let schema = uniqueName("pgmig2")
        try await connection.execute("CREATE SCHEMA \(schema)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(schema).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for migration in migrations(schema) {
            try migration.sql.write(toFile: "\(directory)/\(migration.name).sql", atomically: true, encoding: .utf8)
        }
        // The example tool is built beside the test bundle.
        let tool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("pglite-migrate").path
        #expect(FileManager.default.isExecutableFile(atPath: tool), "\(tool) is built by swift build --build-tests")
        let arguments = [
            "--directory", directory, "--database-url", services.databaseURL, "--table", "\(schema).schema_migrations",
        ]
        async let first = ChildProcess.run(tool, arguments)
        async let second = ChildProcess.run(tool, arguments)
        #expect(try await [first, second] == [0, 0])
        let applied = try await connection.query("SELECT name FROM \(schema).schema_migrations ORDER BY name").rows
        #expect(applied.map { $0[0] } == ["0001_table", "0002_rows", "0003_index"])
        #expect(
            try await connection.query("SELECT count(*) FROM \(schema).events").rows[0].decode(Int.self, at: 0) == 2)
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }
}
