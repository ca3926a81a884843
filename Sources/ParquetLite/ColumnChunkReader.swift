/// The decoded content of one column chunk: its present values, densely, and its levels.
struct DecodedColumnChunk {
    /// The values whose definition level is the column's maximum, in order.
    var values: ParquetColumnBatch.Values
    /// One definition level per entry; empty when the column's maximum is 0.
    var definitions: [UInt8]
    /// One repetition level per entry; empty when the column's maximum is 0.
    var repetitions: [UInt8]
    /// The number of entries (values, nulls and empty lists).
    var entryCount: Int

    /// For a flat column: one flag per row (`false`: null), or `nil` when no row is null.
    func validity(maxDefinitionLevel: Int) -> [Bool]? {
        guard maxDefinitionLevel > 0, values.count < entryCount else { return nil }
        let top = UInt8(maxDefinitionLevel)
        return definitions.map { $0 == top }
    }
}

/// Reads one column chunk into dense values and levels: the inverse of ``ColumnChunkWriter``.
///
/// It works on the chunk's bytes alone (fetched from a file, a buffer or a ranged GET).
/// Each page is decompressed to exactly the size its header declares; levels and values are
/// decoded with checked decoders; the values found must match the counts the headers declare,
/// and the levels must respect the column's maxima. Any mismatch is a ``ParquetError`` naming
/// the column and the byte offset in the file.
struct ColumnChunkReader {
    /// Bytes holding the chunk: the chunk alone, or the whole file held in memory.
    let storage: [UInt8]
    /// Where the chunk lies in ``storage``, from its first page to its end.
    let range: Range<Int>
    /// Where ``storage`` starts in the file.
    let baseOffset: Int
    let chunk: ParquetColumnChunkMetadata
    /// 1 for an OPTIONAL column, 0 for a REQUIRED one; more inside optional groups and lists.
    let maxDefinitionLevel: Int
    let typeLength: Int
    /// 0 for a flat column; the number of repeated ancestors otherwise.
    var maxRepetitionLevel = 0
    /// Whether page CRCs, where present, are checked.
    var verifiesChecksums = true

    /// A chunk's reader over a whole file held in memory, read in place (the chunk's range is
    /// checked first).
    init(
        file: [UInt8], chunk: ParquetColumnChunkMetadata, maxDefinitionLevel: Int, typeLength: Int,
        maxRepetitionLevel: Int = 0
    ) throws {
        let range = try Self.byteRange(of: chunk, fileSize: file.count)
        self.init(
            storage: file, range: range ?? 0..<0, baseOffset: 0, chunk: chunk,
            maxDefinitionLevel: maxDefinitionLevel, typeLength: typeLength, maxRepetitionLevel: maxRepetitionLevel)
    }

    /// A chunk's reader over the chunk's bytes alone, which start at `baseOffset` in the file.
    init(
        bytes: [UInt8], baseOffset: Int, chunk: ParquetColumnChunkMetadata, maxDefinitionLevel: Int,
        typeLength: Int, maxRepetitionLevel: Int = 0
    ) {
        self.init(
            storage: bytes, range: bytes.indices, baseOffset: baseOffset, chunk: chunk,
            maxDefinitionLevel: maxDefinitionLevel, typeLength: typeLength, maxRepetitionLevel: maxRepetitionLevel)
    }

    /// A chunk's reader over `storage[range]`, where `storage` starts at `baseOffset` in the file.
    init(
        storage: [UInt8], range: Range<Int>, baseOffset: Int, chunk: ParquetColumnChunkMetadata,
        maxDefinitionLevel: Int, typeLength: Int, maxRepetitionLevel: Int
    ) {
        self.storage = storage
        self.range = range
        self.baseOffset = baseOffset
        self.chunk = chunk
        self.maxDefinitionLevel = maxDefinitionLevel
        self.typeLength = typeLength
        self.maxRepetitionLevel = maxRepetitionLevel
    }

