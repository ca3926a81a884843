/// Writes one column chunk of one row group: definition levels, pages closed by rows and by
/// bytes, dictionary fallback, compression and checksums. The pages are kept (compressed) until
/// the row group ends, since a chunk's pages must be contiguous in the file.
final class ColumnChunkWriter {
    let column: ParquetColumn
    private let settings: ColumnSettings
    private let encoder: any ColumnValueEncoder
    private let compressor: PageCompressor

    /// Definition levels of the current page (OPTIONAL columns): 1 present, 0 null.
    private var levels: [UInt32] = []
    private var pageRows = 0
    private var pageNulls = 0

    /// The chunk's data pages, headers included.
    private(set) var dataPages: [UInt8] = []
    private var valueCount = 0
    private var nullCount = 0
    private var uncompressedSize = 0
    private var encodings: [Int32] = []
    private var encodingStats: [(pageType: Int32, encoding: Int32, count: Int32)] = []
    private var scratch: [UInt8] = []
    private var compressed: [UInt8] = []

    /// How many rows at most are appended between two checks of the page and dictionary sizes.
    private static let sliceRows = 4096

    init(column: ParquetColumn, settings: ColumnSettings) {
        self.column = column
        self.settings = settings
        compressor = PageCompressor(codec: settings.codec)
        switch column.physicalType {
        case .boolean: encoder = BooleanEncoder()
        case .int32: encoder = Int32Encoder(encoding: settings.encoding, unsigned: column.comparesUnsigned)
        case .int64: encoder = Int64Encoder(encoding: settings.encoding, unsigned: column.comparesUnsigned)
        case .float: encoder = FloatEncoder(encoding: settings.encoding)
        case .double: encoder = DoubleEncoder(encoding: settings.encoding)
        case .byteArray, .fixedLenByteArray, .int96:
            var signed = false
            if case .decimal = column.logicalType { signed = true }
            encoder = ByteArrayEncoder(
                encoding: settings.encoding, fixedWidth: column.typeLength.map(Int.init), signed: signed,
                isString: column.logicalType == .string, truncateLength: settings.statisticsTruncateLength)
        }
    }

    /// The bytes buffered for this chunk so far (pages written, plus the open page's values and
    /// the dictionary), for the row group's size limit.
    var bufferedByteCount: Int { dataPages.count + encoder.pageByteEstimate + encoder.dictionaryByteCount }

    /// Appends rows `rows` of `batch` (validated against the column), whose values start at
    /// value `valueStart`, closing pages as they fill. Returns how many values it took.
    func append(_ batch: ParquetColumnBatch, rows: Range<Int>, valueStart: Int) throws -> Int {
        var valueCursor = valueStart
        var row = rows.lowerBound
        while row < rows.upperBound {
            let take = min(rows.upperBound - row, settings.dataPageRowLimit - pageRows, Self.sliceRows)
            var present = take
            if column.repetition == .optional {
                if let validity = batch.validity {
                    present = 0
                    for index in row..<(row + take) {
                        let isPresent = validity[index]
                        present += isPresent ? 1 : 0
                        levels.append(isPresent ? 1 : 0)
                    }
                } else {
                    levels.append(contentsOf: repeatElement(1, count: take))
                }
                pageNulls += take - present
            }
            if present > 0 { encoder.append(batch.values, from: valueCursor, count: present) }
            valueCursor += present
            pageRows += take
            row += take
            if pageRows >= settings.dataPageRowLimit
                || encoder.pageByteEstimate + levels.count / 8 >= settings.dataPageSize
            {
                try closePage()
            }
            if encoder.isDictionaryEncoding && encoder.dictionaryByteCount > settings.dictionaryPageSizeLimit {
                if pageRows > 0 { try closePage() }
                encoder.fallBackToPlain()
            }
        }
        return valueCursor - valueStart
    }

