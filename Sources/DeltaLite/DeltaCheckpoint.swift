import ParquetLite

/// A Delta checkpoint: a table's whole state at one version as one Parquet file
/// (`_delta_log/NNNNNNNNNNNNNNNNNNNN.checkpoint.parquet`), one row per action — the protocol,
/// the metadata, each application's latest `txn`, each active file's `add` and each tombstone's
/// `remove` — in the checkpoint schema of Delta's PROTOCOL.md, so that a reader starts from it
/// instead of replaying every commit.
enum DeltaCheckpoint {
    /// `map<string, string>` with nullable values.
    private static func stringMap(_ name: String, repetition: ParquetRepetition) -> ParquetSchemaNode {
        .map(name, repetition: repetition, key: .string("key"), value: .column(.string("value", repetition: .optional)))
    }

    private static func text(_ name: String, optional: Bool = false) -> ParquetSchemaNode {
        .column(.string(name, repetition: optional ? .optional : .required))
    }

    private static func long(_ name: String, optional: Bool = false) -> ParquetSchemaNode {
        .column(.int64(name, repetition: optional ? .optional : .required))
    }

    private static func flag(_ name: String, optional: Bool = false) -> ParquetSchemaNode {
        .column(.boolean(name, repetition: optional ? .optional : .required))
    }

    /// The checkpoint schema for reader version 1 and writer version 2 (the fields delta-rs and
    /// Spark write, without the features those versions do not have).
    static let schema: ParquetSchema = {
        do {
            return try ParquetSchema(nodes: [
                .structure(
                    "txn", [text("appId"), long("version"), long("lastUpdated", optional: true)]),
                .structure(
                    "add",
                    [
                        text("path"), stringMap("partitionValues", repetition: .required), long("size"),
                        long("modificationTime"), flag("dataChange"), text("stats", optional: true),
                        stringMap("tags", repetition: .optional),
                    ]),
                .structure(
                    "remove",
                    [
                        text("path"), long("deletionTimestamp", optional: true), flag("dataChange"),
                        flag("extendedFileMetadata", optional: true),
                        stringMap("partitionValues", repetition: .optional),
                        long("size", optional: true),
                    ]),
                .structure(
                    "metaData",
                    [
                        text("id"), text("name", optional: true), text("description", optional: true),
                        .structure(
                            "format", repetition: .required,
                            [text("provider"), stringMap("options", repetition: .required)]),
                        text("schemaString"),
                        .list("partitionColumns", repetition: .required, element: .column(.string("element"))),
                        long("createdTime", optional: true), stringMap("configuration", repetition: .required),
                    ]),
                .structure(
                    "protocol", [.column(.int32("minReaderVersion")), .column(.int32("minWriterVersion"))]),
            ])
        } catch {
            fatalError("the Delta checkpoint schema is invalid: \(error)")
        }
    }()

    private static let txnNames = ["appId", "version", "lastUpdated"]
    private static let addNames = [
        "path", "partitionValues", "size", "modificationTime", "dataChange", "stats", "tags",
    ]
    private static let removeNames = [
        "path", "deletionTimestamp", "dataChange", "extendedFileMetadata", "partitionValues", "size",
    ]
    private static let metadataNames = [
        "id", "name", "description", "format", "schemaString", "partitionColumns", "createdTime", "configuration",
    ]

    private static func map(_ pairs: [String: String?]) -> ParquetValue {
        .list(
            pairs.sorted { $0.key < $1.key }.map { key, value in
                .structure(names: ["key", "value"], values: [.string(key), value.map { .string($0) } ?? .null])
            })
    }

    private static func optional(_ text: String?) -> ParquetValue { text.map { .string($0) } ?? .null }
    private static func optional(_ number: Int64?) -> ParquetValue { number.map { .integer($0) } ?? .null }

    /// One row with `value` in column `index` of the five and nulls elsewhere.
    private static func row(_ index: Int, _ value: ParquetValue) -> [ParquetValue] {
        var row = [ParquetValue](repeating: .null, count: 5)
        row[index] = value
        return row
    }

