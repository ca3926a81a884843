/// Parquet `PageType` values.
enum PageType {
    static let dataPage: Int32 = 0
    static let dictionaryPage: Int32 = 2
    static let dataPageV2: Int32 = 3
}

extension PageHeader {
    /// The header in Thrift compact form, as the writer stores it: levels RLE-encoded.
    func encoded() -> [UInt8] {
        var thrift = ThriftCompactWriter(capacity: 48)
        thrift.field(1, i32: type)
        thrift.field(2, i32: Int32(uncompressedSize))
        thrift.field(3, i32: Int32(compressedSize))
        if let crc { thrift.field(4, i32: crc) }
        switch type {
        case PageType.dictionaryPage:
            thrift.field(7) { dictionary in
                dictionary.field(1, i32: Int32(valueCount))
                dictionary.field(2, i32: EncodingID.plain)
            }
        case PageType.dataPageV2:
            thrift.field(8) { page in
                page.field(1, i32: Int32(valueCount))
                page.field(2, i32: Int32(nullCount ?? 0))
                page.field(3, i32: Int32(rowCount ?? valueCount))
                page.field(4, i32: encoding)
                page.field(5, i32: Int32(definitionLevelsByteLength ?? 0))
                page.field(6, i32: Int32(repetitionLevelsByteLength ?? 0))
                if !isCompressed { page.field(7, bool: false) }
            }
        default:
            thrift.field(5) { page in
                page.field(1, i32: Int32(valueCount))
                page.field(2, i32: encoding)
                page.field(3, i32: definitionLevelEncoding ?? EncodingID.rle)
                page.field(4, i32: repetitionLevelEncoding ?? EncodingID.rle)
            }
        }
        thrift.endTopLevel()
        return thrift.bytes
    }
}

/// What the footer records of one written column chunk.
struct ColumnChunkMetadata {
    var column: ParquetColumn
    var codec: CompressionCodec
    var encodings: [Int32]
    /// (page type, encoding, count), in first-seen order.
    var encodingStats: [(pageType: Int32, encoding: Int32, count: Int32)]
    var valueCount: Int
    var nullCount: Int
    var uncompressedSize: Int
    var compressedSize: Int
    var dictionaryPageOffset: Int?
    var dataPageOffset: Int
    var bounds: ValueBounds?
}

/// What the footer records of one row group.
struct RowGroupMetadata {
    var columns: [ColumnChunkMetadata]
    var rowCount: Int
    var fileOffset: Int
    var ordinal: Int
}

/// Writes parquet.thrift's `FileMetaData`.
enum FileMetadataEncoding {
    static func encode(
        schema: ParquetSchema, rowGroups: [RowGroupMetadata], keyValueMetadata: [String: String], createdBy: String
    ) -> [UInt8] {
        var thrift = ThriftCompactWriter(capacity: 1024)
        thrift.field(1, i32: 2)
        thrift.field(2, listOf: .structure, count: schema.elements.count + 1)
        thrift.listElement { root in
            root.field(4, string: "schema")
            root.field(5, i32: Int32(schema.nodes.count))
        }
        for element in schema.elements {
            thrift.listElement { stored in
                if let column = element.column {
                    writeSchemaElement(column, name: element.name, to: &stored)
                } else {
                    writeGroupElement(element, to: &stored)
                }
            }
        }
        thrift.field(3, i64: Int64(rowGroups.reduce(0) { $0 + $1.rowCount }))
        thrift.field(4, listOf: .structure, count: rowGroups.count)
        for group in rowGroups { thrift.listElement { writeRowGroup(group, to: &$0) } }
        if !keyValueMetadata.isEmpty {
            thrift.field(5, listOf: .structure, count: keyValueMetadata.count)
            for (key, value) in keyValueMetadata.sorted(by: { $0.key < $1.key }) {
                thrift.listElement { pair in
                    pair.field(1, string: key)
                    pair.field(2, string: value)
                }
            }
        }
        thrift.field(6, string: createdBy)
        // Every column orders its statistics by its type (TypeDefinedOrder).
        thrift.field(7, listOf: .structure, count: schema.columns.count)
        for _ in schema.columns {
            thrift.listElement { order in order.field(1) { _ in } }
        }
        thrift.endTopLevel()
        return thrift.bytes
    }

    /// A struct, list or map group: name, repetition, children and its LIST or MAP annotation
    /// (both the converted type and the logical type).
    private static func writeGroupElement(_ element: SchemaLayout.Element, to thrift: inout ThriftCompactWriter) {
        thrift.field(3, i32: element.repetition.rawValue)
        thrift.field(4, string: element.name)
        thrift.field(5, i32: Int32(element.childCount))
        switch element.annotation {
        case .list:
            thrift.field(6, i32: 3)
            thrift.field(10) { union in union.field(3) { _ in } }
        case .map:
            thrift.field(6, i32: 1)
            thrift.field(10) { union in union.field(2) { _ in } }
        case nil: break
        }
    }

