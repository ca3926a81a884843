/// A Parquet file's footer (parquet.thrift `FileMetaData`), as decoded by
/// ``ParquetFileMetadata/decode(_:baseOffset:)``.
public struct ParquetFileMetadata: Sendable, Hashable {
    /// The format version the writer claims (1 or 2).
    public var version: Int32
    /// The schema, depth first as stored: the root, then each group followed by its children.
    public var schema: [ParquetSchemaElement]
    /// The number of rows in the file.
    public var rowCount: Int64
    /// The row groups, in file order.
    public var rowGroups: [ParquetRowGroupMetadata]
    /// Key-value metadata, in file order (a value may be absent).
    public var keyValueMetadata: [ParquetKeyValue]
    /// The application that wrote the file, if it said.
    public var createdBy: String?

    /// The size limit of a footer ParquetLite decodes (a larger one is refused as implausible).
    public static let maximumFooterSize = 256 << 20
}

/// One key-value pair of a file's metadata.
public struct ParquetKeyValue: Sendable, Hashable {
    /// The key, for example `ARROW:schema` or an application's own.
    public var key: String
    /// The value; `nil` when the writer stored the key alone.
    public var value: String?
}

/// One element of a stored schema: a group (with children) or a leaf column.
public struct ParquetSchemaElement: Sendable, Hashable {
    /// The field's name; the root's name is the writer's choice (`schema`, `spark_schema`) and carries no meaning.
    public var name: String
    /// The physical type of a leaf; `nil` for a group.
    public var physicalType: ParquetPhysicalType?
    /// The width in bytes of each value of a FIXED_LEN_BYTE_ARRAY leaf; `nil` for other types.
    public var typeLength: Int32?
    /// Whether the field is required, optional or repeated; `nil` where the writer left it out (usually the root).
    public var repetition: ParquetRepetition?
    /// The number of children of a group; `nil` for a leaf.
    public var childCount: Int?
    /// The legacy `ConvertedType` value, if set.
    public var convertedType: Int32?
    /// The digits after the decimal point of a legacy DECIMAL `ConvertedType`; a ``logicalType`` carries its own.
    public var scale: Int32?
    /// The total digits of a legacy DECIMAL `ConvertedType`; a ``logicalType`` carries its own.
    public var precision: Int32?
    /// A stable id the writer gave the field (as Iceberg does), kept as stored; ParquetLite finds columns by
    /// name, not by id.
    public var fieldID: Int32?
    /// The logical type, if set and one ParquetLite models.
    public var logicalType: ParquetLogicalType?
    /// The field id of the `LogicalType` union member that was set (3 for LIST, 2 for MAP…),
    /// including the kinds ``logicalType`` does not model.
    var logicalTypeID: Int16?
}

/// One row group of a file.
public struct ParquetRowGroupMetadata: Sendable, Hashable {
    /// One chunk per leaf column, in schema order.
    public var columns: [ParquetColumnChunkMetadata]
    /// The uncompressed size of the row group's column data.
    public var totalByteSize: Int64
    /// The number of rows in the row group.
    public var rowCount: Int64
    /// Where the row group's first page starts in the file, if the writer said.
    public var fileOffset: Int64?
    /// The bytes the row group's column chunks take in the file, page headers included, if the writer said.
    public var totalCompressedSize: Int64?
    /// The row group's position among the file's row groups (0-based), if the writer said.
    public var ordinal: Int16?
}

/// One column chunk of a row group.
public struct ParquetColumnChunkMetadata: Sendable, Hashable {
    /// Set when the chunk lives in another file.
    public var filePath: String?
    /// How the column's values are stored; matches the leaf's ``ParquetSchemaElement/physicalType``.
    public var physicalType: ParquetPhysicalType
    /// Parquet `Encoding` values used in the chunk.
    public var encodings: [Int32]
    /// The column's path from the root (one name for a flat schema).
    public var path: [String]
    /// The Parquet `CompressionCodec` value.
    public var codec: Int32
    /// Values in the chunk, nulls included.
    public var valueCount: Int64
    /// The chunk's size in bytes once its pages are decompressed, page headers included.
    public var totalUncompressedSize: Int64
    /// The chunk's size in the file in bytes, page headers included: the length of the range a reader fetches
    /// from ``startOffset``.
    public var totalCompressedSize: Int64
    /// Where the chunk's first data page starts in the file.
    public var dataPageOffset: Int64
    /// Where the chunk's index page starts, if set: a deprecated field that ParquetLite neither writes nor uses.
    public var indexPageOffset: Int64?
    /// Where the dictionary page starts; `nil` when absent (a stored 0 is read as absent, as
    /// some writers store 0 for "none").
    public var dictionaryPageOffset: Int64?
    /// The chunk's statistics, which row-group filtering (``ParquetPredicate``) uses; `nil` when the writer stored
    /// none.
    public var statistics: ParquetStatistics?