    /// The checkpoint rows of `snapshot`: protocol, metadata, transactions, files, tombstones.
    static func rows(of snapshot: DeltaSnapshot) -> [[ParquetValue]] {
        var rows: [[ParquetValue]] = []
        let protocolValue = snapshot.protocol
        rows.append(
            row(
                4,
                .structure(
                    names: ["minReaderVersion", "minWriterVersion"],
                    values: [
                        .integer(Int64(protocolValue.minReaderVersion)),
                        .integer(Int64(protocolValue.minWriterVersion)),
                    ])))
        let metadata = snapshot.metadata
        rows.append(
            row(
                3,
                .structure(
                    names: metadataNames,
                    values: [
                        .string(metadata.id), optional(metadata.name), .null,
                        .structure(names: ["provider", "options"], values: [.string("parquet"), .list([])]),
                        .string(metadata.schemaString), .list(metadata.partitionColumns.map { .string($0) }),
                        optional(metadata.createdTime), map(metadata.configuration.mapValues { $0 }),
                    ])))
        for (appID, version) in snapshot.transactions.sorted(by: { $0.key < $1.key }) {
            rows.append(
                row(0, .structure(names: txnNames, values: [.string(appID), .integer(version), .null])))
        }
        for file in snapshot.files.values.sorted(by: { $0.path < $1.path }) {
            rows.append(
                row(
                    1,
                    .structure(
                        names: addNames,
                        values: [
                            .string(file.path), map(file.partitionValues), .integer(file.size),
                            .integer(file.modificationTime), .boolean(file.dataChange), optional(file.stats), .null,
                        ])))
        }
        for tombstone in snapshot.tombstones.values.sorted(by: { $0.path < $1.path }) {
            rows.append(
                row(
                    2,
                    .structure(
                        names: removeNames,
                        values: [
                            .string(tombstone.path), .integer(tombstone.deletionTimestamp),
                            .boolean(tombstone.dataChange), .boolean(tombstone.partitionValues != nil),
                            tombstone.partitionValues.map(map) ?? .null, optional(tombstone.size),
                        ])))
        }
        return rows
    }

    /// The checkpoint file of `snapshot` (zstd) and its number of actions.
    static func encode(_ snapshot: DeltaSnapshot) async throws -> (bytes: [UInt8], actions: Int) {
        let rows = rows(of: snapshot)
        var configuration = ParquetWriter.Configuration()
        configuration.codec = .zstd()
        configuration.encodesColumnsConcurrently = false
        let sink = ParquetMemorySink()
        let writer = try ParquetWriter(schema: schema, configuration: configuration, sink: sink)
        try await writer.write(try schema.columnBatches(rows: rows))
        try await writer.close()
        return (sink.bytes, rows.count)
    }

    /// The snapshot a checkpoint file holds, as of `version`.
    ///
    /// - Throws: ``DeltaError`` with ``DeltaError/Code/invalidLog`` when the file is
    ///   not a checkpoint (unreadable Parquet, no protocol or metadata, a malformed action).
    static func decode(_ bytes: [UInt8], version: Int64, key: String) throws -> DeltaSnapshot {
        let batch: ParquetRecordBatch
        do {
            let reader = try ParquetReader(bytes: bytes)
            batch = try reader.read(columns: ["txn", "add", "remove", "metaData", "protocol"])
        } catch {
            throw DeltaError(code: .invalidLog, message: "\(key): not a readable checkpoint: \(error)")
        }
        var state = Replay(key: key)
        for row in batch.rows { try state.apply(row) }
        guard let protocolValue = state.protocolValue, let metadata = state.metadata else {
            throw state.invalid("no protocol or metaData action")
        }
        return DeltaSnapshot(
            version: version, protocol: protocolValue, metadata: metadata, files: state.files,
            transactions: state.transactions, tombstones: state.tombstones)
    }