    /// Encodes, compresses and stores the open page.
    private func closePage() throws {
        scratch.removeAll(keepingCapacity: true)
        compressed.removeAll(keepingCapacity: true)
        let encoding: Int32
        var header: PageHeaderFields
        switch settings.dataPageVersion {
        case .v1:
            if column.repetition == .optional {
                // v1 levels: a 4-byte little-endian length, then the RLE hybrid at width 1.
                scratch.append(contentsOf: [0, 0, 0, 0])
                levels.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 1, into: &scratch) }
                let length = UInt32(scratch.count - 4)
                for index in 0..<4 { scratch[index] = UInt8(truncatingIfNeeded: length >> (8 * index)) }
            }
            encoding = encoder.finishPage(into: &scratch)
            try scratch.withUnsafeBytes { try compressor.compress($0, appendingTo: &compressed) }
            header = PageHeaderFields(
                type: PageType.dataPage, uncompressedSize: scratch.count, compressedSize: compressed.count,
                valueCount: pageRows, encoding: encoding)
        case .v2:
            // v2: levels first, never compressed and without a length prefix; then the values.
            if column.repetition == .optional {
                levels.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 1, into: &compressed) }
            }
            let levelBytes = compressed.count
            encoding = encoder.finishPage(into: &scratch)
            try scratch.withUnsafeBytes { try compressor.compress($0, appendingTo: &compressed) }
            header = PageHeaderFields(
                type: PageType.dataPageV2, uncompressedSize: levelBytes + scratch.count,
                compressedSize: compressed.count, valueCount: pageRows, encoding: encoding, nullCount: pageNulls,
                definitionLevelsByteLength: levelBytes, isCompressed: settings.codec != .uncompressed)
        }
        try store(header: &header, body: compressed, into: &dataPages)
        valueCount += pageRows
        nullCount += pageNulls
        note(pageType: header.type, encoding: encoding)
        if column.repetition == .optional { note(encoding: EncodingID.rle) }
        levels.removeAll(keepingCapacity: true)
        pageRows = 0
        pageNulls = 0
    }

    /// Appends a page (header, then body) to `output`, with its checksum if asked for.
    private func store(header: inout PageHeaderFields, body: [UInt8], into output: inout [UInt8]) throws {
        if settings.writesPageChecksums { header.crc = body.withUnsafeBytes { PageChecksum.crc32($0) } }
        let headerBytes = header.encoded()
        uncompressedSize += headerBytes.count + header.uncompressedSize
        output.append(contentsOf: headerBytes)
        output.append(contentsOf: body)
    }

    private func note(encoding: Int32) {
        if !encodings.contains(encoding) { encodings.append(encoding) }
    }

    private func note(pageType: Int32, encoding: Int32) {
        note(encoding: encoding)
        if let index = encodingStats.firstIndex(where: { $0.pageType == pageType && $0.encoding == encoding }) {
            encodingStats[index].count += 1
        } else {
            encodingStats.append((pageType, encoding, 1))
        }
    }

    /// Closes the chunk: the last page, then the dictionary page that must precede the data
    /// pages. Returns the dictionary page (empty without a dictionary) and the metadata, whose
    /// offsets are relative to the chunk's start.
    func finish() throws -> (dictionaryPage: [UInt8], metadata: ColumnChunkMetadata) {
        if pageRows > 0 || valueCount == 0 { try closePage() }
        var dictionaryPage: [UInt8] = []
        if let (count, plain) = encoder.dictionaryPage() {
            compressed.removeAll(keepingCapacity: true)
            try plain.withUnsafeBytes { try compressor.compress($0, appendingTo: &compressed) }
            var header = PageHeaderFields(
                type: PageType.dictionaryPage, uncompressedSize: plain.count, compressedSize: compressed.count,
                valueCount: count, encoding: EncodingID.plain)
            try store(header: &header, body: compressed, into: &dictionaryPage)
            note(pageType: PageType.dictionaryPage, encoding: EncodingID.plain)
        }
        let metadata = ColumnChunkMetadata(
            column: column, codec: settings.codec, encodings: encodings.sorted(), encodingStats: encodingStats,
            valueCount: valueCount, nullCount: nullCount, uncompressedSize: uncompressedSize,
            compressedSize: dictionaryPage.count + dataPages.count,
            dictionaryPageOffset: dictionaryPage.isEmpty ? nil : 0, dataPageOffset: dictionaryPage.count,
            bounds: encoder.bounds())
        return (dictionaryPage, metadata)
    }
}