    /// Where the chunk's first page starts.
    public var startOffset: Int64 {
        guard let dictionaryPageOffset, dictionaryPageOffset > 0 else { return dataPageOffset }
        return min(dictionaryPageOffset, dataPageOffset)
    }
}

/// A column chunk's statistics, as stored (bounds in PLAIN encoding).
public struct ParquetStatistics: Sendable, Hashable {
    /// The number of null values in the chunk, if stored; equal to the value count when the chunk is all nulls.
    public var nullCount: Int64?
    /// The number of distinct values, if the writer counted them (few do; ParquetLite does not).
    public var distinctCount: Int64?
    /// The smallest value (`min_value`), PLAIN-encoded and compared in the column's sort order; `nil` when
    /// not stored.
    public var minValue: [UInt8]?
    /// The largest value (`max_value`), PLAIN-encoded and compared in the column's sort order; `nil` when
    /// not stored.
    public var maxValue: [UInt8]?
    /// Whether ``minValue`` is a value the chunk holds (`false` when the writer shortened a long value to a
    /// prefix); `nil` when the writer did not say.
    public var isMinValueExact: Bool?
    /// Whether ``maxValue`` is a value the chunk holds (`false` when the writer shortened a long value and rounded
    /// it up); `nil` when the writer did not say.
    public var isMaxValueExact: Bool?
    /// The deprecated lower bound (`min`), in signed order whatever the column's type; kept for old files,
    /// and used for filtering only where signed order is the column's order.
    public var legacyMin: [UInt8]?
    /// The deprecated upper bound (`max`), in signed order whatever the column's type; kept for old files,
    /// and used for filtering only where signed order is the column's order.
    public var legacyMax: [UInt8]?
}

