/// Reads Parquet files: the footer once, then the row groups and columns asked for, into typed
/// vectors (``ParquetRecordBatch``).
///
/// ```swift
/// let reader = try ParquetReader(path: "sales.parquet")
/// for group in try reader.rowGroups(where: .greaterThanOrEqual("quantity", .integer(3))) {
///     let batch = try reader.readRowGroup(group, columns: ["store_id", "quantity"])
///     // batch.columns[1].primitive?.values is .int32([...])
/// }
/// ```
///
/// Memory follows what is read: the footer, then for each column chunk its compressed bytes
/// while it decodes and its decoded values, row group by row group. To read from S3 or any
/// remote store, fetch the footer (``ParquetFileMetadata/footerRange(fileSize:tail:)``) and the
/// ranges ``byteRanges(rowGroup:columns:)`` names into ``ParquetFetchedRanges``, or implement
/// ``ParquetByteSource``.
///
/// Every fault of the file raises ``ParquetError`` naming the column, the row group and the
/// byte offset; nothing a file says is trusted before it is checked against the file's size.
public struct ParquetReader: Sendable {
    /// How a reader reads.
    public struct Options: Sendable, Hashable {
        /// Whether pages' CRC32 checksums, where a writer stored them, are verified.
        public var verifiesChecksums = true
        /// Whether the columns of a row group are decoded on several cores.
        public var decodesColumnsConcurrently = true
        /// Whether ``ParquetRowGroupIterator`` hands the memory the process has freed back to
        /// the system before it decodes each row group after the first (glibc's `malloc_trim`;
        /// nothing elsewhere), so that a long stream holds about one row group's values. It acts
        /// on the whole process: every arena is locked and walked in turn. A streamed read of
        /// the benchmark table took about a third longer with it (the next row group's pages are
        /// faulted in afresh); turn it off where speed matters more than the resident size.
        public var releasesMemoryBetweenRowGroups = true

        /// Options with every default: checksums verified, columns decoded concurrently, and
        /// freed memory released between streamed row groups.
        public init() {}
    }

    /// The file's footer.
    public let metadata: ParquetFileMetadata
    /// The top-level fields of the schema.
    public let fields: [ParquetField]
    /// The options the reader was created with.
    public let options: Options
    private let source: any ParquetByteSource
    private let leaves: [SchemaLeaf]

    /// The number of rows in the file.
    public var rowCount: Int { Int(metadata.rowCount) }

    /// A reader of the file at `path`, read with `pread` as needed.
    public init(path: String, options: Options = Options()) throws {
        try self.init(source: ParquetFileSource(path: path), options: options)
    }

    /// A reader of a file held in memory.
    public init(bytes: [UInt8], options: Options = Options()) throws {
        try self.init(source: ParquetBufferSource(bytes), options: options)
    }

    /// A reader of `source`: reads the last 64 KiB (or the whole file when smaller), then the
    /// rest of the footer if it is longer.
    ///
    /// - Throws: ``ParquetError`` for a file that is not Parquet or whose footer is corrupt,
    ///   and whatever the source throws.
    public init(source: any ParquetByteSource, options: Options = Options()) throws {
        let size = source.size
        let tailLength = min(size, 64 << 10)
        let tail = try source.read((size - tailLength)..<size)
        let range = try ParquetFileMetadata.footerRange(fileSize: size, tail: Array(tail.suffix(8)))
        let footer =
            range.lowerBound >= size - tailLength
            ? Array(tail[(range.lowerBound - (size - tailLength))..<(range.upperBound - (size - tailLength))])
            : try source.read(range)
        try self.init(
            metadata: ParquetFileMetadata.decode(footer, baseOffset: range.lowerBound), source: source,
            options: options)
    }

    /// A reader of `source` whose footer was already decoded (for example fetched and cached).
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` when the row groups
    ///   disagree with the schema (a missing column, another type).
    public init(metadata: ParquetFileMetadata, source: any ParquetByteSource, options: Options = Options()) throws {
        self.metadata = metadata
        self.source = source
        self.options = options
        self.leaves = metadata.leaves
        self.fields = try FieldResolution.fields(of: metadata)
        for (index, group) in metadata.rowGroups.enumerated() {
            guard group.columns.count == leaves.count else {
                throw ParquetError(
                    code: .corruptMetadata,
                    message: "row group \(index) has \(group.columns.count) column chunks for \(leaves.count) columns",
                    rowGroup: index)
            }
            for (chunk, leaf) in zip(group.columns, leaves) {
                let name = leaf.path.joined(separator: ".")
                guard chunk.physicalType == leaf.element.physicalType else {
                    throw ParquetError(
                        code: .corruptMetadata,
                        message:
                            "column '\(name)' is \(leaf.element.physicalType.map { "\($0)" } ?? "a group") in the schema but its chunk in row group \(index) is \(chunk.physicalType)",
                        column: name, rowGroup: index)
                }
                guard chunk.filePath == nil else {
                    throw ParquetError(
                        code: .unsupportedFeature,
                        message: "column '\(name)' of row group \(index) lives in another file (\(chunk.filePath!))",
                        column: name, rowGroup: index)
                }
            }
        }
    }

    // MARK: Selection

    /// The indices of the row groups whose statistics allow a row to satisfy `predicate`, in
    /// file order (all of them for `nil`). See ``ParquetPredicate`` for what is pruned.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` when the predicate
    ///   names a column the file lacks or compares it with a value of another kind.
    public func rowGroups(where predicate: ParquetPredicate? = nil) throws -> [Int] {
        guard let predicate else { return Array(metadata.rowGroups.indices) }
        let pruning = StatisticsPruning(leaves: leaves)
        return try metadata.rowGroups.indices.filter { try pruning.mightMatch(predicate, metadata.rowGroups[$0]) }
    }