    /// The table's state as a checkpoint's rows build it, one action per row.
    private struct Replay {
        let key: String
        var protocolValue: DeltaProtocol?
        var metadata: DeltaMetadata?
        var files: [String: DeltaAddFile] = [:]
        var tombstones: [String: DeltaRemoveFile] = [:]
        var transactions: [String: Int64] = [:]

        init(key: String) { self.key = key }

        func invalid(_ why: String) -> DeltaError { DeltaError(code: .invalidLog, message: "\(key): \(why)") }

        /// Applies the action a row holds (its one non-null column).
        mutating func apply(_ row: ParquetRow) throws {
            if let fields = Fields(row["txn"]) {
                guard let appID = fields.string("appId"), let number = fields.integer("version") else {
                    throw invalid("a txn action without appId or version")
                }
                transactions[appID] = number
            }
            if let fields = Fields(row["add"]) {
                guard let path = fields.string("path"), let size = fields.integer("size"),
                    let modified = fields.integer("modificationTime")
                else { throw invalid("an add action without path, size or modificationTime") }
                files[path] = DeltaAddFile(
                    path: path, partitionValues: fields.map("partitionValues") ?? [:], size: size,
                    modificationTime: modified, dataChange: fields.boolean("dataChange") ?? true,
                    stats: fields.string("stats"))
            }
            if let fields = Fields(row["remove"]) {
                guard let path = fields.string("path") else { throw invalid("a remove action without a path") }
                tombstones[path] = DeltaRemoveFile(
                    path: path, deletionTimestamp: fields.integer("deletionTimestamp") ?? 0,
                    dataChange: fields.boolean("dataChange") ?? true, partitionValues: fields.map("partitionValues"),
                    size: fields.integer("size"))
            }
            if let fields = Fields(row["metaData"]) { metadata = try self.metadata(fields) }
            if let fields = Fields(row["protocol"]) {
                guard let reader = fields.integer("minReaderVersion"), let writer = fields.integer("minWriterVersion")
                else { throw invalid("a protocol action without its versions") }
                protocolValue = DeltaProtocol(minReaderVersion: Int(reader), minWriterVersion: Int(writer))
            }
        }

        /// A `metaData` action's fields as ``DeltaMetadata``.
        private func metadata(_ fields: Fields) throws -> DeltaMetadata {
            guard let id = fields.string("id"), let schemaString = fields.string("schemaString") else {
                throw invalid("a metaData action without id or schemaString")
            }
            var partitionColumns: [String] = []
            if case .list(let names) = fields.value("partitionColumns") ?? .null {
                partitionColumns = names.compactMap { if case .string(let name) = $0 { name } else { nil } }
            }
            return DeltaMetadata(
                id: id, name: fields.string("name"), schemaString: schemaString, partitionColumns: partitionColumns,
                configuration: (fields.map("configuration") ?? [:]).compactMapValues { $0 },
                createdTime: fields.integer("createdTime"))
        }
    }

    /// The fields of a non-null struct value, by name.
    private struct Fields {
        let names: [String]
        let values: [ParquetValue]

        init?(_ value: ParquetValue?) {
            guard case .structure(let names, let values) = value else { return nil }
            self.names = names
            self.values = values
        }

        func value(_ name: String) -> ParquetValue? { names.firstIndex(of: name).map { values[$0] } }

        func string(_ name: String) -> String? {
            if case .string(let text) = value(name) { return text }
            return nil
        }

        func integer(_ name: String) -> Int64? {
            if case .integer(let number) = value(name) { return number }
            return nil
        }

        func boolean(_ name: String) -> Bool? {
            if case .boolean(let flag) = value(name) { return flag }
            return nil
        }

        /// A map read as a list of key/value structs.
        func map(_ name: String) -> [String: String?]? {
            guard case .list(let entries) = value(name) else { return nil }
            var result: [String: String?] = [:]
            for entry in entries {
                guard case .structure(_, let pair) = entry, pair.count == 2, case .string(let key) = pair[0] else {
                    continue
                }
                if case .string(let text) = pair[1] { result[key] = .some(text) } else { result[key] = .some(nil) }
            }
            return result
        }
    }
}
