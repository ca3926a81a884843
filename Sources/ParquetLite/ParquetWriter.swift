/// Writes a Parquet file, batch by batch, to a ``ParquetSink``.
///
/// Each ``write(_:)`` takes one ``ParquetColumnBatch`` per schema column (per leaf of a nested
/// schema; ``ParquetSchema/columnBatches(rows:)`` makes them from row values). Rows go into pages
/// (closed by ``Configuration/dataPageSize`` and ``Configuration/dataPageRowLimit``) and row
/// groups (closed by ``Configuration/rowGroupRowLimit`` and ``Configuration/rowGroupByteLimit``)
/// as they arrive, and a row group is handed to the sink as soon as it closes, so memory holds
/// at most one row group, however long the file. ``close()`` writes the footer.
///
/// ```swift
/// let schema = try ParquetSchema([.string("store_id"), .int64("quantity"), .timestamp("sold_at")])
/// let sink = ParquetMemorySink()
/// let writer = try ParquetWriter(schema: schema, sink: sink)
/// try await writer.write([
///     .strings(["STORE_001", "STORE_002"]), .int64s([3, 1]), .int64s([1_767_225_600_000_000, 1_767_225_600_250_000]),
/// ])
/// try await writer.close()
/// // sink.bytes is a complete Parquet file
/// ```
///
/// A writer is used from one task at a time. Columns are encoded on several threads when
/// ``Configuration/encodesColumnsConcurrently`` is on. A value that violates the schema fails
/// the whole `write` before anything of that batch is written; a failure of the sink or a codec
/// leaves the writer unusable (later calls throw ``ParquetError/Code/writerClosed``).
public final class ParquetWriter {
    /// The file's schema.
    public let schema: ParquetSchema
    /// The writer's settings.
    public let configuration: Configuration
    /// The rows written so far.
    public private(set) var rowsWritten = 0

    private let sink: any ParquetSink
    private let settings: [ColumnSettings]
    private var chunks: [ColumnChunkWriter]
    private var groupRows = 0
    private var position = 0
    private var rowGroups: [RowGroupMetadata] = []
    private var isOpen = true
    private let zstdContexts = ZstdContextPool()
    private static let magic: [UInt8] = Array("PAR1".utf8)

    /// Creates a writer; nothing is written until the first batch or ``close()``.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` for settings that
    ///   cannot work (DELTA_BINARY_PACKED on a string column, a zstd level out of range, an
    ///   override for a column the schema lacks, non-positive limits).
    public init(schema: ParquetSchema, configuration: Configuration = Configuration(), sink: any ParquetSink) throws {
        let names = Set(schema.columns.map(\.name))
        if let unknown = configuration.columns.keys.sorted().first(where: { !names.contains($0) }) {
            throw ParquetError(
                code: .invalidArgument, message: "a column override names '\(unknown)', which the schema does not have",
                column: unknown)
        }
        guard configuration.rowGroupRowLimit > 0, configuration.rowGroupByteLimit > 0 else {
            throw ParquetError(code: .invalidArgument, message: "row group limits must be positive")
        }
        self.schema = schema
        self.configuration = configuration
        self.sink = sink
        settings = try schema.columns.map { try ColumnSettings(column: $0, configuration: configuration) }
        chunks = zip(schema.columns, settings).map { ColumnChunkWriter(column: $0, settings: $1) }
    }