    private static func writeSchemaElement(_ column: ParquetColumn, name: String, to thrift: inout ThriftCompactWriter)
    {
        thrift.field(1, i32: column.physicalType.rawValue)
        if let length = column.typeLength { thrift.field(2, i32: length) }
        thrift.field(3, i32: column.repetition.rawValue)
        thrift.field(4, string: name)
        if let converted = convertedType(of: column) { thrift.field(6, i32: converted) }
        if case .decimal(let precision, let scale) = column.logicalType {
            thrift.field(7, i32: scale)
            thrift.field(8, i32: precision)
        }
        guard let logical = column.logicalType else { return }
        thrift.field(10) { union in
            switch logical {
            case .string: union.field(1) { _ in }
            case .decimal(let precision, let scale):
                union.field(5) { decimal in
                    decimal.field(1, i32: scale)
                    decimal.field(2, i32: precision)
                }
            case .date: union.field(6) { _ in }
            case .timestamp(let unit, let isAdjustedToUTC):
                union.field(8) { timestamp in
                    timestamp.field(1, bool: isAdjustedToUTC)
                    timestamp.field(2) { timeUnit in
                        switch unit {
                        case .milliseconds: timeUnit.field(1) { _ in }
                        case .microseconds: timeUnit.field(2) { _ in }
                        case .nanoseconds: timeUnit.field(3) { _ in }
                        }
                    }
                }
            case .integer(let bitWidth, let isSigned):
                union.field(10) { integer in
                    integer.fieldHeader(1, .byte)
                    integer.appendByte(UInt8(bitPattern: bitWidth))
                    integer.field(2, bool: isSigned)
                }
            case .uuid: union.field(14) { _ in }
            }
        }
    }

    /// The legacy `ConvertedType` that means the same as the column's logical type, if any.
    private static func convertedType(of column: ParquetColumn) -> Int32? {
        switch column.logicalType {
        case .string: 0
        case .decimal: 5
        case .date: 6
        case .timestamp(.milliseconds, true): 9
        case .timestamp(.microseconds, true): 10
        case .integer(let bitWidth, let isSigned):
            switch bitWidth {
            case 8: isSigned ? 15 : 11
            case 16: isSigned ? 16 : 12
            case 32: isSigned ? 17 : 13
            default: isSigned ? 18 : 14
            }
        default: nil
        }
    }

    private static func writeRowGroup(_ group: RowGroupMetadata, to thrift: inout ThriftCompactWriter) {
        thrift.field(1, listOf: .structure, count: group.columns.count)
        for chunk in group.columns {
            thrift.listElement { columnChunk in
                columnChunk.field(2, i64: Int64(chunk.dictionaryPageOffset ?? chunk.dataPageOffset))
                columnChunk.field(3) { writeColumnMetadata(chunk, to: &$0) }
            }
        }
        thrift.field(2, i64: Int64(group.columns.reduce(0) { $0 + $1.uncompressedSize }))
        thrift.field(3, i64: Int64(group.rowCount))
        thrift.field(5, i64: Int64(group.fileOffset))
        thrift.field(6, i64: Int64(group.columns.reduce(0) { $0 + $1.compressedSize }))
        thrift.field(7, i16: Int16(truncatingIfNeeded: group.ordinal))
    }

    private static func writeColumnMetadata(_ chunk: ColumnChunkMetadata, to thrift: inout ThriftCompactWriter) {
        thrift.field(1, i32: chunk.column.physicalType.rawValue)
        thrift.field(2, listOf: .i32, count: chunk.encodings.count)
        for encoding in chunk.encodings { thrift.writeI32Value(encoding) }
        let path = chunk.column.path
        thrift.field(3, listOf: .binary, count: path.count)
        for name in path { thrift.writeBinaryValue(name) }
        thrift.field(4, i32: chunk.codec.thriftValue)
        thrift.field(5, i64: Int64(chunk.valueCount))
        thrift.field(6, i64: Int64(chunk.uncompressedSize))
        thrift.field(7, i64: Int64(chunk.compressedSize))
        thrift.field(9, i64: Int64(chunk.dataPageOffset))
        if let offset = chunk.dictionaryPageOffset { thrift.field(11, i64: Int64(offset)) }
        thrift.field(12) { statistics in
            statistics.field(3, i64: Int64(chunk.nullCount))
            if let bounds = chunk.bounds {
                statistics.field(5, binary: bounds.max)
                statistics.field(6, binary: bounds.min)
                statistics.field(7, bool: bounds.isMaxExact)
                statistics.field(8, bool: bounds.isMinExact)
            }
        }
        thrift.field(13, listOf: .structure, count: chunk.encodingStats.count)
        for stat in chunk.encodingStats {
            thrift.listElement { entry in
                entry.field(1, i32: stat.pageType)
                entry.field(2, i32: stat.encoding)
                entry.field(3, i32: stat.count)
            }
        }
    }
}
