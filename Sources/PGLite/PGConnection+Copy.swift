import CLibPQ

extension PGConnection {
    /// Runs a `COPY … FROM STDIN` and streams its data from `write`, which receives a
    /// ``PGCopyWriter``: rows go to the server in 256 KiB chunks as they are written.
    ///
    /// If `write` throws, or the server rejects a row, the COPY is aborted: the table is left as
    /// it was, the connection stays usable, and the error is rethrown (the server's, for a bad
    /// row). The connection is held for the whole COPY.
    ///
    /// - Parameters:
    ///   - sql: a `COPY table [(columns)] FROM STDIN [WITH (FORMAT …)]` statement.
    ///   - format: how ``PGCopyWriter/writeRow(_:)`` formats rows; match the statement's
    ///     `FORMAT` (text, csv or binary). Default: text. Raw ``PGCopyWriter/write(_:)`` data is
    ///     sent as is.
    /// - Returns: the number of rows the server copied.
    /// - Throws: ``PGError``, or what `write` throws.
    @discardableResult
    public func copyIn(
        _ sql: String, format: PGCopyRowFormat = .text, _ write: (PGCopyWriter) async throws -> Void
    ) async throws -> Int {
        try await exclusive {
            try await startCopy(sql, expecting: PGRES_COPY_IN)
            let writer = PGCopyWriter(connection: self, format: format)
            do {
                try await write(writer)
                try await writer.finish()
            } catch {
                let serverError = await abortCopyIn(reason: error)
                // A send that failed because the server rejected a row: the server's error says which.
                if let sendError = error as? PGError, sendError.code == .connectionFailed, let serverError,
                    serverError.code == .statementFailed
                {
                    throw serverError
                }
                throw error
            }
            return try await finishCopyIn(abortMessage: nil)
        }
    }

    /// Runs a `COPY … FROM STDIN` whose data comes from `chunks`, in the statement's format
    /// (text, CSV or binary); chunks need not end at row boundaries.
    @discardableResult
    public func copyIn<Chunks: AsyncSequence>(_ sql: String, chunks: Chunks) async throws -> Int
    where Chunks.Element == [UInt8] {
        try await copyIn(sql) { writer in
            for try await chunk in chunks { try await writer.write(chunk) }
        }
    }

    /// Runs a `COPY … FROM STDIN` whose rows come from `rows`, formatted as `format`.
    @discardableResult
    public func copyIn<Rows: AsyncSequence>(
        _ sql: String, format: PGCopyRowFormat = .text, rows: Rows
    ) async throws -> Int where Rows.Element == [(any PGEncodable)?] {
        try await copyIn(sql, format: format) { writer in
            for try await row in rows { try await writer.writeRow(row) }
        }
    }

    /// Runs a `COPY … TO STDOUT` and hands its data to `receive` in chunks of about 256 KiB
    /// (whole rows in text and CSV formats).
    ///
    /// If `receive` throws, the rest of the data is read and dropped, so that the connection
    /// stays usable, and the error is rethrown.
    ///
    /// - Returns: the number of rows the server copied.
    @discardableResult
    public func copyOut(_ sql: String, _ receive: ([UInt8]) async throws -> Void) async throws -> Int {
        try await exclusive {
            try await startCopy(sql, expecting: PGRES_COPY_OUT)
            var receiveError: (any Error)?
            while true {
                let (chunk, finished) = try await readCopyData(upTo: 256 << 10)
                if !chunk.isEmpty, receiveError == nil {
                    do { try await receive(chunk) } catch { receiveError = error }
                }
                if let rows = finished {
                    if let receiveError { throw receiveError }
                    return rows
                }
            }
        }
    }

    // MARK: Internals, run in the caller's turn

    private func startCopy(_ sql: String, expecting status: ExecStatusType) async throws {
        try await withHandle { handle in
            guard let result = PQexec(handle, sql) else {
                throw PGError(
                    code: .connectionFailed, message: "PostgreSQL returned no result: \(Self.lastError(of: handle))")
            }
            let actual = PQresultStatus(result)
            if actual == status {
                PQclear(result)
                return
            }
            if actual == PGRES_COMMAND_OK || actual == PGRES_TUPLES_OK || actual == PGRES_COPY_IN
                || actual == PGRES_COPY_OUT
            {
                PQclear(result)
                throw PGError(
                    code: .invalidConfiguration,
                    message: status == PGRES_COPY_IN
                        ? "copyIn needs a COPY … FROM STDIN statement" : "copyOut needs a COPY … TO STDOUT statement")
            }
            _ = try Self.consume(result, of: handle)
        }
    }

    /// Sends one chunk of COPY data.
    func putCopyData(_ chunk: [UInt8]) async throws {
        try await withHandle { handle in
            let sent = chunk.withUnsafeBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    PQputCopyData(handle, $0, Int32(bytes.count))
                }
            }
            guard sent == 1 else {
                throw PGError(
                    code: .connectionFailed, message: "COPY data could not be sent: \(Self.lastError(of: handle))")
            }
        }
    }

    /// Aborts a COPY FROM STDIN after `reason`, leaving the connection ready; returns the error
    /// the server reported, if it had rejected the data already.
    private func abortCopyIn(reason: any Error) async -> PGError? {
        do {
            _ = try await cleanUp { try await finishCopyIn(abortMessage: "aborted by the client: \(reason)") }
            return nil
        } catch {
            return error as? PGError
        }
    }

    /// Ends (or, with a message, aborts) a COPY FROM STDIN and reads its outcome.
    private func finishCopyIn(abortMessage: String?) async throws -> Int {
        try await withHandle { handle in
            guard PQputCopyEnd(handle, abortMessage) == 1 else {
                throw PGError(
                    code: .connectionFailed, message: "COPY could not be ended: \(Self.lastError(of: handle))")
            }
            return try Self.drainResults(of: handle)
        }
    }

    /// Reads COPY TO STDOUT data until `limit` bytes or the end; at the end, the row count.
    private func readCopyData(upTo limit: Int) async throws -> ([UInt8], Int?) {
        try await withHandle { handle in
            var chunk: [UInt8] = []
            while chunk.count < limit {
                var pointer: UnsafeMutablePointer<CChar>?
                let length = PQgetCopyData(handle, &pointer, 0)
                if length > 0, let pointer {
                    pointer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                        chunk.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(length)))
                    }
                    PQfreemem(pointer)
                } else if length == -1 {
                    return (chunk, try Self.drainResults(of: handle))
                } else {
                    throw PGError(
                        code: .connectionFailed, message: "COPY data could not be read: \(Self.lastError(of: handle))")
                }
            }
            return (chunk, nil)
        }
    }

    /// Reads every pending result: the first decides (a row count, or an error); the rest are
    /// consumed so that the connection is ready for the next statement.
    private static func drainResults(of handle: OpaquePointer) throws -> Int {
        var outcome: Result<Int, PGError>?
        while let result = PQgetResult(handle) {
            if outcome == nil {
                if PQresultStatus(result) == PGRES_COMMAND_OK {
                    outcome = .success(Int(String(cString: PQcmdTuples(result))) ?? 0)
                } else {
                    outcome = .failure(error(from: result, connection: handle))
                }
            }
            PQclear(result)
        }
        switch outcome {
        case .success(let rows): return rows
        case .failure(let error): throw error
        case nil:
            throw PGError(code: .connectionFailed, message: "COPY ended without a result: \(lastError(of: handle))")
        }
    }
}
