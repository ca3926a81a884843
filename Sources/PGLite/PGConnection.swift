import CLibPQ
import Dispatch
import Logging

/// One connection to a PostgreSQL server.
///
/// libpq blocks, so every call runs on the connection's own serial dispatch queue, never on
/// Swift's cooperative thread pool; calls from several tasks are served one at a time, in the
/// order they arrive. Close the connection with ``close()`` when done; a connection that is
/// released without being closed is closed by its deinitialiser.
public final class PGConnection: @unchecked Sendable {
    // Safety: `handle` and `isClosed` are read and written only on `queue`.
    private let queue: DispatchQueue
    private var handle: OpaquePointer?
    private var isClosed = false
    private let logger: Logger
    private let target: String

    /// How a connection is opened.
    public struct Configuration: Sendable {
        /// What to connect to; see ``PGConnectionString`` for the accepted forms.
        public var connectionString: PGConnectionString
        /// How long to wait for the server before giving up. Default: 10 seconds.
        /// A `connect_timeout` in the connection string takes precedence.
        public var connectTimeout: Duration
        /// The `application_name` the server shows in `pg_stat_activity`. Default: `PGLite`.
        /// An `application_name` in the connection string takes precedence.
        public var applicationName: String

        /// Creates a configuration.
        public init(
            connectionString: PGConnectionString,
            connectTimeout: Duration = .seconds(10),
            applicationName: String = "PGLite"
        ) {
            self.connectionString = connectionString
            self.connectTimeout = connectTimeout
            self.applicationName = applicationName
        }

        /// Creates a configuration from a connection string (URL or key-value pairs).
        ///
        /// - Throws: ``PGError`` with ``PGError/Code/invalidConfiguration`` if it cannot be parsed.
        public init(_ connectionString: String) throws {
            self.init(connectionString: try PGConnectionString(connectionString))
        }
    }

    private init(queue: DispatchQueue, logger: Logger, target: String) {
        self.queue = queue
        self.logger = logger
        self.target = target
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - configuration: where to connect and how long to wait.
    ///   - logger: receives connection events with `pg.*` metadata; never a password.
    /// - Throws: ``PGError`` with ``PGError/Code/connectionFailed`` carrying libpq's reason.
    public static func connect(configuration: Configuration, logger: Logger) async throws -> PGConnection {
        let connectionString = configuration.connectionString
        let target = connectionString.description
        let queue = DispatchQueue(label: "PGLite.PGConnection")
        let timeoutSeconds = max(1, Int(configuration.connectTimeout.components.seconds))
        // Our defaults come first so that the same keyword in the connection string (expanded in
        // place of `dbname`) overrides them.
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = [String(timeoutSeconds), configuration.applicationName, connectionString.rawValue]
        logger.debug("connecting to PostgreSQL", metadata: ["pg.target": "\(target)"])
        let connection = PGConnection(queue: queue, logger: logger, target: target)
        let serverVersion = try await run(on: queue) {
            let handle = withCStringArray(keywords) { keywordPointers in
                withCStringArray(values) { valuePointers in
                    PQconnectdbParams(keywordPointers, valuePointers, 1)
                }
            }
            guard let handle else {
                throw PGError(code: .connectionFailed, message: "libpq could not allocate a connection")
            }
            guard PQstatus(handle) == CONNECTION_OK else {
                let reason = lastError(of: handle)
                PQfinish(handle)
                throw PGError(
                    code: .connectionFailed, message: "could not connect to PostgreSQL (\(target)): \(reason)")
            }
            connection.handle = handle
            return PQserverVersion(handle)
        }
        logger.debug(
            "connected to PostgreSQL", metadata: ["pg.target": "\(target)", "pg.server_version": "\(serverVersion)"])
        return connection
    }

    /// The server's version as an integer, for example `150018` for 15.18.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/connectionClosed`` after ``close()``.
    public func serverVersion() async throws -> Int {
        try await withHandle { Int(PQserverVersion($0)) }
    }

    /// Runs one statement with parameters `$1…$n` sent separately from the SQL text.
    ///
    /// Parameters are in PostgreSQL's text format, and `nil` is SQL NULL; the server infers
    /// their types from the statement. Values are never spliced into the SQL.
    ///
    /// - Parameters:
    ///   - sql: a single statement.
    ///   - parameters: the values of `$1…$n`, in order.
    /// - Returns: the rows (if any) and the command tag.
    /// - Throws: ``PGError`` with ``PGError/Code/statementFailed`` and the server's SQLSTATE, or
    ///   ``PGError/Code/connectionFailed`` if the connection was lost.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) async throws -> PGQueryResult {
        logger.trace("running statement", metadata: ["pg.parameters": "\(parameters.count)"])
        return try await withHandle { handle in
            let result = withOptionalCStringArray(parameters) { parameterPointers in
                PQexecParams(handle, sql, Int32(parameters.count), nil, parameterPointers, nil, nil, 0)
            }
            return try Self.consume(result, of: handle)
        }
    }

