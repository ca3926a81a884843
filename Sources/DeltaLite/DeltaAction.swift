import Foundation

/// One action of a Delta Lake commit (Delta's PROTOCOL.md, "Actions"), for tables at reader
/// version 1 and writer version 2.
///
/// A commit file (`_delta_log/NNNNNNNNNNNNNNNNNNNN.json`) holds one action per line, each a JSON
/// object with a single key naming the action.
public enum DeltaAction: Sendable, Hashable {
    case `protocol`(DeltaProtocol)
    case metadata(DeltaMetadata)
    case add(DeltaAddFile)
    case remove(DeltaRemoveFile)
    case transaction(DeltaTransaction)
    /// Provenance: free-form, ignored when reading a snapshot.
    case commitInfo(DeltaCommitInfo)
}

/// The protocol versions a table needs.
public struct DeltaProtocol: Sendable, Hashable {
    /// `protocol.minReaderVersion`: the lowest reader version that can read the table;
    /// ``DeltaLog`` refuses a snapshot of a table that needs more than 1.
    public var minReaderVersion: Int
    /// `protocol.minWriterVersion`: the lowest writer version allowed to commit to the table;
    /// this writer is version 2 (``supported``). Kept as read: ``DeltaLog`` does not check it
    /// before committing.
    public var minWriterVersion: Int

    /// Reader version 1, writer version 2: what this writer produces.
    public static let supported = DeltaProtocol(minReaderVersion: 1, minWriterVersion: 2)

    /// A `protocol` action; a table this package creates uses ``supported``.
    public init(minReaderVersion: Int, minWriterVersion: Int) {
        self.minReaderVersion = minReaderVersion
        self.minWriterVersion = minWriterVersion
    }
}

/// The table's identity, schema and partitioning.
public struct DeltaMetadata: Sendable, Hashable {
    /// A unique id (a UUID) given when the table is created.
    public var id: String
    /// `metaData.name`: an optional name for people and catalogs; the tables silver creates
    /// leave it `nil`.
    public var name: String?
    /// Spark's JSON schema of the table (``DeltaSchema/schemaString``).
    public var schemaString: String
    /// `metaData.partitionColumns`: the columns whose values are not in the data files but in
    /// each file's directory and ``DeltaAddFile/partitionValues`` (silver's sales table:
    /// `event_date`; its quarantine table: none). Two writers racing to create the table must
    /// agree on them and on ``schemaString``.
    public var partitionColumns: [String]
    /// `metaData.configuration`: the table's properties (`delta.appendOnly`,
    /// `delta.logRetentionDuration`…), kept and written back but not acted on; silver sets none.
    public var configuration: [String: String]
    /// Milliseconds since 1970.
    public var createdTime: Int64?

    /// A `metaData` action; committed with ``DeltaProtocol/supported`` as version 0, it creates
    /// the table.
    ///
    /// - Parameters:
    ///   - id: a new UUID for a new table (silver writes it in lowercase).
    ///   - schemaString: the columns, as ``DeltaSchema/schemaString`` writes them.
    ///   - createdTime: milliseconds since 1970 (`nil`: not recorded).
    public init(
        id: String, name: String? = nil, schemaString: String, partitionColumns: [String],
        configuration: [String: String] = [:], createdTime: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.schemaString = schemaString
        self.partitionColumns = partitionColumns
        self.configuration = configuration
        self.createdTime = createdTime
    }
}

/// A data file that joins the table.
public struct DeltaAddFile: Sendable, Hashable {
    /// Relative to the table's root (`event_date=2026-01-05/part-….parquet`), URL-encoded.
    public var path: String
    /// The file's partition values as strings (`nil`: the null partition).
    public var partitionValues: [String: String?]
    /// `add.size`: the file's length in bytes.
    public var size: Int64
    /// Milliseconds since 1970.
    public var modificationTime: Int64
    /// `false` when the file only rearranges data already in the table (compaction).
    public var dataChange: Bool
    /// JSON: `numRecords`, `minValues`, `maxValues`, `nullCount` (``DeltaFileStatistics``).
    public var stats: String?

    /// An `add` action for a data file already written under the table's root; it becomes
    /// part of the table when the commit holding it wins its version.
    public init(
        path: String, partitionValues: [String: String?], size: Int64, modificationTime: Int64, dataChange: Bool,
        stats: String?
    ) {
        self.path = path
        self.partitionValues = partitionValues
        self.size = size
        self.modificationTime = modificationTime
        self.dataChange = dataChange
        self.stats = stats
    }
}

/// A data file that leaves the table (it stays on storage for time travel).
public struct DeltaRemoveFile: Sendable, Hashable {
    /// `remove.path`: the file leaving the table, spelt exactly as its ``DeltaAddFile/path`` (a
    /// snapshot matches the two as strings).
    public var path: String
    /// Milliseconds since 1970.
    public var deletionTimestamp: Int64
    /// `remove.dataChange`: `false` when the removal only rearranges data already in the table
    /// (compaction), so that change readers skip it; `true` when the log omits it.
    public var dataChange: Bool
    /// `remove.partitionValues` of the file, as in its `add` (`nil`: not recorded); written
    /// with `extendedFileMetadata`, which is `true` when ``size`` is recorded too.
    public var partitionValues: [String: String?]?
    /// `remove.size`: the file's length in bytes (`nil`: not recorded).
    public var size: Int64?