extension ParquetFileMetadata {
    /// Decodes a footer (the Thrift bytes between the data and the footer length).
    ///
    /// - Parameter baseOffset: where `footer` starts in the file, for error messages.
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` and the byte offset
    ///   of the fault, for bytes that are not a valid footer.
    public static func decode(_ footer: [UInt8], baseOffset: Int = 0) throws -> ParquetFileMetadata {
        var reader = ThriftCompactReader(bytes: footer, baseOffset: baseOffset, context: "file footer")
        var metadata = ParquetFileMetadata(
            version: 0, schema: [], rowCount: 0, rowGroups: [], keyValueMetadata: [], createdBy: nil)
        var seen = Set<Int16>()
        try reader.readStruct { reader, id, type in
            seen.insert(id)
            switch (id, type) {
            case (1, .i32): metadata.version = try reader.readI32()
            case (2, .list):
                metadata.schema = try reader.readList { try SchemaDecoding.element(&$0) }
            case (3, .i64): metadata.rowCount = try reader.readI64()
            case (4, .list):
                metadata.rowGroups = try reader.readList { try RowGroupDecoding.rowGroup(&$0) }
            case (5, .list):
                metadata.keyValueMetadata = try reader.readList { reader in
                    var pair = ParquetKeyValue(key: "", value: nil)
                    try reader.readStruct { reader, id, type in
                        switch (id, type) {
                        case (1, .binary): pair.key = try reader.readString()
                        case (2, .binary): pair.value = try reader.readString()
                        default: try reader.skip(type)
                        }
                    }
                    return pair
                }
            case (6, .binary): metadata.createdBy = try reader.readString()
            default: try reader.skip(type)
            }
        }
        guard seen.isSuperset(of: [1, 2, 3, 4]) else {
            throw reader.corrupt("a required field (version, schema, num_rows or row_groups) is missing")
        }
        guard metadata.rowCount >= 0 else { throw reader.corrupt("negative num_rows (\(metadata.rowCount))") }
        try SchemaDecoding.checkTree(metadata.schema, reader: reader)
        return metadata
    }
}

extension ThriftCompactReader {
    /// Reads a list of structs, each with `element`.
    mutating func readList<Element>(_ element: (inout ThriftCompactReader) throws -> Element) throws -> [Element] {
        let (type, count) = try readListHeader()
        guard type == .structure else { throw corrupt("a list of \(type) where structs were expected") }
        var elements: [Element] = []
        elements.reserveCapacity(min(count, remaining))
        for _ in 0..<count { elements.append(try element(&self)) }
        return elements
    }

    /// Reads a list of i32 values.
    mutating func readI32List() throws -> [Int32] {
        let (type, count) = try readListHeader()
        guard type == .i32 else { throw corrupt("a list of \(type) where i32 values were expected") }
        var values: [Int32] = []
        values.reserveCapacity(min(count, remaining))
        for _ in 0..<count { values.append(try readI32()) }
        return values
    }

    /// Reads a list of strings.
    mutating func readStringList() throws -> [String] {
        let (type, count) = try readListHeader()
        guard type == .binary else { throw corrupt("a list of \(type) where strings were expected") }
        var values: [String] = []
        values.reserveCapacity(min(count, remaining))
        for _ in 0..<count { values.append(try readString()) }
        return values
    }
}

/// Decoding of `SchemaElement` and `LogicalType`.
enum SchemaDecoding {
    static func element(_ reader: inout ThriftCompactReader) throws -> ParquetSchemaElement {
        var element = ParquetSchemaElement(name: "")
        var hasName = false
        try reader.readStruct { reader, id, type in
            switch (id, type) {
            case (1, .i32):
                let raw = try reader.readI32()
                guard let physical = ParquetPhysicalType(rawValue: raw) else {
                    throw reader.corrupt("unknown physical type \(raw)")
                }
                element.physicalType = physical
            case (2, .i32): element.typeLength = try reader.readI32()
            case (3, .i32):
                let raw = try reader.readI32()
                guard let repetition = ParquetRepetition(rawValue: raw) else {
                    throw reader.corrupt("unknown repetition \(raw)")
                }
                element.repetition = repetition
            case (4, .binary):
                element.name = try reader.readString()
                hasName = true
            case (5, .i32): element.childCount = try reader.readCount("num_children")
            case (6, .i32): element.convertedType = try reader.readI32()
            case (7, .i32): element.scale = try reader.readI32()
            case (8, .i32): element.precision = try reader.readI32()
            case (9, .i32): element.fieldID = try reader.readI32()
            case (10, .structure): (element.logicalType, element.logicalTypeID) = try logicalType(&reader)
            default: try reader.skip(type)
            }
        }
        guard hasName else { throw reader.corrupt("a schema element without a name") }
        return element
    }

    /// A `LogicalType` union (`nil` for the kinds ParquetLite does not model), and the id of
    /// the member that was set.
    static func logicalType(_ reader: inout ThriftCompactReader) throws -> (ParquetLogicalType?, Int16?) {
        var logical: ParquetLogicalType?
        var member: Int16?
        try reader.readStruct { reader, id, type in
            guard type == .structure else { return try reader.skip(type) }
            member = id
            switch id {
            case 1: try reader.skip(type); logical = .string
            case 5:
                var scale: Int32 = 0
                var precision: Int32 = 0
                try reader.readStruct { reader, id, type in
                    switch (id, type) {
                    case (1, .i32): scale = try reader.readI32()
                    case (2, .i32): precision = try reader.readI32()
                    default: try reader.skip(type)
                    }
                }
                logical = .decimal(precision: precision, scale: scale)
            case 6: try reader.skip(type); logical = .date
            case 8:
                var utc = false
                var unit = ParquetTimeUnit.microseconds
                try reader.readStruct { reader, id, type in
                    switch (id, type) {
                    case (1, .booleanTrue), (1, .booleanFalse): utc = try reader.bool(type)
                    case (2, .structure):
                        try reader.readStruct { reader, id, type in
                            switch id {
                            case 1: unit = .milliseconds
                            case 3: unit = .nanoseconds
                            default: unit = .microseconds
                            }
                            try reader.skip(type)
                        }
                    default: try reader.skip(type)
                    }
                }
                logical = .timestamp(unit: unit, isAdjustedToUTC: utc)
            case 10:
                var width: Int8 = 0
                var signed = true
                try reader.readStruct { reader, id, type in
                    switch (id, type) {
                    case (1, .byte): width = Int8(bitPattern: try reader.readByte())
                    case (2, .booleanTrue), (2, .booleanFalse): signed = try reader.bool(type)
                    default: try reader.skip(type)
                    }
                }
                logical = .integer(bitWidth: width, isSigned: signed)
            case 14: try reader.skip(type); logical = .uuid
            default: try reader.skip(type)
            }
        }
        return (logical, member)
    }

    /// The schema must be a tree: a root group, then each group's children, counts adding up.
    static func checkTree(_ schema: [ParquetSchemaElement], reader: ThriftCompactReader) throws {
        guard let root = schema.first, root.physicalType == nil else {
            throw reader.corrupt("the schema has no root group")
        }
        var index = 0
        func walk(depth: Int) throws {
            guard depth < 64 else { throw reader.corrupt("the schema is nested too deep") }
            guard index < schema.count else { throw reader.corrupt("a group claims more children than the schema has") }
            let element = schema[index]
            index += 1
            if let children = element.childCount {
                guard element.physicalType == nil else {
                    throw reader.corrupt("'\(element.name)' has a type and children")
                }
                for _ in 0..<children { try walk(depth: depth + 1) }
            } else if element.physicalType == nil {
                throw reader.corrupt("'\(element.name)' has neither a type nor children")
            }
        }
        try walk(depth: 0)
        guard index == schema.count else {
            throw reader.corrupt("\(schema.count - index) schema elements belong to no group")
        }
    }
}

/// Decoding of `RowGroup`, `ColumnChunk`, `ColumnMetaData` and `Statistics`.
enum RowGroupDecoding {
    static func rowGroup(_ reader: inout ThriftCompactReader) throws -> ParquetRowGroupMetadata {
        var group = ParquetRowGroupMetadata(columns: [], totalByteSize: 0, rowCount: 0)
        try reader.readStruct { reader, id, type in
            switch (id, type) {
            case (1, .list): group.columns = try reader.readList { try columnChunk(&$0) }
            case (2, .i64): group.totalByteSize = try reader.readI64()
            case (3, .i64):
                group.rowCount = try reader.readI64()
                guard group.rowCount >= 0 else { throw reader.corrupt("a row group of \(group.rowCount) rows") }
            case (5, .i64): group.fileOffset = try reader.readI64()
            case (6, .i64): group.totalCompressedSize = try reader.readI64()
            case (7, .i16): group.ordinal = Int16(truncatingIfNeeded: try reader.readI64())
            default: try reader.skip(type)
            }
        }
        return group
    }

    static func columnChunk(_ reader: inout ThriftCompactReader) throws -> ParquetColumnChunkMetadata {
        var chunk: ParquetColumnChunkMetadata?
        var filePath: String?
        try reader.readStruct { reader, id, type in
            switch (id, type) {
            case (1, .binary): filePath = try reader.readString()
            case (3, .structure): chunk = try columnMetadata(&reader)
            default: try reader.skip(type)
            }
        }
        guard var chunk else { throw reader.corrupt("a column chunk without its metadata") }
        chunk.filePath = filePath
        return chunk
    }

    static func columnMetadata(_ reader: inout ThriftCompactReader) throws -> ParquetColumnChunkMetadata {
        var chunk = ParquetColumnChunkMetadata(
            physicalType: .boolean, encodings: [], path: [], codec: 0, valueCount: 0, totalUncompressedSize: 0,
            totalCompressedSize: 0, dataPageOffset: 0)
        var seen = Set<Int16>()
        try reader.readStruct { reader, id, type in
            seen.insert(id)
            switch (id, type) {
            case (1, .i32):
                let raw = try reader.readI32()
                guard let physical = ParquetPhysicalType(rawValue: raw) else {
                    throw reader.corrupt("unknown physical type \(raw)")
                }
                chunk.physicalType = physical
            case (2, .list): chunk.encodings = try reader.readI32List()
            case (3, .list): chunk.path = try reader.readStringList()
            case (4, .i32): chunk.codec = try reader.readI32()
            case (5, .i64): chunk.valueCount = try nonNegative(&reader, "num_values")
            case (6, .i64): chunk.totalUncompressedSize = try nonNegative(&reader, "total_uncompressed_size")
            case (7, .i64): chunk.totalCompressedSize = try nonNegative(&reader, "total_compressed_size")
            case (9, .i64): chunk.dataPageOffset = try nonNegative(&reader, "data_page_offset")
            case (10, .i64): chunk.indexPageOffset = try reader.readI64()
            case (11, .i64):
                let offset = try nonNegative(&reader, "dictionary_page_offset")
                chunk.dictionaryPageOffset = offset == 0 ? nil : offset
            case (12, .structure): chunk.statistics = try statistics(&reader)
            default: try reader.skip(type)
            }
        }
        guard seen.isSuperset(of: [1, 2, 3, 4, 5, 6, 7, 9]) else {
            throw reader.corrupt("column metadata lacks a required field")
        }
        return chunk
    }

    private static func nonNegative(_ reader: inout ThriftCompactReader, _ what: String) throws -> Int64 {
        let value = try reader.readI64()
        guard value >= 0 else { throw reader.corrupt("negative \(what) (\(value))") }
        return value
    }

    static func statistics(_ reader: inout ThriftCompactReader) throws -> ParquetStatistics {
        var statistics = ParquetStatistics()
        try reader.readStruct { reader, id, type in
            switch (id, type) {
            case (1, .binary): statistics.legacyMax = try reader.readBinary()
            case (2, .binary): statistics.legacyMin = try reader.readBinary()
            case (3, .i64): statistics.nullCount = try reader.readI64()
            case (4, .i64): statistics.distinctCount = try reader.readI64()
            case (5, .binary): statistics.maxValue = try reader.readBinary()
            case (6, .binary): statistics.minValue = try reader.readBinary()
            case (7, .booleanTrue), (7, .booleanFalse): statistics.isMaxValueExact = try reader.bool(type)
            case (8, .booleanTrue), (8, .booleanFalse): statistics.isMinValueExact = try reader.bool(type)
            default: try reader.skip(type)
            }
        }
        return statistics
    }
}

extension ParquetFileMetadata {
    /// Where the footer lies, from the file's size and its last 8 bytes (the footer's length,
    /// then `PAR1`): what a reader fetches first, before any column data.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` for a file too
    ///   short, without the magic, or whose footer length does not fit the file.
    public static func footerRange(fileSize: Int, tail: [UInt8]) throws -> Range<Int> {
        func corrupt(_ what: String) -> ParquetError {
            ParquetError(
                code: .corruptMetadata, message: "not a Parquet file: \(what)", byteOffset: max(fileSize - 8, 0))
        }
        guard fileSize >= 12, tail.count == 8 else { throw corrupt("\(fileSize) bytes is too short") }
        guard Array(tail[4..<8]) == Array("PAR1".utf8) else { throw corrupt("it does not end with PAR1") }
        let length = Int(tail[0]) | Int(tail[1]) << 8 | Int(tail[2]) << 16 | Int(tail[3]) << 24
        guard length > 0, length <= fileSize - 12, length <= maximumFooterSize else {
            throw corrupt("a footer of \(length) bytes in a file of \(fileSize)")
        }
        return (fileSize - 8 - length)..<(fileSize - 8)
    }