    /// The bytes a chunk occupies, checked against the file's size before any arithmetic (the
    /// offsets come from the file and may be anything); `nil` for a chunk of no values, which
    /// has nothing to read.
    ///
    /// A chunk of no values is never read, whatever its offsets say, as Arrow never reads one:
    /// pyarrow 26 writes the chunks of a row group of 0 rows without a data page, with
    /// `data_page_offset` 0 and `total_compressed_size` 0 (or the size of an empty dictionary
    /// page). That its row group has no rows either is checked where the chunk's values are
    /// matched with the row group's rows.
    static func byteRange(of chunk: ParquetColumnChunkMetadata, fileSize: Int) throws -> Range<Int>? {
        guard chunk.valueCount != 0 else { return nil }
        let name = chunk.path.joined(separator: ".")
        guard chunk.startOffset >= 4, chunk.totalCompressedSize >= 0, chunk.startOffset <= Int64(fileSize),
            chunk.totalCompressedSize <= Int64(fileSize) - chunk.startOffset
        else {
            throw ParquetError(
                code: .corruptMetadata,
                message:
                    "column '\(name)': the chunk's \(chunk.totalCompressedSize) bytes at \(chunk.startOffset) lie outside the file (\(fileSize) bytes)",
                column: name, byteOffset: Int(clamping: chunk.startOffset))
        }
        // A chunk claiming more values than its bytes could plausibly hold is refused before
        // anything is allocated for them (runs of nulls compress well, but not without bound).
        let plausible = max(Int64(1) << 24, chunk.totalCompressedSize << 13)
        guard chunk.valueCount <= plausible else {
            throw ParquetError(
                code: .corruptMetadata,
                message:
                    "column '\(name)': the chunk claims \(chunk.valueCount) values in \(chunk.totalCompressedSize) bytes",
                column: name, byteOffset: Int(chunk.startOffset))
        }
        let start = Int(chunk.startOffset)
        return start..<(start + Int(chunk.totalCompressedSize))
    }

    private var columnName: String { chunk.path.joined(separator: ".") }

    private func corrupt(_ why: String, at offset: Int) -> ParquetError {
        ParquetError(
            code: .corruptMetadata, message: "column '\(columnName)': \(why)", column: columnName,
            byteOffset: baseOffset + offset)
    }

    /// Decoded pages as they accumulate.
    private struct Accumulator {
        var values: ValueBuffer
        var definitions: [UInt8] = []
        var repetitions: [UInt8] = []
        var entries = 0
    }

    private var valueWidth: Int { chunk.physicalType == .int96 ? 12 : typeLength }

    /// Decodes the chunk; every error names the column.
    func read() throws -> DecodedColumnChunk {
        do {
            return try readPages()
        } catch var error as ParquetError where error.column == nil {
            error.column = columnName
            error.message = "column '\(columnName)': \(error.message)"
            throw error
        }
    }

    private func readPages() throws -> DecodedColumnChunk {
        try PageScratch.borrow { scratch in try readPages(scratch) }
    }