    /// A `remove` action. ``DeltaLog/commit(_:after:maxAttempts:)`` fails with
    /// ``DeltaError/Code/commitConflict`` when a concurrent commit removed the same path.
    public init(
        path: String, deletionTimestamp: Int64, dataChange: Bool, partitionValues: [String: String?]? = nil,
        size: Int64? = nil
    ) {
        self.path = path
        self.deletionTimestamp = deletionTimestamp
        self.dataChange = dataChange
        self.partitionValues = partitionValues
        self.size = size
    }
}

/// An application's progress marker, committed atomically with its data: a writer that finds
/// its `(appId, version)` in the table knows that batch is already in.
public struct DeltaTransaction: Sendable, Hashable {
    /// `txn.appId`: the writing application; silver uses ``SilverJob/Configuration/applicationID``
    /// (default `silver`). A snapshot keeps the latest version of each.
    public var appID: String
    /// `txn.version`: the application's progress, growing with each batch (silver's batch
    /// number). A commit that loses its race to one holding this app's transaction at this
    /// version or later is already in.
    public var version: Int64
    /// Milliseconds since 1970.
    public var lastUpdated: Int64?

    /// A `txn` action, to commit together with the batch's files so that both land or neither.
    public init(appID: String, version: Int64, lastUpdated: Int64? = nil) {
        self.appID = appID
        self.version = version
        self.lastUpdated = lastUpdated
    }
}

/// Who committed what, for people and tools (`DESCRIBE HISTORY`).
public struct DeltaCommitInfo: Sendable, Hashable {
    /// Milliseconds since 1970.
    public var timestamp: Int64
    /// `commitInfo.operation`: what the commit did, as `DESCRIBE HISTORY` lists it (silver
    /// writes `WRITE`).
    public var operation: String
    /// `commitInfo.operationParameters`: the operation's arguments, as strings (other types are
    /// turned into text when read). Silver records `mode`, `silverBatch` and `silverCounts`, and
    /// reads the counts back when a batch is retried after its commit landed.
    public var operationParameters: [String: String]
    /// `commitInfo.engineInfo`: the writer and its version (silver writes `LakehouseCore/<version>`).
    public var engineInfo: String

    /// A `commitInfo` action; ``DeltaSnapshot`` ignores it, the table's history shows it.
    public init(timestamp: Int64, operation: String, operationParameters: [String: String] = [:], engineInfo: String) {
        self.timestamp = timestamp
        self.operation = operation
        self.operationParameters = operationParameters
        self.engineInfo = engineInfo
    }
}

extension DeltaAction {
    /// The action as one JSON line (without the newline).
    ///
    /// - Throws: ``DeltaError`` ``DeltaError/Code/invalidLog`` when Foundation cannot encode it (a value
    ///   JSON cannot hold), rather than a line the log could not be read back from.
    public var jsonLine: String {
        get throws {
            let object: [String: Any]
            switch self {
            case .protocol(let value):
                object = [
                    "protocol": [
                        "minReaderVersion": value.minReaderVersion, "minWriterVersion": value.minWriterVersion,
                    ]
                ]
            case .metadata(let value):
                var body: [String: Any] = [
                    "id": value.id, "format": ["provider": "parquet", "options": [String: String]()],
                    "schemaString": value.schemaString, "partitionColumns": value.partitionColumns,
                    "configuration": value.configuration,
                ]
                if let name = value.name { body["name"] = name }
                if let created = value.createdTime { body["createdTime"] = created }
                object = ["metaData": body]
            case .add(let value):
                var body: [String: Any] = [
                    "path": value.path, "partitionValues": Self.partitionJSON(value.partitionValues),
                    "size": value.size,
                    "modificationTime": value.modificationTime, "dataChange": value.dataChange,
                ]
                if let stats = value.stats { body["stats"] = stats }
                object = ["add": body]
            case .remove(let value):
                var body: [String: Any] = [
                    "path": value.path, "deletionTimestamp": value.deletionTimestamp, "dataChange": value.dataChange,
                ]
                if let partitions = value.partitionValues {
                    body["partitionValues"] = Self.partitionJSON(partitions)
                    body["extendedFileMetadata"] = value.size != nil
                }
                if let size = value.size { body["size"] = size }
                object = ["remove": body]
            case .transaction(let value):
                var body: [String: Any] = ["appId": value.appID, "version": value.version]
                if let updated = value.lastUpdated { body["lastUpdated"] = updated }
                object = ["txn": body]
            case .commitInfo(let value):
                object = [
                    "commitInfo": [
                        "timestamp": value.timestamp, "operation": value.operation,
                        "operationParameters": value.operationParameters, "engineInfo": value.engineInfo,
                    ] as [String: Any]
                ]
            }
            return try DeltaJSON.line(object, what: "a Delta action")
        }
    }