    /// Decodes the footer of a whole file held in memory, after checking both magic markers.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata``.
    public static func read(file bytes: [UInt8]) throws -> ParquetFileMetadata {
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("PAR1".utf8) else {
            throw ParquetError(
                code: .corruptMetadata, message: "not a Parquet file: it does not start with PAR1", byteOffset: 0)
        }
        let range = try footerRange(fileSize: bytes.count, tail: Array(bytes[(bytes.count - 8)...]))
        return try decode(Array(bytes[range]), baseOffset: range.lowerBound)
    }
}

/// A leaf column of a stored schema with what reading it needs.
struct SchemaLeaf: Sendable {
    var element: ParquetSchemaElement
    var path: [String]
    /// The number of OPTIONAL or REPEATED elements on the path (the root excluded).
    var maxDefinitionLevel: Int
    /// The number of REPEATED elements on the path.
    var maxRepetitionLevel: Int
}

extension ParquetFileMetadata {
    /// The leaf columns in the order of each row group's column chunks.
    var leaves: [SchemaLeaf] {
        var leaves: [SchemaLeaf] = []
        var index = 1
        func walk(path: [String], definition: Int, repetition: Int) {
            guard index < schema.count else { return }
            let element = schema[index]
            index += 1
            let definition = definition + (element.repetition == .required || element.repetition == nil ? 0 : 1)
            let repetition = repetition + (element.repetition == .repeated ? 1 : 0)
            if let children = element.childCount {
                for _ in 0..<children {
                    walk(path: path + [element.name], definition: definition, repetition: repetition)
                }
            } else {
                leaves.append(
                    SchemaLeaf(
                        element: element, path: path + [element.name], maxDefinitionLevel: definition,
                        maxRepetitionLevel: repetition))
            }
        }
        while index < schema.count { walk(path: [], definition: 0, repetition: 0) }
        return leaves
    }
}