    private func readPages(_ scratch: PageScratch) throws -> DecodedColumnChunk {
        var accumulator = Accumulator(
            values: ValueBuffer(physicalType: chunk.physicalType, width: valueWidth, column: columnName))
        guard chunk.valueCount != 0 else {
            // Nothing to read (see `byteRange(of:fileSize:)`), whatever the bytes hold.
            return DecodedColumnChunk(
                values: accumulator.values.finish(), definitions: [], repetitions: [], entryCount: 0)
        }
        // `nil` for a codec ParquetLite lacks (LZO, BROTLI): an error only at the first page
        // that has bytes to decompress, so that pages of no stored values read with any codec.
        let codec = CompressionCodec(thriftValue: chunk.codec)
        // Room reserved up front, as far as the chunk's compressed size makes it plausible (a few
        // corrupt bytes must not reserve gigabytes); past that, the buffers grow as pages arrive.
        let compressed = Int(chunk.totalCompressedSize)
        let values = min(Int(chunk.valueCount), max(1 << 16, compressed * 16))
        accumulator.values.reserve(
            values: values, bytes: Int(min(chunk.totalUncompressedSize, Int64(compressed) * 32, Int64(Int32.max))))
        if maxDefinitionLevel > 0 { accumulator.definitions.reserveCapacity(values) }
        if maxRepetitionLevel > 0 { accumulator.repetitions.reserveCapacity(values) }
        var dictionary: PageDictionary?
        var offset = range.lowerBound
        while offset < range.upperBound {
            let header = try PageHeader.decode(storage, at: offset, end: range.upperBound, baseOffset: baseOffset)
            let bodyStart = offset + header.headerSize
            let bodyRange = bodyStart..<(bodyStart + header.compressedSize)
            try storage.withUnsafeBytes { file in
                let body = UnsafeRawBufferPointer(rebasing: file[bodyRange])
                if verifiesChecksums, let crc = header.crc, PageChecksum.crc32(body) != crc {
                    throw corrupt("the page's CRC32 does not match its bytes", at: offset)
                }
                switch header.type {
                case PageType.dictionaryPage:
                    guard dictionary == nil, accumulator.entries == 0 else {
                        throw corrupt("a second or late dictionary page", at: offset)
                    }
                    let plain = try decompress(codec, body, header.uncompressedSize, at: bodyStart, into: scratch)
                    let decoded = PageDictionary(
                        try PlainDecoding.decode(
                            plain, count: header.valueCount, type: chunk.physicalType, width: valueWidth,
                            column: columnName,
                            corrupt: { corrupt($0, at: bodyStart + $1) }))
                    dictionary = decoded
                    if case .byteArray(let arrays) = decoded.values, arrays.count > 0 {
                        accumulator.values.reserve(
                            values: values,
                            bytes: Self.gatheredBytes(
                                longest: decoded.longest, valueCount: Int(chunk.valueCount), compressed: compressed))
                    }
                default:
                    guard header.valueCount <= Int(chunk.valueCount) - accumulator.entries else {
                        throw corrupt(
                            "a page of \(header.valueCount) values past the chunk's \(chunk.valueCount)", at: offset)
                    }
                    try readDataPage(
                        header, body: body, at: bodyStart, codec: codec, scratch: scratch, dictionary: dictionary,
                        into: &accumulator)
                }
            }
            offset = bodyRange.upperBound
        }
        guard accumulator.entries == Int(chunk.valueCount) else {
            throw corrupt(
                "the pages hold \(accumulator.entries) values but the chunk declares \(chunk.valueCount)",
                at: range.lowerBound)
        }
        return DecodedColumnChunk(
            values: accumulator.values.finish(), definitions: accumulator.definitions,
            repetitions: accumulator.repetitions,
            entryCount: accumulator.entries)
    }

    /// The room to reserve for byte arrays picked from `dictionary`: enough for every value to
    /// be its longest, so that the buffer is allocated once and never grows, bounded by what the
    /// chunk's compressed size makes plausible (64 times it, at least 1 MiB) and 256 MiB. Past
    /// that bound the buffer grows as needed.
    private static func gatheredBytes(longest: Int, valueCount: Int, compressed: Int) -> Int {
        let bound = min(256 << 20, max(1 << 20, compressed.multipliedReportingOverflow(by: 64).partialValue))
        let (all, overflow) = longest.multipliedReportingOverflow(by: valueCount)
        return overflow ? bound : min(all, bound)
    }

    /// Decompresses a page's `body` into `scratch` (see ``PageScratch/decompress(_:_:uncompressedSize:)``).
    private func decompress(
        _ codec: CompressionCodec?, _ body: UnsafeRawBufferPointer, _ size: Int, at offset: Int,
        into scratch: PageScratch
    ) throws -> UnsafeRawBufferPointer {
        do {
            guard let codec else {
                if body.isEmpty && size == 0 { return body }
                let name = CompressionCodec.name(thriftValue: chunk.codec)
                throw ParquetError(
                    code: .unsupportedFeature,
                    message: "unsupported codec \(name) (\(chunk.codec)); ParquetLite reads "
                        + "UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW and LZ4", codec: name)
            }
            return try scratch.decompress(codec, body, uncompressedSize: size)
        } catch var error as ParquetError {
            error.column = columnName
            error.byteOffset = baseOffset + offset
            error.message = "column '\(columnName)': \(error.message)"
            throw error
        }
    }

