/// Writes one column chunk of one row group: definition and repetition levels, pages closed by
/// rows and by bytes (a page always ends at a row's end), dictionary fallback, compression and checksums. The pages are kept (compressed) until
/// the row group ends, since a chunk's pages must be contiguous in the file.
final class ColumnChunkWriter {
    let column: ParquetColumn
    private let settings: ColumnSettings
    private let encoder: any ColumnValueEncoder

    /// Definition levels of the current page (OPTIONAL flat columns: 1 present, 0 null).
    private var levels: [UInt32] = []
    /// Repetition levels of the current page (leaves under a list).
    private var repetitionLevels: [UInt32] = []
    private var pageRows = 0
    /// Level slots in the current page: rows for a flat column, values, nulls and empty lists
    /// for a nested one.
    private var pageSlots = 0
    private var pageNulls = 0

    /// The chunk's data pages, headers included.
    private(set) var dataPages: [UInt8] = []
    /// The chunk's dictionary page, header included (empty without a dictionary).
    private(set) var dictionaryPage: [UInt8] = []
    private var valueCount = 0
    private var nullCount = 0
    private var uncompressedSize = 0
    private var encodings: [Int32] = []
    private var encodingStats: [(pageType: Int32, encoding: Int32, count: Int32)] = []

    /// How many rows at most are appended between two checks of the page and dictionary sizes.
    private static let sliceRows = 4096

    init(column: ParquetColumn, settings: ColumnSettings) {
        self.column = column
        self.settings = settings
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
    var bufferedByteCount: Int {
        dataPages.count + encoder.pageByteEstimate + encoder.dictionaryByteCount
            + pending.reduce(0) { $0 + $1.body.count }
    }

    /// Appends rows `rows` of `batch` (validated against the column), whose values start at
    /// value `valueStart`, closing pages as they fill. A batch with levels needs `rowStarts`,
    /// where each of its rows starts among the level slots. Returns how many values it took.
    func append(_ batch: ParquetColumnBatch, rows: Range<Int>, valueStart: Int, rowStarts: [Int]? = nil) throws -> Int {
        var valueCursor = valueStart
        var row = rows.lowerBound
        while row < rows.upperBound {
            let take = min(rows.upperBound - row, settings.dataPageRowLimit - pageRows, Self.sliceRows)
            var present = take
            if let batchLevels = batch.levels, let rowStarts {
                let slots = rowStarts[row]..<rowStarts[row + take]
                let maximum = UInt16(column.maxDefinitionLevel)
                present = 0
                for slot in slots {
                    let level = batchLevels.definition[slot]
                    present += level == maximum ? 1 : 0
                    levels.append(UInt32(level))
                }
                if column.maxRepetitionLevel > 0 {
                    for slot in slots { repetitionLevels.append(UInt32(batchLevels.repetition[slot])) }
                }
                pageSlots += slots.count
                pageNulls += slots.count - present
            } else if column.repetition == .optional {
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
                pageSlots += take
            } else {
                pageSlots += take
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

    /// Encodes the open page and queues it for compression.
    private func closePage() throws {
        let page = PendingPage(type: settings.dataPageVersion == .v1 ? PageType.dataPage : PageType.dataPageV2)
        // Repetition levels first, then definition levels, each at the width of its maximum.
        if column.maxRepetitionLevel > 0 {
            write(repetitionLevels, maximum: column.maxRepetitionLevel, to: page)
            page.repetitionLevelsLength = page.levels.count
        }
        if column.maxDefinitionLevel > 0 { write(levels, maximum: column.maxDefinitionLevel, to: page) }
        page.encoding = encoder.finishPage(into: &page.body)
        page.valueCount = pageSlots
        page.rowCount = pageRows
        page.nullCount = pageNulls
        pending.append(page)
        valueCount += pageSlots
        nullCount += pageNulls
        levels.removeAll(keepingCapacity: true)
        repetitionLevels.removeAll(keepingCapacity: true)
        pageRows = 0
        pageSlots = 0
        pageNulls = 0
    }

    /// Appends one run of levels to `page`: for DATA_PAGE, a 4-byte little-endian length and the
    /// RLE hybrid, compressed with the values; for DATA_PAGE_V2, the RLE hybrid alone, never
    /// compressed, before the values.
    private func write(_ values: [UInt32], maximum: Int, to page: PendingPage) {
        let width = RLEHybridEncoder.bitWidth(forMaximum: UInt32(maximum))
        switch settings.dataPageVersion {
        case .v1:
            let start = page.body.count
            page.body.append(contentsOf: [0, 0, 0, 0])
            values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: &page.body) }
            let length = UInt32(page.body.count - start - 4)
            for index in 0..<4 { page.body[start + index] = UInt8(truncatingIfNeeded: length >> (8 * index)) }
        case .v2:
            values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: &page.levels) }
        }
    }