    /// The top-level fields named by `columns`, in that order (all fields for `nil`).
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` for a name the
    ///   schema lacks.
    public func selectedFields(_ columns: [String]?) throws -> [ParquetField] {
        guard let columns else { return fields }
        var seen = Set<String>()
        return try columns.filter { seen.insert($0).inserted }.map { name in
            guard let field = fields.first(where: { $0.name == name }) else {
                throw ParquetError(
                    code: .invalidArgument,
                    message: "no column '\(name)'; the file has \(fields.map(\.name).joined(separator: ", "))",
                    column: name)
            }
            return field
        }
    }

    /// The file ranges holding the column chunks that reading `columns` of row group `rowGroup`
    /// needs, in file order: what to fetch before calling ``readRowGroup(_:columns:)`` on a
    /// ``ParquetFetchedRanges``. A chunk of no values (in a row group of 0 rows) needs no bytes
    /// and has no range.
    public func byteRanges(rowGroup: Int, columns: [String]? = nil) throws -> [Range<Int>] {
        let group = try self.group(rowGroup)
        return try selectedFields(columns).flatMap { field in
            try field.leaves.compactMap { leaf in
                try located(rowGroup: rowGroup) {
                    try ColumnChunkReader.byteRange(of: group.columns[leaf], fileSize: source.size)
                }
            }
        }.sorted { $0.lowerBound < $1.lowerBound }
    }

    // MARK: Reading

    /// Reads `columns` (all for `nil`) of row group `index` into typed vectors.
    ///
    /// - Throws: ``ParquetError`` for any fault of the file, with the column, the row group and
    ///   the byte offset; ``ParquetError/Code/invalidArgument`` for an unknown column or index.
    public func readRowGroup(_ index: Int, columns: [String]? = nil) throws -> ParquetRecordBatch {
        let selected = try selectedFields(columns)
        let leafIndices = selected.flatMap { Array($0.leaves) }
        let decoded = try decodeChunks(rowGroups: [index], leaves: leafIndices)
        return try assemble(rowGroup: index, selected: selected, leaves: leafIndices, chunks: decoded)
    }

    /// Reads `columns` of the row groups `rowGroups` (all for `nil`) into one batch.
    ///
    /// Every column chunk of every selected row group is decoded on every core at once, so that
    /// a file of more row groups than columns still uses them all. This holds every selected
    /// row group's values at once; to bound memory by one row group, iterate with
    /// ``rowGroupBatches(columns:rowGroups:)`` instead.
    public func read(columns: [String]? = nil, rowGroups: [Int]? = nil) throws -> ParquetRecordBatch {
        let groups = rowGroups ?? Array(metadata.rowGroups.indices)
        let selected = try selectedFields(columns)
        let leafIndices = selected.flatMap { Array($0.leaves) }
        let decoded = try decodeChunks(rowGroups: groups, leaves: leafIndices)
        let batches = try groups.enumerated().map { position, index in
            try assemble(
                rowGroup: index, selected: selected, leaves: leafIndices,
                chunks: Array(decoded[(position * leafIndices.count)..<((position + 1) * leafIndices.count)]))
        }
        return try ParquetRecordBatch.concatenating(batches, fields: selected)
    }

    /// The chunks of `leaves` in each of `rowGroups`, row group by row group, decoded
    /// concurrently (as the options say) across both.
    private func decodeChunks(rowGroups: [Int], leaves: [Int]) throws -> [DecodedColumnChunk] {
        let groups = try rowGroups.map { try group($0) }
        return try ParallelLoop.map(groups.count * leaves.count, concurrently: options.decodesColumnsConcurrently) {
            job in
            let position = job / leaves.count
            return try located(rowGroup: rowGroups[position]) {
                try decode(leaf: leaves[job % leaves.count], of: groups[position])
            }
        }
    }

    /// Row group `index`'s batch of `selected` from its decoded `chunks` (one per leaf of `leaves`).
    private func assemble(
        rowGroup index: Int, selected: [ParquetField], leaves leafIndices: [Int], chunks decoded: [DecodedColumnChunk]
    ) throws -> ParquetRecordBatch {
        var byLeaf: NestedAssembly.Leaves = [:]
        for (leafIndex, chunk) in zip(leafIndices, decoded) { byLeaf[leafIndex] = chunk }
        let rowCount = Int(try group(index).rowCount)
        let vectors = try selected.map { field in
            let name = leaves[field.leaves.lowerBound].path.first ?? field.name
            return try located(rowGroup: index) { () throws -> ParquetColumnVector in
                if case .primitive = field.kind, field.maxRepetitionLevel == 0,
                    let chunk = byLeaf[field.leaves.lowerBound]
                {
                    guard chunk.entryCount == rowCount else {
                        throw ParquetError(
                            code: .corruptMetadata,
                            message:
                                "column '\(name)' holds \(chunk.entryCount) values where the row group has \(rowCount) rows",
                            column: name)
                    }
                    return .primitive(
                        ParquetColumnBatch(
                            chunk.values,
                            validity: chunk.validity(
                                maxDefinitionLevel: leaves[field.leaves.lowerBound].maxDefinitionLevel)))
                }
                return try NestedAssembly.vector(for: field, leaves: byLeaf, rowCount: rowCount, column: name)
            }
        }
        return ParquetRecordBatch(checked: selected, columns: vectors, rowCount: rowCount)
    }

    /// Streams `columns` of `rowGroups` (all for `nil`), one row group at a time.
    public func rowGroupBatches(columns: [String]? = nil, rowGroups: [Int]? = nil) -> ParquetRowGroupIterator {
        ParquetRowGroupIterator(
            reader: self, columns: columns, rowGroups: rowGroups ?? Array(metadata.rowGroups.indices))
    }

    private func group(_ index: Int) throws -> ParquetRowGroupMetadata {
        guard metadata.rowGroups.indices.contains(index) else {
            throw ParquetError(
                code: .invalidArgument,
                message: "no row group \(index); the file has \(metadata.rowGroups.count)", rowGroup: index)
        }
        return metadata.rowGroups[index]
    }

    /// Decodes one leaf's chunk, INT96 converted to nanoseconds.
    private func decode(leaf index: Int, of group: ParquetRowGroupMetadata) throws -> DecodedColumnChunk {
        let chunk = group.columns[index]
        let leaf = leaves[index]
        // A chunk of no values has no range and nothing is read of it.
        let range = try ColumnChunkReader.byteRange(of: chunk, fileSize: source.size)
        let held = try range.map { try source.bytes(holding: $0) } ?? (storage: [], range: 0..<0)
        var reader = ColumnChunkReader(
            storage: held.storage, range: held.range, baseOffset: (range?.lowerBound ?? 0) - held.range.lowerBound,
            chunk: chunk, maxDefinitionLevel: leaf.maxDefinitionLevel, typeLength: Int(leaf.element.typeLength ?? 0),
            maxRepetitionLevel: leaf.maxRepetitionLevel)
        reader.verifiesChecksums = options.verifiesChecksums
        var decoded = try reader.read()
        if chunk.physicalType == .int96, case .fixedLenByteArray(let bytes, 12) = decoded.values {
            decoded.values = .int64(Self.int96Nanoseconds(bytes))
        }
        return decoded
    }

    /// INT96 timestamps (8 bytes of nanoseconds in the day, then 4 of Julian day, little-endian)
    /// as nanoseconds since 1970 (wrapping outside the years 1677–2262, as Arrow does).
    static func int96Nanoseconds(_ bytes: [UInt8]) -> [Int64] {
        bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 12)).map { index in
                let nanos = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 12, as: Int64.self))
                let julian = Int64(
                    Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 12 + 8, as: Int32.self)))
                return (julian &- 2_440_588) &* 86_400_000_000_000 &+ nanos
            }
        }
    }

    /// Runs `body`, adding the row group to any ``ParquetError`` it throws.
    private func located<T>(rowGroup: Int, _ body: () throws -> T) throws -> T {
        do { return try body() } catch var error as ParquetError {
            if error.rowGroup == nil { error.rowGroup = rowGroup }
            throw error
        }
    }
}

/// Row groups read one at a time (see ``ParquetReader/rowGroupBatches(columns:rowGroups:)``):
/// only the current row group's values are held, and, unless the reader's options say not to
/// (``ParquetReader/Options/releasesMemoryBetweenRowGroups``), the memory freed since the last
/// row group is handed back to the system before the next one is decoded.
public struct ParquetRowGroupIterator: Sendable {
    let reader: ParquetReader
    let columns: [String]?
    let rowGroups: [Int]
    private var position = 0

    init(reader: ParquetReader, columns: [String]?, rowGroups: [Int]) {
        self.reader = reader
        self.columns = columns
        self.rowGroups = rowGroups
    }

    /// The next row group's batch and its index, or `nil` after the last.
    public mutating func next() throws -> (rowGroup: Int, batch: ParquetRecordBatch)? {
        guard position < rowGroups.count else { return nil }
        let index = rowGroups[position]
        // The caller has usually freed the last row group's values by now.
        if position > 0, reader.options.releasesMemoryBetweenRowGroups { FreedMemory.release() }
        position += 1
        return (index, try reader.readRowGroup(index, columns: columns))
    }
}