    /// Runs one or more statements separated by semicolons, without parameters, as one
    /// implicit transaction (libpq's simple query protocol). Useful for DDL scripts.
    ///
    /// - Returns: the result of the last statement.
    /// - Throws: as ``query(_:_:)``.
    @discardableResult
    public func execute(_ sql: String) async throws -> PGQueryResult {
        try await withHandle { handle in try Self.consume(PQexec(handle, sql), of: handle) }
    }

    /// Closes the connection. Later calls fail with ``PGError/Code/connectionClosed``;
    /// closing twice does nothing.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                if let handle = self.handle { PQfinish(handle) }
                self.handle = nil
                self.isClosed = true
                continuation.resume()
            }
        }
        logger.debug("closed PostgreSQL connection", metadata: ["pg.target": "\(target)"])
    }

    private func withHandle<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await Self.run(on: queue) {
            guard let handle = self.handle, !self.isClosed else {
                throw PGError(code: .connectionClosed, message: "the connection was closed; open a new one")
            }
            return try body(handle)
        }
    }

    private static func run<T: Sendable>(
        on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Turns a libpq result into a ``PGQueryResult`` or a ``PGError``, and frees it.
    private static func consume(_ result: OpaquePointer?, of handle: OpaquePointer) throws -> PGQueryResult {
        guard let result else {
            throw PGError(code: .connectionFailed, message: "PostgreSQL returned no result: \(lastError(of: handle))")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return copyRows(of: result)
        default:
            throw error(from: result, connection: handle)
        }
    }

    private static func copyRows(of result: OpaquePointer) -> PGQueryResult {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [PGRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            let values: [String?] = (0..<Int32(columnCount)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
            rows.append(PGRow(columns: columns, values: values))
        }
        let tuples = String(cString: PQcmdTuples(result))
        return PGQueryResult(
            columns: columns, rows: rows, commandTag: String(cString: PQcmdStatus(result)),
            affectedRows: Int(tuples)
        )
    }

    private static func error(from result: OpaquePointer, connection: OpaquePointer) -> PGError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let sqlState = field("C")
        guard PQstatus(connection) == CONNECTION_OK || sqlState != nil else {
            return PGError(
                code: .connectionFailed, message: "lost the connection to PostgreSQL: \(lastError(of: connection))")
        }
        return PGError(
            code: .statementFailed,
            message: field("M") ?? lastError(of: connection),
            sqlState: sqlState,
            severity: field("V") ?? field("S"),
            detail: field("D"),
            hint: field("H"),
            position: field("P").flatMap { Int($0) }
        )
    }

    private static func lastError(of connection: OpaquePointer) -> String {
        guard let message = PQerrorMessage(connection) else { return "unknown error" }
        return String(cString: message).trimmingTrailingNewlines()
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