    /// Pages encoded but not yet compressed, oldest first; ``ParquetWriter`` compresses them
    /// (concurrently, across columns) and then calls ``commitPendingPages()``.
    private(set) var pending: [PendingPage] = []

    /// Compresses one pending page (safe to call concurrently for different pages).
    func compress(_ page: PendingPage, zstdContexts: ZstdContextPool) throws {
        try page.body.withUnsafeBytes {
            try settings.codec.compress($0, appendingTo: &page.compressed, reusing: zstdContexts)
        }
    }

    /// Stores the compressed pending pages, in order: the dictionary page apart (it must come
    /// first in the chunk), data pages after the ones before.
    func commitPendingPages() {
        for page in pending {
            var header = PageHeader(
                type: page.type, uncompressedSize: page.levels.count + page.body.count,
                compressedSize: page.levels.count + page.compressed.count, valueCount: page.valueCount,
                encoding: page.encoding, nullCount: page.nullCount, rowCount: page.rowCount,
                definitionLevelsByteLength: page.levels.count - page.repetitionLevelsLength,
                repetitionLevelsByteLength: page.repetitionLevelsLength, isCompressed: settings.codec != .uncompressed)
            if settings.writesPageChecksums {
                let levels = page.levels.withUnsafeBytes { PageChecksum.crc32($0) }
                header.crc = page.compressed.withUnsafeBytes { PageChecksum.crc32($0, continuing: levels) }
            }
            let headerBytes = header.encoded()
            uncompressedSize += headerBytes.count + header.uncompressedSize
            if page.type == PageType.dictionaryPage {
                dictionaryPage = headerBytes + page.compressed
            } else {
                dataPages.append(contentsOf: headerBytes)
                dataPages.append(contentsOf: page.levels)
                dataPages.append(contentsOf: page.compressed)
                if column.maxDefinitionLevel > 0 || column.maxRepetitionLevel > 0 { note(encoding: EncodingID.rle) }
            }
            note(pageType: page.type, encoding: page.encoding)
        }
        pending.removeAll()
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

    /// Closes the chunk's pages: the last data page and the dictionary page, both queued for
    /// compression.
    func finishPages() throws {
        if pageRows > 0 { try closePage() }
        if let (count, plain) = encoder.dictionaryPage() {
            let page = PendingPage(type: PageType.dictionaryPage)
            page.body = plain
            page.valueCount = count
            page.encoding = EncodingID.plain
            pending.append(page)
        }
    }

    /// The chunk's metadata once its pages are committed; offsets are relative to the chunk's
    /// start (the dictionary page, then the data pages).
    func metadata() -> ColumnChunkMetadata {
        ColumnChunkMetadata(
            column: column, codec: settings.codec, encodings: encodings.sorted(), encodingStats: encodingStats,
            valueCount: valueCount, nullCount: nullCount, uncompressedSize: uncompressedSize,
            compressedSize: dictionaryPage.count + dataPages.count,
            dictionaryPageOffset: dictionaryPage.isEmpty ? nil : 0, dataPageOffset: dictionaryPage.count,
            bounds: encoder.bounds())
    }
}

/// A page between encoding and storage: its uncompressed body, then its compressed form.
/// A class, so that pages of many columns are compressed concurrently without sharing storage.
final class PendingPage {
    let type: Int32
    var encoding: Int32 = EncodingID.plain
    /// Level slots (values and nulls); rows.
    var valueCount = 0
    var rowCount = 0
    var nullCount = 0
    /// DATA_PAGE_V2's repetition then definition levels, stored uncompressed before the values.
    var levels: [UInt8] = []
    /// How many bytes of ``levels`` are repetition levels.
    var repetitionLevelsLength = 0
    var body: [UInt8] = []
    var compressed: [UInt8] = []

    init(type: Int32) { self.type = type }
}
