import Foundation
import Logging

/// One named SQL migration. Migrations run in the order given, each once per database.
public struct PGMigration: Sendable, Hashable {
    /// A unique name, recorded when the migration is applied (`0001_create_sales`).
    public var name: String
    /// The SQL: one or more statements, run in one transaction with the record of it.
    public var sql: String

    /// Creates a migration.
    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// Applies ordered SQL migrations exactly once per database.
///
/// Each applied migration is recorded in a table (default `schema_migrations`) with a SHA-256
/// checksum of its SQL. ``migrate(on:)`` holds a session advisory lock while it works, so that
/// processes migrating the same database at once apply each migration exactly once; one that
/// finds a recorded migration whose SQL has since changed stops with an error.
public struct PGMigrator: Sendable {
    /// The migrations, in the order they apply.
    public let migrations: [PGMigration]
    /// The table that records applied migrations (may be schema-qualified, quoted as needed).
    public let table: String
    /// The advisory lock key the migrator holds while it works.
    public let lockKey: Int64

    /// Creates a migrator.
    ///
    /// - Parameters:
    ///   - migrations: in order; names must be unique.
    ///   - table: the record table. Default: `schema_migrations`.
    ///   - lockKey: the advisory lock. Default: a fixed key shared by every PGLite migrator.
    /// - Throws: ``PGError`` with ``PGError/Code/invalidConfiguration`` for a repeated name.
    public init(
        migrations: [PGMigration], table: String = "schema_migrations", lockKey: Int64 = 0x5047_4C69_7465_4D67
    ) throws {
        var seen = Set<String>()
        for migration in migrations where !seen.insert(migration.name).inserted {
            throw PGError(code: .invalidConfiguration, message: "two migrations are named \"\(migration.name)\"")
        }
        self.migrations = migrations
        self.table = table
        self.lockKey = lockKey
    }

    /// The migrations in the `.sql` files of `directory`, in file-name order, named after the
    /// files without the extension.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/invalidConfiguration`` if it cannot be read.
    public static func migrations(inDirectory directory: String) throws -> [PGMigration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
                .sorted()
        } catch {
            throw PGError(code: .invalidConfiguration, message: "the migrations directory \(directory) cannot be read")
        }
        return try files.map { file in
            guard let sql = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else {
                throw PGError(code: .invalidConfiguration, message: "\(directory)/\(file) cannot be read as UTF-8")
            }
            return PGMigration(name: String(file.dropLast(4)), sql: sql)
        }
    }

    /// The names of the migrations not yet recorded in the database, in order, without
    /// applying anything (what ``migrate(on:)`` would apply now).
    ///
    /// - Throws: ``PGError`` when the database cannot be read.
    public func pending(on connection: PGConnection) async throws -> [String] {
        let exists = try await connection.query("SELECT to_regclass($1) IS NOT NULL", [table]).rows.first
        guard try exists?.decode(Bool.self, at: 0) == true else { return migrations.map(\.name) }
        let recorded = Set(
            try await connection.query("SELECT name FROM \(table)").rows.map { try $0.decode(String.self, at: 0) })
        return migrations.map(\.name).filter { !recorded.contains($0) }
    }

    /// Applies the migrations not yet recorded, in order, each in its own transaction.
    ///
    /// - Returns: the names applied by this call (empty when the database was up to date).
    /// - Throws: ``PGError`` with ``PGError/Code/migrationFailed`` when a recorded migration's
    ///   SQL has changed, or a migration fails (it is rolled back; earlier ones stay applied).
    @discardableResult
    public func migrate(on connection: PGConnection) async throws -> [String] {
        try await connection.withAdvisoryLock(lockKey) { connection in
            try await connection.execute(
                """
                CREATE TABLE IF NOT EXISTS \(table) (
                    name text PRIMARY KEY,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
            var recorded: [String: String] = [:]
            for row in try await connection.query("SELECT name, checksum FROM \(table)").rows {
                recorded[try row.decode(String.self, "name")] = try row.decode(String.self, "checksum")
            }
            // Every checksum in one round trip, in migration order.
            let checksums = try await connection.query(
                "SELECT encode(sha256(convert_to(sql, 'UTF8')), 'hex') FROM unnest($1::text[]) WITH ORDINALITY AS m(sql, n) "
                    + "ORDER BY n",
                [migrations.map(\.sql)]
            ).rows.map { try $0.decode(String.self, at: 0) }
            var applied: [String] = []
            for (migration, checksum) in zip(migrations, checksums) {
                if let previous = recorded[migration.name] {
                    guard previous == checksum else {
                        throw PGError(
                            code: .migrationFailed,
                            message: "migration \(migration.name) was changed after it was applied (recorded "
                                + "checksum \(previous.prefix(12))…, now \(checksum.prefix(12))…); "
                                + "restore it and add a new migration for the change")
                    }
                    continue
                }
                do {
                    try await connection.withTransaction { connection in
                        try await connection.execute(migration.sql)
                        try await connection.query(
                            "INSERT INTO \(table) (name, checksum) VALUES ($1, $2)", [migration.name, checksum])
                    }
                } catch let error as PGError {
                    var failure = error
                    failure.code = .migrationFailed
                    failure.message = "migration \(migration.name) failed and was rolled back: \(error.message)"
                    throw failure
                }
                connection.logger.info("applied migration", metadata: ["pg.migration": "\(migration.name)"])
                applied.append(migration.name)
            }
            return applied
        }
    }
}
