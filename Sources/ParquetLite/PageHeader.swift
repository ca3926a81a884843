/// A page header as read from a file (parquet.thrift `PageHeader` and its sub-header).
struct PageHeader: Equatable {
    var type: Int32
    var uncompressedSize: Int
    var compressedSize: Int
    var crc: Int32?
    /// Values in the page (nulls included) for data pages; entries for a dictionary page.
    var valueCount: Int
    var encoding: Int32
    /// DATA_PAGE: the level encodings.
    var definitionLevelEncoding: Int32?
    var repetitionLevelEncoding: Int32?
    /// DATA_PAGE_V2 only.
    var nullCount: Int?
    var rowCount: Int?
    var definitionLevelsByteLength: Int?
    var repetitionLevelsByteLength: Int?
    var isCompressed = true
    /// The header's own size in bytes.
    var headerSize = 0

    /// Decodes the header at `offset` of `bytes` (which start at `baseOffset` in the file), and
    /// checks its sizes and counts: not negative, and the page within `bytes[..<end]` (the
    /// column chunk's end; the whole buffer by default).
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` and the byte offset.
    static func decode(_ bytes: [UInt8], at offset: Int, end: Int? = nil, baseOffset: Int = 0) throws -> PageHeader {
        let limit = min(end ?? bytes.count, bytes.count)
        guard offset >= 0, offset <= limit else {
            throw ParquetError(
                code: .corruptMetadata, message: "corrupt page header: it would start past its column chunk",
                byteOffset: baseOffset + offset)
        }
        var reader = ThriftCompactReader(
            bytes: bytes, range: offset..<limit, baseOffset: baseOffset, context: "page header")
        var header = PageHeader(type: -1, uncompressedSize: -1, compressedSize: -1, valueCount: -1, encoding: -1)
        var subHeaders = 0
        try reader.readStruct { reader, id, type in
            switch (id, type) {
            case (1, .i32): header.type = try reader.readI32()
            case (2, .i32): header.uncompressedSize = try reader.readCount("uncompressed_page_size")
            case (3, .i32): header.compressedSize = try reader.readCount("compressed_page_size")
            case (4, .i32): header.crc = try reader.readI32()
            case (5, .structure), (7, .structure), (8, .structure):
                subHeaders += 1
                try reader.readStruct { reader, field, type in
                    try header.readSubHeaderField(id, field, type, &reader)
                }
            default: try reader.skip(type)
            }
        }
        guard header.uncompressedSize >= 0, header.compressedSize >= 0, header.valueCount >= 0, subHeaders == 1 else {
            throw reader.corrupt("a page header without its sizes, its value count or exactly one sub-header")
        }
        guard [PageType.dataPage, PageType.dictionaryPage, PageType.dataPageV2].contains(header.type) else {
            throw reader.corrupt("a page of unknown type \(header.type)")
        }
        header.headerSize = reader.position - offset
        guard header.compressedSize <= reader.remaining else {
            throw reader.corrupt("a page of \(header.compressedSize) bytes where \(reader.remaining) remain")
        }
        if header.type == PageType.dataPageV2 {
            let levels = (header.definitionLevelsByteLength ?? 0) + (header.repetitionLevelsByteLength ?? 0)
            guard levels <= header.compressedSize, levels <= header.uncompressedSize,
                (header.nullCount ?? 0) <= header.valueCount
            else {
                throw reader.corrupt("level lengths or null count that do not fit the page")
            }
        }
        return header
    }

    private mutating func readSubHeaderField(
        _ subHeader: Int16, _ field: Int16, _ type: ThriftCompactReader.FieldType, _ reader: inout ThriftCompactReader
    ) throws {
        switch (subHeader, field, type) {
        case (_, 1, .i32): valueCount = try reader.readCount("num_values")
        case (5, 2, .i32), (7, 2, .i32): encoding = try reader.readI32()
        case (5, 3, .i32): definitionLevelEncoding = try reader.readI32()
        case (5, 4, .i32): repetitionLevelEncoding = try reader.readI32()
        case (8, 2, .i32): nullCount = try reader.readCount("num_nulls")
        case (8, 3, .i32): rowCount = try reader.readCount("num_rows")
        case (8, 4, .i32): encoding = try reader.readI32()
        case (8, 5, .i32): definitionLevelsByteLength = try reader.readCount("definition_levels_byte_length")
        case (8, 6, .i32): repetitionLevelsByteLength = try reader.readCount("repetition_levels_byte_length")
        case (8, 7, .booleanTrue), (8, 7, .booleanFalse): isCompressed = try reader.bool(type)
        default: try reader.skip(type)
        }
    }
}