    /// Decodes `count` levels of at most `maximum` in the given encoding (RLE hybrid, or the
    /// deprecated BIT_PACKED) and appends them to `levels`.
    private func appendLevels(
        _ raw: UnsafeRawBufferPointer, encoding: Int32, maximum: Int, count: Int, what: String, at offset: Int,
        to levels: inout [UInt8]
    ) throws {
        let width = RLEHybridEncoder.bitWidth(forMaximum: UInt32(maximum))
        let decoded: [UInt8]
        do {
            decoded =
                encoding == EncodingID.bitPacked
                ? try RLEHybridDecoder.decodeBitPacked(raw, bitWidth: width, count: count, what: what).map {
                    UInt8(truncatingIfNeeded: $0)
                }
                : try RLEHybridDecoder.decode(raw, bitWidth: width, count: count, what: what, as: UInt8.self)
        } catch let error as ParquetError {
            throw corrupt(error.message, at: offset + (error.byteOffset ?? 0))
        }
        let largest = decoded.withUnsafeBufferPointer { $0.reduce(0) { Swift.max($0, $1) } }
        guard largest <= UInt8(maximum) else {
            throw corrupt("\(what) \(largest) over the column's maximum \(maximum)", at: offset)
        }
        if levels.isEmpty && levels.capacity < decoded.count {
            levels = decoded
        } else {
            levels.append(contentsOf: decoded)
        }
    }

