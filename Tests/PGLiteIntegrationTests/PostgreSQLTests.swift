import Foundation
import LakehouseTestSupport
import Logging
import PGLite
import Testing

@Suite("PGLite against the test PostgreSQL")
struct PostgreSQLTests {
    let services: TestServices
    let logs = CapturedLogs()

    init() throws { services = try TestServices.require() }

    func connect() async throws -> PGConnection {
        try await PGConnection.connect(
            configuration: PGConnection.Configuration(services.databaseURL), logger: logs.logger())
    }

    @Test("connects to PostgreSQL 15 through libpq and runs a query")
    func connectAndQuery() async throws {
        let connection = try await connect()
        let version = try await connection.serverVersion()
        #expect(version / 10000 == 15, "server version \(version)")
        let result = try await connection.query("SELECT version() AS text, 6 * 7 AS answer")
        #expect(result.columns == ["text", "answer"])
        #expect(try result.rows[0].value("text")?.hasPrefix("PostgreSQL 15") == true)
        #expect(try result.rows[0].value("answer") == "42")
        #expect(result.commandTag == "SELECT 1")
        await connection.close()
    }

    @Test("parameters are sent apart from the SQL and come back verbatim")
    func parameters() async throws {
        let connection = try await connect()
        let schema = uniqueName("pglite")
        try await connection.execute("CREATE SCHEMA \(schema); CREATE TABLE \(schema).t (id int PRIMARY KEY, v text)")
        let values: [String?] = ["'; DROP TABLE \(schema).t; --", "Grüße 🛒 ✓", "", nil]
        for (index, value) in values.enumerated() {
            let inserted = try await connection.query(
                "INSERT INTO \(schema).t VALUES ($1, $2)", [String(index), value])
            #expect(inserted.affectedRows == 1)
        }
        let rows = try await connection.query("SELECT v FROM \(schema).t ORDER BY id").rows
        #expect(rows.map { $0[0] } == values)
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }

    @Test("a rejected statement carries the server's SQLSTATE, detail and position")
    func statementErrors() async throws {
        let connection = try await connect()
        let missing = try await #require(throws: PGError.self) {
            try await connection.query("SELECT * FROM no_such_table_\(UInt32.random(in: 0...UInt32.max))")
        }
        #expect(missing.code == .statementFailed)
        #expect(missing.sqlState == "42P01")
        #expect(missing.severity == "ERROR")
        #expect(missing.position == 15)

        let schema = uniqueName("pglite")
        try await connection.execute("CREATE SCHEMA \(schema); CREATE TABLE \(schema).u (id int PRIMARY KEY)")
        try await connection.query("INSERT INTO \(schema).u VALUES ($1)", ["1"])
        let duplicate = try await #require(throws: PGError.self) {
            try await connection.query("INSERT INTO \(schema).u VALUES ($1)", ["1"])
        }
        #expect(duplicate.sqlState == "23505")
        #expect(duplicate.detail == "Key (id)=(1) already exists.")
        // The connection stays usable after a failed statement.
        #expect(try await connection.query("SELECT count(*) FROM \(schema).u").rows[0][0] == "1")
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }

    @Test("an empty connection string takes every setting from the PG* environment variables")
    func environmentVariables() async throws {
        let settings = try PGConnectionString(services.databaseURL).settings
        // The password is not in `settings` (never shown); take it from the URL's user info.
        let password = try #require(URLComponents(string: services.databaseURL)?.password)
        let variables = [
            "PGHOST": settings["host"] ?? "", "PGPORT": settings["port"] ?? "", "PGUSER": settings["user"] ?? "",
            "PGPASSWORD": password, "PGDATABASE": settings["dbname"] ?? "",
        ]
        // Other tests pass complete URLs, which override these; they are removed afterwards.
        for (name, value) in variables { setenv(name, value, 1) }
        defer { for name in variables.keys { unsetenv(name) } }
        let connection = try await PGConnection.connect(configuration: .init(""), logger: logs.logger())
        let row = try await connection.query("SELECT current_user AS u, current_database() AS d").rows[0]
        #expect(try row.decode(String.self, "u") == settings["user"])
        #expect(try row.decode(String.self, "d") == settings["dbname"])
        await connection.close()
    }

    @Test("a wrong password is a connection failure that does not contain it")
    func wrongPassword() async throws {
        var string = try PGConnectionString(services.databaseURL).settings
        string["password"] = "wrong-password-xyz"
        let conninfo = string.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let error = try await #require(throws: PGError.self) {
            _ = try await PGConnection.connect(configuration: .init(conninfo), logger: logs.logger())
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("password authentication failed"), "\(error.message)")
        #expect(!"\(error)".contains("wrong-password-xyz"))
        #expect(!logs.contains("wrong-password-xyz"))
    }

    @Test("calls from many tasks on one connection are served one at a time, each with its own result")
    func concurrentCallers() async throws {
        let connection = try await connect()
        try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<32 {
                group.addTask {
                    let row = try await connection.query("SELECT $1::int * 2, pg_sleep(0.005)", [String(index)]).rows[0]
                    return (index, row[0])
                }
            }
            for try await (index, doubled) in group { #expect(doubled == String(index * 2)) }
        }
        await connection.close()
    }

    @Test("a closed connection refuses work with a typed error")
    func closedConnection() async throws {
        let connection = try await connect()
        await connection.close()
        await connection.close()
        let error = try await #require(throws: PGError.self) { try await connection.query("SELECT 1") }
        #expect(error.code == .connectionClosed)
    }
}