    /// Appends rows: one batch per schema column, in schema order, all covering the same rows.
    ///
    /// - Throws: ``ParquetError``: ``ParquetError/Code/schemaViolation`` (naming the column) for
    ///   a batch of the wrong type or length, a null in a REQUIRED column, a value outside its
    ///   logical type (a decimal beyond its precision, an INT(8) over 127, bytes that are not
    ///   UTF-8 in a STRING column), and nothing of the batch is written; a codec or sink failure
    ///   otherwise.
    /// - Complexity: O(rows × columns); columns are encoded concurrently.
    public func write(_ columns: [ParquetColumnBatch]) async throws {
        guard isOpen else { throw Self.closedError() }
        guard columns.count == schema.columns.count else {
            throw ParquetError(
                code: .schemaViolation,
                message:
                    "a write needs one batch per column: the schema has \(schema.columns.count), the write \(columns.count)"
            )
        }
        let rowCount = columns.first?.rowCount ?? 0
        for (column, batch) in zip(schema.columns, columns) where batch.rowCount != rowCount {
            throw ParquetError(
                code: .schemaViolation,
                message:
                    "column '\(column.name)' has \(batch.rowCount) rows in this write, column '\(schema.columns[0].name)' \(rowCount)",
                column: column.name)
        }
        try forEachColumn { index in try BatchValidation.check(columns[index], against: schema.columns[index]) }
        guard rowCount > 0 else { return }
        // Nested leaves: where each row starts among the level slots.
        let rowStarts = columns.map { $0.levels?.rowStarts }
        if position == 0 { try await emit(Self.magic) }
        do {
            // Where each column's next value is: OPTIONAL columns hold fewer values than rows.
            let cursors = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks.count)
            cursors.initialize(repeating: 0)
            defer { cursors.deallocate() }
            var row = 0
            var buffered = chunks.reduce(0) { $0 + $1.bufferedByteCount }
            while row < rowCount {
                let take = min(
                    rowCount - row, configuration.rowGroupRowLimit - groupRows, sliceRows(buffered: buffered))
                let rows = row..<(row + take)
                try forEachColumn { index in
                    cursors[index] += try chunks[index].append(
                        columns[index], rows: rows, valueStart: cursors[index], rowStarts: rowStarts[index])
                }
                try compressPendingPages()
                groupRows += take
                rowsWritten += take
                row += take
                buffered = chunks.reduce(0) { $0 + $1.bufferedByteCount }
                if groupRows >= configuration.rowGroupRowLimit || buffered >= configuration.rowGroupByteLimit {
                    try await flushRowGroup()
                    buffered = 0
                }
            }
        } catch {
            isOpen = false
            throw error
        }
    }

    /// How many rows to append before the row group's size is checked again: about what the
    /// rows so far say fits in the room left, so that a row group overshoots its byte limit by
    /// little, within 1,024...1,048,576 rows. Each slice ends with every column at a barrier
    /// (then its pages are compressed on every core), so the fewer slices the room allows, the
    /// less a wide column holds the others up; the pages a slice leaves to compress are at most
    /// the room left, so memory stays bounded by the row group's limit.
    private func sliceRows(buffered: Int) -> Int {
        guard groupRows > 0, buffered > 0 else { return 4096 }
        let room = max(configuration.rowGroupByteLimit - buffered, 0)
        return min(max(room / max(buffered / groupRows, 1), 1024), 1_048_576)
    }

    /// Writes the last row group and the footer, then closes the sink.
    ///
    /// - Throws: ``ParquetError`` if a codec or the sink fails, or the writer was closed already.
    public func close() async throws {
        guard isOpen else { throw Self.closedError() }
        isOpen = false
        if position == 0 { try await emit(Self.magic) }
        if groupRows > 0 { try await flushRowGroup() }
        var footer = FileMetadataEncoding.encode(
            schema: schema, rowGroups: rowGroups, keyValueMetadata: configuration.keyValueMetadata,
            createdBy: configuration.createdBy)
        let length = UInt32(footer.count)
        for shift in stride(from: 0, to: 32, by: 8) { footer.append(UInt8(truncatingIfNeeded: length >> shift)) }
        footer.append(contentsOf: Self.magic)
        try await emit(footer)
        try await sink.close()
    }

    /// Compresses the pages the columns closed, all columns' pages at once across threads (so
    /// that one wide column does not hold the others up), then stores them in each column.
    private func compressPendingPages() throws {
        let jobs = chunks.flatMap { chunk in chunk.pending.map { (chunk, $0) } }
        guard !jobs.isEmpty else { return }
        try forEach(jobs.count) { index in try jobs[index].0.compress(jobs[index].1, zstdContexts: zstdContexts) }
        for chunk in chunks { chunk.commitPendingPages() }
    }

    /// Closes every chunk of the current row group, then hands them to the sink in column order.
    private func flushRowGroup() async throws {
        try forEachColumn { index in try chunks[index].finishPages() }
        try compressPendingPages()
        let groupStart = position
        var columnsMetadata: [ColumnChunkMetadata] = []
        for chunk in chunks {
            var metadata = chunk.metadata()
            let chunkStart = position
            if !chunk.dictionaryPage.isEmpty { try await emit(chunk.dictionaryPage) }
            try await emit(chunk.dataPages)
            metadata.dataPageOffset += chunkStart
            metadata.dictionaryPageOffset = metadata.dictionaryPageOffset.map { $0 + chunkStart }
            columnsMetadata.append(metadata)
        }
        rowGroups.append(
            RowGroupMetadata(
                columns: columnsMetadata, rowCount: groupRows, fileOffset: groupStart, ordinal: rowGroups.count))
        chunks = zip(schema.columns, settings).map { ColumnChunkWriter(column: $0, settings: $1) }
        groupRows = 0
    }

    private func emit(_ bytes: [UInt8]) async throws {
        do {
            try await sink.write(bytes)
        } catch let error as ParquetError {
            isOpen = false
            throw error
        } catch {
            isOpen = false
            throw ParquetError(code: .sinkFailed, message: "the sink failed: \(error)")
        }
        position += bytes.count
    }

    /// Runs `body` for every column index, on several threads if configured; rethrows the
    /// failure of the lowest index.
    private func forEachColumn(_ body: (Int) throws -> Void) throws { try forEach(chunks.count, body) }

    /// Runs `body` for `0..<count`, on several threads if configured (each index must touch only
    /// its own state); rethrows the failure of the lowest index.
    private func forEach(_ count: Int, _ body: (Int) throws -> Void) throws {
        try ParallelLoop.run(count, concurrently: configuration.encodesColumnsConcurrently, body)
    }

    private static func closedError() -> ParquetError {
        ParquetError(code: .writerClosed, message: "the writer was closed or failed earlier; open a new one")
    }
}
