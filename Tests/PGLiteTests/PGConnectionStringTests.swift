import LakehouseTestSupport
import Logging
import PGLite
import Testing

@Suite("Connection strings")
struct PGConnectionStringTests {
    @Test("a URL is parsed and its password never shown")
    func urlForm() throws {
        let string = try PGConnectionString("postgres://app:s3cr%40t@db.example:6543/sales?sslmode=disable")
        #expect(string.settings["host"] == "db.example")
        #expect(string.settings["port"] == "6543")
        #expect(string.settings["user"] == "app")
        #expect(string.settings["dbname"] == "sales")
        #expect(string.settings["sslmode"] == "disable")
        #expect(string.settings["password"] == nil)
        #expect(string.hasPassword)
        #expect(string.description.contains("password=***"))
        #expect(!string.description.contains("s3cr"))
    }

    @Test("key-value pairs are parsed")
    func keyValueForm() throws {
        let string = try PGConnectionString("host=127.0.0.1 port=5433 dbname=lake user=etl")
        #expect(string.settings["port"] == "5433")
        #expect(string.settings["dbname"] == "lake")
        #expect(!string.hasPassword)
        #expect(!string.description.contains("password"))
    }

    @Test("an unparseable string is a typed error that does not echo what may be a password")
    func invalidString() throws {
        let error = try #require(throws: PGError.self) { try PGConnectionString("host=localhost password hunter2") }
        #expect(error.code == .invalidConfiguration)
        #expect(!error.message.contains("hunter2"), "\(error.message)")
        #expect(!"\(error)".contains("hunter2"))

        let unknown = try #require(throws: PGError.self) { try PGConnectionString("hostt=localhost") }
        #expect(unknown.code == .invalidConfiguration)
    }

    @Test("a refused connection is a connection failure without the password")
    func refusedConnection() async throws {
        let port = try LoopbackSockets.closedPort()
        let configuration = try PGConnection.Configuration(
            "postgresql://someone:topsecretpw@127.0.0.1:\(port)/none?connect_timeout=2")
        let error = try await #require(throws: PGError.self) {
            _ = try await PGConnection.connect(configuration: configuration, logger: Logger(label: "test"))
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("\(port)"), "the message should name where it tried: \(error.message)")
        #expect(!"\(error)".contains("topsecretpw"))
    }

    @Test("a server that accepts but never answers ends at the connect timeout")
    func connectTimeout() async throws {
        let listener = try StalledListener()
        defer { listener.close() }
        let configuration = PGConnection.Configuration(
            connectionString: try PGConnectionString(
                "postgresql://someone:topsecretpw@127.0.0.1:\(listener.port)/none"),
            connectTimeout: .seconds(1))
        let error = try await #require(throws: PGError.self) {
            _ = try await PGConnection.connect(configuration: configuration, logger: Logger(label: "test"))
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("timeout"), "\(error.message)")
        #expect(!"\(error)".contains("topsecretpw"))
    }

    @Test("errors describe themselves with the server's fields")
    func errorDescription() {
        let error = PGError(
            code: .statementFailed, message: "duplicate key value violates unique constraint \"t_pkey\"",
            sqlState: "23505", severity: "ERROR", detail: "Key (id)=(1) already exists.", position: 12)
        #expect(
            error.description
                == "PGError.statementFailed ERROR [23505]: duplicate key value violates unique constraint \"t_pkey\" "
                + "DETAIL: Key (id)=(1) already exists. (at character 12)")
    }
}