    /// A JSON number as an integer, however Foundation bridged it.
    static func jsonInteger(_ value: Any?) -> Int64? {
        switch value {
        case let number as Int: return Int64(number)
        case let number as Int64: return number
        case let number as Double where number == number.rounded(): return Int64(exactly: number)
        case let number as NSNumber: return number.int64Value
        default: return nil
        }
    }

    private static func partitionJSON(_ values: [String: String?]) -> [String: Any] {
        values.mapValues { $0.map { $0 as Any } ?? NSNull() }
    }

    /// Reads one line of a commit file; `nil` for an action this reader does not model (`cdc`,
    /// `domainMetadata`…), which a snapshot may ignore at reader version 1.
    ///
    /// - Throws: ``DeltaError`` with ``DeltaError/Code/invalidLog`` when the line
    ///   is not a JSON object or a known action lacks a required field.
    public static func parse(_ line: String, file: String) throws -> DeltaAction? {
        func invalid(_ detail: String) -> DeltaError {
            DeltaError(code: .invalidLog, message: "\(file): \(detail)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
            let (name, value) = object.first, object.count == 1, let body = value as? [String: Any]
        else { throw invalid("a line is not one JSON object naming one action: \(line.prefix(200))") }
        func string(_ key: String) throws -> String {
            guard let value = body[key] as? String else { throw invalid("\(name) has no string \(key)") }
            return value
        }
        func integer(_ key: String) throws -> Int64 {
            guard let value = jsonInteger(body[key]) else { throw invalid("\(name) has no number \(key)") }
            return value
        }
        func partitions(_ any: Any?) -> [String: String?] {
            (any as? [String: Any] ?? [:]).mapValues { $0 as? String }
        }
        switch name {
        case "protocol":
            return .protocol(
                DeltaProtocol(
                    minReaderVersion: Int(try integer("minReaderVersion")),
                    minWriterVersion: Int(try integer("minWriterVersion"))))
        case "metaData":
            return .metadata(
                DeltaMetadata(
                    id: try string("id"), name: body["name"] as? String, schemaString: try string("schemaString"),
                    partitionColumns: body["partitionColumns"] as? [String] ?? [],
                    configuration: (body["configuration"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String },
                    createdTime: jsonInteger(body["createdTime"])))
        case "add":
            return .add(
                DeltaAddFile(
                    path: try string("path"), partitionValues: partitions(body["partitionValues"]),
                    size: try integer("size"), modificationTime: try integer("modificationTime"),
                    dataChange: body["dataChange"] as? Bool ?? true, stats: body["stats"] as? String))
        case "remove":
            return .remove(
                DeltaRemoveFile(
                    path: try string("path"), deletionTimestamp: jsonInteger(body["deletionTimestamp"]) ?? 0,
                    dataChange: body["dataChange"] as? Bool ?? true,
                    partitionValues: body["partitionValues"].map(partitions),
                    size: jsonInteger(body["size"])))
        case "txn":
            return .transaction(
                DeltaTransaction(
                    appID: try string("appId"), version: try integer("version"),
                    lastUpdated: jsonInteger(body["lastUpdated"])))
        case "commitInfo":
            return .commitInfo(
                DeltaCommitInfo(
                    timestamp: jsonInteger(body["timestamp"]) ?? 0,
                    operation: body["operation"] as? String ?? "",
                    operationParameters: (body["operationParameters"] as? [String: Any] ?? [:]).mapValues { "\($0)" },
                    engineInfo: body["engineInfo"] as? String ?? ""))
        default:
            return nil
        }
    }
}

extension DeltaAction {
    /// Whether this is a `metaData` action.
    var isMetadata: Bool {
        if case .metadata = self { return true }
        return false
    }

    /// Whether this is a `protocol` action.
    var isProtocol: Bool {
        if case .protocol = self { return true }
        return false
    }
}

extension DeltaAction {
    /// The actions that create a table, to commit as version 0 with its first files: the
    /// ``DeltaProtocol/supported`` protocol and a metadata action with a new id.
    ///
    /// - Parameters:
    ///   - name: the table's name for people and catalogs (`nil`: none).
    ///   - createdTime: milliseconds since 1970.
    /// - Throws: ``DeltaError`` when the schema cannot be written as JSON.
    public static func creatingTable(
        schema: DeltaSchema, partitionColumns: [String], name: String? = nil, createdTime: Int64
    ) throws -> [DeltaAction] {
        [
            .protocol(.supported),
            .metadata(
                DeltaMetadata(
                    id: UUID().uuidString.lowercased(), name: name, schemaString: try schema.schemaString,
                    partitionColumns: partitionColumns, createdTime: createdTime)),
        ]
    }
}