    /// Decodes one data page (v1 or v2) and appends its levels and values.
    private func readDataPage(
        _ header: PageHeader, body: UnsafeRawBufferPointer, at bodyStart: Int, codec: CompressionCodec?,
        scratch: PageScratch, dictionary: PageDictionary?, into accumulator: inout Accumulator
    ) throws {
        let count = header.valueCount
        let levelsStart = accumulator.definitions.count
        let repetitionsStart = accumulator.repetitions.count
        let page: UnsafeRawBufferPointer
        var position = 0
        if header.type == PageType.dataPageV2 {
            let repetitionLength = header.repetitionLevelsByteLength ?? 0
            let definitionLength = header.definitionLevelsByteLength ?? 0
            if maxRepetitionLevel > 0 {
                try appendLevels(
                    UnsafeRawBufferPointer(rebasing: body[0..<repetitionLength]), encoding: EncodingID.rle,
                    maximum: maxRepetitionLevel, count: count, what: "repetition level", at: bodyStart,
                    to: &accumulator.repetitions)
            }
            if maxDefinitionLevel > 0 {
                try appendLevels(
                    UnsafeRawBufferPointer(rebasing: body[repetitionLength..<(repetitionLength + definitionLength)]),
                    encoding: EncodingID.rle, maximum: maxDefinitionLevel, count: count, what: "definition level",
                    at: bodyStart + repetitionLength, to: &accumulator.definitions)
            }
            let values = UnsafeRawBufferPointer(rebasing: body[(repetitionLength + definitionLength)...])
            page =
                header.isCompressed
                ? try decompress(
                    codec, values, header.uncompressedSize - repetitionLength - definitionLength,
                    at: bodyStart + repetitionLength + definitionLength, into: scratch)
                : values
            // A v2 page starts a row.
            if maxRepetitionLevel > 0, count > 0, accumulator.repetitions[repetitionsStart] != 0 {
                throw corrupt(
                    "a DATA_PAGE_V2 whose first repetition level is \(accumulator.repetitions[repetitionsStart]), not 0",
                    at: bodyStart)
            }
        } else {
            page = try decompress(codec, body, header.uncompressedSize, at: bodyStart, into: scratch)
            // A page of no values has nothing to decode, and may hold no levels either (0 bytes).
            guard count > 0 else { return }
            // v1 levels: RLE, each a 4-byte little-endian length then the hybrid; or the
            // deprecated BIT_PACKED, ⌈count × width / 8⌉ bytes without a length.
            func levels(encoding: Int32?, maximum: Int, what: String, into target: inout [UInt8]) throws {
                let encoding = encoding ?? EncodingID.rle
                let length: Int
                var skip = 0
                if encoding == EncodingID.bitPacked {
                    length = (count * RLEHybridEncoder.bitWidth(forMaximum: UInt32(maximum)) + 7) / 8
                } else if encoding == EncodingID.rle {
                    guard page.count - position >= 4 else {
                        throw corrupt("a page cut off before its \(what)s", at: bodyStart)
                    }
                    length = Int(UInt32(littleEndian: page.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                    skip = 4
                } else {
                    throw ParquetError(
                        code: .unsupportedFeature,
                        message: "column '\(columnName)': \(what)s in encoding \(encoding) are not defined",
                        column: columnName, byteOffset: baseOffset + bodyStart)
                }
                guard length <= page.count - position - skip else {
                    throw corrupt("\(what)s longer than their page", at: bodyStart)
                }
                try appendLevels(
                    UnsafeRawBufferPointer(rebasing: page[(position + skip)..<(position + skip + length)]),
                    encoding: encoding, maximum: maximum, count: count, what: what, at: bodyStart,
                    to: &target)
                position += skip + length
            }
            if maxRepetitionLevel > 0 {
                try levels(
                    encoding: header.repetitionLevelEncoding, maximum: maxRepetitionLevel, what: "repetition level",
                    into: &accumulator.repetitions)
            }
            if maxDefinitionLevel > 0 {
                try levels(
                    encoding: header.definitionLevelEncoding, maximum: maxDefinitionLevel, what: "definition level",
                    into: &accumulator.definitions)
            }
        }
        // The chunk's first value starts a row.
        if maxRepetitionLevel > 0, accumulator.entries == 0, count > 0, accumulator.repetitions[0] != 0 {
            throw corrupt("the chunk's first repetition level is \(accumulator.repetitions[0]), not 0", at: bodyStart)
        }
        var present = count
        if maxDefinitionLevel > 0 {
            let top = UInt8(maxDefinitionLevel)
            present = 0
            for level in accumulator.definitions[levelsStart...] where level == top { present += 1 }
        }
        accumulator.entries += count
        if header.encoding == EncodingID.plain && chunk.physicalType == .byteArray {
            // Copied straight into the chunk's values.
            try accumulator.values.appendPlainByteArrays(
                UnsafeRawBufferPointer(rebasing: page[position...]), count: present,
                corrupt: { corrupt($0, at: bodyStart + $1) })
            return
        }
        if header.encoding == EncodingID.rleDictionary || header.encoding == EncodingID.plainDictionary {
            // Gathered straight into the chunk's values.
            try gatherDictionary(
                UnsafeRawBufferPointer(rebasing: page[position...]), count: present, dictionary: dictionary,
                at: bodyStart, into: &accumulator.values)
            return
        }
        let decoded = try decodeValues(
            UnsafeRawBufferPointer(rebasing: page[position...]), encoding: header.encoding, count: present,
            at: bodyStart)
        guard decoded.count == present else {
            throw corrupt("\(decoded.count) values where the levels say \(present)", at: bodyStart)
        }
        try accumulator.values.append(decoded)
    }

    /// Decodes a page's `count` dictionary indices and appends the values they pick, a block of
    /// indices at a time (the block stays in cache; no array of the page's indices is made).
    private func gatherDictionary(
        _ raw: UnsafeRawBufferPointer, count present: Int, dictionary: PageDictionary?, at bodyStart: Int,
        into values: inout ValueBuffer
    ) throws {
        guard let dictionary else { throw corrupt("dictionary indices without a dictionary page", at: bodyStart) }
        guard present > 0 else { return }
        guard let width = raw.first else { throw corrupt("dictionary indices without their bit width", at: bodyStart) }
        let size = dictionary.count
        let block = 4096
        try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: block) { buffer in
            do {
                var indices = try RLEHybridReader(
                    UnsafeRawBufferPointer(rebasing: raw[1...]), bitWidth: Int(width), count: present,
                    what: "dictionary indices")
                while indices.remaining > 0 {
                    let count = min(block, indices.remaining)
                    try indices.read(into: buffer.baseAddress!, count: count)
                    let taken = UnsafeBufferPointer(rebasing: buffer[0..<count])
                    let largest = taken.reduce(0) { Swift.max($0, $1) }
                    guard Int(largest) < size else {
                        throw corrupt("dictionary index \(largest) in a dictionary of \(size)", at: bodyStart)
                    }
                    try values.appendGathered(dictionary, taken)
                }
            } catch let error as ParquetError where error.column == nil {
                throw corrupt(error.message, at: bodyStart)
            }
        }
    }

    /// Decodes a page's `count` present values in `encoding`.
    private func decodeValues(
        _ raw: UnsafeRawBufferPointer, encoding: Int32, count present: Int, at bodyStart: Int
    ) throws -> ParquetColumnBatch.Values {
        let corruptHere: (String, Int) -> ParquetError = { corrupt($0, at: bodyStart + $1) }
        func rethrown<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as ParquetError where error.column == nil {
                throw corrupt(error.message, at: bodyStart)
            }
        }
        switch encoding {
        case EncodingID.plain:
            return try PlainDecoding.decode(
                raw, count: present, type: chunk.physicalType, width: valueWidth, column: columnName,
                corrupt: corruptHere)
        case EncodingID.rle where chunk.physicalType == .boolean:
            // RLE booleans: a 4-byte little-endian length, then the hybrid at width 1.
            guard raw.count >= 4 else { throw corrupt("RLE booleans without their length", at: bodyStart) }
            let length = Int(raw.loadUnaligned(as: UInt32.self).littleEndian)
            guard length <= raw.count - 4 else { throw corrupt("RLE booleans longer than their page", at: bodyStart) }
            let bits = try rethrown {
                try RLEHybridDecoder.decode(
                    UnsafeRawBufferPointer(rebasing: raw[4..<(4 + length)]), bitWidth: 1, count: present,
                    what: "RLE booleans")
            }
            return .boolean(bits.map { $0 == 1 })
        case EncodingID.deltaLengthByteArray where chunk.physicalType == .byteArray:
            return .byteArray(try rethrown { try ByteArrayDecoders.deltaLength(raw, count: present).0 })
        case EncodingID.deltaByteArray
        where chunk.physicalType == .byteArray || chunk.physicalType == .fixedLenByteArray:
            let arrays = try rethrown { try ByteArrayDecoders.deltaByteArray(raw, count: present) }
            guard chunk.physicalType == .byteArray else {
                guard arrays.bytes.count == present * typeLength,
                    (0..<arrays.count).allSatisfy({ arrays.offsets[$0 + 1] - arrays.offsets[$0] == typeLength })
                else { throw corrupt("DELTA_BYTE_ARRAY values not \(typeLength) bytes each", at: bodyStart) }
                return .fixedLenByteArray(bytes: arrays.bytes, width: typeLength)
            }
            return .byteArray(arrays)
        case EncodingID.byteStreamSplit:
            let width: Int
            switch chunk.physicalType {
            case .int32, .float: width = 4
            case .int64, .double: width = 8
            case .fixedLenByteArray: width = typeLength
            default: throw corrupt("BYTE_STREAM_SPLIT on \(chunk.physicalType)", at: bodyStart)
            }
            let ordered = try rethrown { try ByteArrayDecoders.byteStreamSplit(raw, count: present, width: width) }
            return try ordered.withUnsafeBytes {
                try PlainDecoding.decode(
                    $0, count: present, type: chunk.physicalType, width: valueWidth, column: columnName,
                    corrupt: corruptHere)
            }
        case EncodingID.deltaBinaryPacked:
            guard chunk.physicalType == .int32 || chunk.physicalType == .int64 else {
                throw corrupt("DELTA_BINARY_PACKED on \(chunk.physicalType)", at: bodyStart)
            }
            let bits = chunk.physicalType == .int32 ? 32 : 64
            let (numbers, _) = try rethrown {
                try DeltaBinaryPackedDecoder.decode(raw, valueBits: bits, maximumCount: present)
            }
            return bits == 32 ? .int32(numbers.map { Int32(truncatingIfNeeded: $0) }) : .int64(numbers)
        default:
            throw ParquetError(
                code: .unsupportedFeature,
                message: "column '\(columnName)': encoding \(encoding) on \(chunk.physicalType) is not supported",
                column: columnName, byteOffset: baseOffset + bodyStart)
        }
    }
}
