// Applies the .sql migrations of a directory to a PostgreSQL database, each exactly once, even
// when several processes run it at the same time.
//
//   pglite-migrate --directory migrations [--database-url URL] [--table schema_migrations]
import ArgumentParser
import Logging
import PGLite

@main
struct PGLiteMigrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pglite-migrate", abstract: "Apply SQL migrations (files NNNN_name.sql) to PostgreSQL once each.")

    @Option(help: "The directory of .sql migration files, applied in file-name order.")
    var directory: String

    @Option(help: "A postgres:// URL or key=value conninfo; empty takes the PG* environment variables.")
    var databaseURL: String = ""

    @Option(help: "The table that records applied migrations.")
    var table: String = "schema_migrations"

    func run() async throws {
        let logger = Logger(label: "pglite-migrate")
        let migrator = try PGMigrator(migrations: try PGMigrator.migrations(inDirectory: directory), table: table)
        let connection = try await PGConnection.connect(configuration: .init(databaseURL), logger: logger)
        let applied = try await migrator.migrate(on: connection)
        await connection.close()
        print(
            "applied \(applied.count) of \(migrator.migrations.count) migrations\(applied.isEmpty ? "" : ": ")"
                + applied.joined(separator: ", "))
    }
}
