import Logging
import Testing

@testable import PGLite

@Suite("Runtime parameters: a session's settings sent as it opens")
struct PGRuntimeParametersTests {
    @Test(
        "each setting becomes -c name=value after the connection string's own options; spaces and backslashes escaped")
    func optionsText() throws {
        var configuration = PGConnection.Configuration(
            connectionString: try PGConnectionString("host=127.0.0.1 options='-c work_mem=4MB'"))
        #expect(try PGConnection.sessionOptions(configuration) == nil)
        configuration.runtimeParameters = [
            "statement_timeout": "5000", "application.note": #"a b\c"#, "default_transaction_read_only": "on",
        ]
        #expect(
            try PGConnection.sessionOptions(configuration)
                == #"-c work_mem=4MB -c application.note=a\ b\\c -c default_transaction_read_only=on -c statement_timeout=5000"#
        )
    }

    @Test("without options in the connection string, PGOPTIONS' are kept (libpq reads one or the other)")
    func keepsPGOPTIONS() throws {
        var configuration = PGConnection.Configuration(connectionString: try PGConnectionString("host=127.0.0.1"))
        configuration.runtimeParameters = ["statement_timeout": "5000"]
        #expect(
            try PGConnection.sessionOptions(configuration, environment: "-c search_path=elsewhere")
                == "-c search_path=elsewhere -c statement_timeout=5000")
        // The connection string's own win over the environment's.
        configuration.connectionString = try PGConnectionString("host=127.0.0.1 options='-c work_mem=4MB'")
        #expect(
            try PGConnection.sessionOptions(configuration, environment: "-c search_path=elsewhere")
                == "-c work_mem=4MB -c statement_timeout=5000")
    }

    @Test("a name that is not a setting name is refused before anything is sent", arguments: ["", "a b", "x=1", "a;b"])
    func badName(name: String) throws {
        var configuration = PGConnection.Configuration(connectionString: try PGConnectionString("host=127.0.0.1"))
        configuration.runtimeParameters = [name: "1"]
        let error = #expect(throws: PGError.self) { try PGConnection.sessionOptions(configuration) }
        #expect(error?.code == .invalidConfiguration)
    }
}
