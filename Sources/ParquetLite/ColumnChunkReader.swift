/// Reads one column chunk of a flat column (no repetition) into dense values and a validity:
/// the inverse of ``ColumnChunkWriter``, and the core of the reader to come.
///
/// Pages are located from the chunk's metadata and checked against the file's bytes; each page
/// is decompressed to exactly the size its header declares; levels and values are decoded with
/// checked decoders; the values found must match the counts the headers declare. Any mismatch
/// is a ``ParquetError`` naming the column and the byte offset.
struct ColumnChunkReader {
    let file: [UInt8]
    let chunk: ParquetColumnChunkMetadata
    /// 1 for an OPTIONAL column, 0 for a REQUIRED one; more inside optional groups.
    let maxDefinitionLevel: Int
    let typeLength: Int
    /// 0 for a flat column; the number of repeated ancestors otherwise. Repetition levels are
    /// decoded and checked (rows must start at level 0); assembling nested values comes later.
    var maxRepetitionLevel = 0

    private var columnName: String { chunk.path.joined(separator: ".") }

    private func corrupt(_ why: String, at offset: Int) -> ParquetError {
        ParquetError(
            code: .corruptMetadata, message: "column '\(columnName)': \(why)", column: columnName, byteOffset: offset)
    }

    /// Typed values as they accumulate.
    private struct Accumulator {
        var values: ParquetColumnBatch.Values
        var validity: [Bool] = []
        var sawNull = false
    }

    func read() throws -> ParquetColumnBatch {
        // Checked before any arithmetic: the offsets come from the file and may be anything.
        guard chunk.startOffset >= 4, chunk.totalCompressedSize >= 0,
            chunk.startOffset <= Int64(file.count), chunk.totalCompressedSize <= Int64(file.count) - chunk.startOffset
        else {
            throw corrupt(
                "the chunk's \(chunk.totalCompressedSize) bytes at \(chunk.startOffset) lie outside the file (\(file.count) bytes)",
                at: Int(clamping: chunk.startOffset))
        }
        let start = Int(chunk.startOffset)
        let end = start + Int(chunk.totalCompressedSize)
        guard let codec = CompressionCodec(thriftValue: chunk.codec) else {
            throw corrupt("unsupported codec \(chunk.codec)", at: start)
        }
        var accumulator = Accumulator(values: emptyValues())
        var dictionary: ParquetColumnBatch.Values?
        var offset = start
        var valuesRead = 0
        while offset < end {
            let header = try PageHeader.decode(file, at: offset, end: end)
            let bodyStart = offset + header.headerSize
            let body = Array(file[bodyStart..<(bodyStart + header.compressedSize)])
            if let crc = header.crc, body.withUnsafeBytes({ PageChecksum.crc32($0) }) != crc {
                throw corrupt("the page's CRC32 does not match its bytes", at: offset)
            }
            switch header.type {
            case PageType.dictionaryPage:
                guard dictionary == nil, valuesRead == 0 else {
                    throw corrupt("a second or late dictionary page", at: offset)
                }
                let plain = try codec.decompress(body, uncompressedSize: header.uncompressedSize)
                dictionary = try plain.withUnsafeBytes { try decodePlain($0, count: header.valueCount, at: bodyStart) }
            default:
                valuesRead += try readDataPage(
                    header, body: body, at: bodyStart, codec: codec, dictionary: dictionary, into: &accumulator)
            }
            offset = bodyStart + header.compressedSize
        }
        guard valuesRead == Int(chunk.valueCount) else {
            throw corrupt("the pages hold \(valuesRead) values but the chunk declares \(chunk.valueCount)", at: start)
        }
        return ParquetColumnBatch(accumulator.values, validity: accumulator.sawNull ? accumulator.validity : nil)
    }

    private func emptyValues() -> ParquetColumnBatch.Values {
        switch chunk.physicalType {
        case .boolean: .boolean([])
        case .int32: .int32([])
        case .int64: .int64([])
        case .float: .float([])
        case .double: .double([])
        case .byteArray: .byteArray(ParquetByteArrays(bytes: [], offsets: [0]))
        case .fixedLenByteArray: .fixedLenByteArray(bytes: [], width: typeLength)
        case .int96: .fixedLenByteArray(bytes: [], width: 12)
        }
    }

    /// Decodes one data page (v1 or v2) and appends its values; returns its value count.
    private func readDataPage(
        _ header: PageHeader, body: [UInt8], at bodyStart: Int, codec: CompressionCodec,
        dictionary: ParquetColumnBatch.Values?, into accumulator: inout Accumulator
    ) throws -> Int {
        let count = header.valueCount
        var page: [UInt8]
        var position = 0
        var definitions: [UInt32]
        var repetitions: [UInt32] = []
        let definitionWidth = RLEHybridEncoder.bitWidth(forMaximum: UInt32(maxDefinitionLevel))
        let repetitionWidth = RLEHybridEncoder.bitWidth(forMaximum: UInt32(maxRepetitionLevel))
        func levels(_ raw: UnsafeRawBufferPointer, width: Int, maximum: Int, what: String) throws -> [UInt32] {
            let decoded = try RLEHybridDecoder.decode(raw, bitWidth: width, count: count, what: what)
            if let bad = decoded.first(where: { Int($0) > maximum }) {
                throw corrupt("\(what) \(bad) over the column's maximum \(maximum)", at: bodyStart)
            }
            return decoded
        }
        if header.type == PageType.dataPageV2 {
            let repetitionLength = header.repetitionLevelsByteLength ?? 0
            let definitionLength = header.definitionLevelsByteLength ?? 0
            (repetitions, definitions) = try body.withUnsafeBytes { raw in
                let repeated =
                    maxRepetitionLevel == 0
                    ? []
                    : try levels(
                        UnsafeRawBufferPointer(rebasing: raw[0..<repetitionLength]), width: repetitionWidth,
                        maximum: maxRepetitionLevel, what: "repetition level")
                let defined =
                    maxDefinitionLevel == 0
                    ? [UInt32](repeating: 0, count: count)
                    : try levels(
                        UnsafeRawBufferPointer(rebasing: raw[repetitionLength..<(repetitionLength + definitionLength)]),
                        width: definitionWidth, maximum: maxDefinitionLevel, what: "definition level")
                return (repeated, defined)
            }
            let values = Array(body[(repetitionLength + definitionLength)...])
            page =
                header.isCompressed
                ? try codec.decompress(
                    values, uncompressedSize: header.uncompressedSize - repetitionLength - definitionLength)
                : values
            // A v2 page starts a row.
            if let first = repetitions.first, first != 0 {
                throw corrupt("a DATA_PAGE_V2 whose first repetition level is \(first), not 0", at: bodyStart)
            }
        } else {
            page = try codec.decompress(body, uncompressedSize: header.uncompressedSize)
            // v1 levels: each a 4-byte little-endian length, then the hybrid.
            func prefixed(width: Int, maximum: Int, what: String) throws -> [UInt32] {
                guard page.count - position >= 4 else {
                    throw corrupt("a page cut off before its \(what)s", at: bodyStart)
                }
                let length = page[position..<(position + 4)].reversed().reduce(0) { $0 << 8 | Int($1) }
                guard length <= page.count - position - 4 else {
                    throw corrupt("\(what)s longer than their page", at: bodyStart)
                }
                defer { position += 4 + length }
                return try page.withUnsafeBytes {
                    try levels(
                        UnsafeRawBufferPointer(rebasing: $0[(position + 4)..<(position + 4 + length)]), width: width,
                        maximum: maximum, what: what)
                }
            }
            if maxRepetitionLevel > 0 {
                repetitions = try prefixed(
                    width: repetitionWidth, maximum: maxRepetitionLevel, what: "repetition level")
            }
            definitions =
                maxDefinitionLevel > 0
                ? try prefixed(width: definitionWidth, maximum: maxDefinitionLevel, what: "definition level")
                : [UInt32](repeating: 0, count: count)
        }
        // The chunk's first value starts a row.
        if accumulator.validity.isEmpty, let first = repetitions.first, first != 0 {
            throw corrupt("the chunk's first repetition level is \(first), not 0", at: bodyStart)
        }
        let top = UInt32(maxDefinitionLevel)
        let present = maxDefinitionLevel == 0 ? count : definitions.reduce(0) { $0 + ($1 == top ? 1 : 0) }
        if maxDefinitionLevel > 0 {
            for level in definitions { accumulator.validity.append(level == top) }
            if present < count { accumulator.sawNull = true }
        } else {
            accumulator.validity.append(contentsOf: repeatElement(true, count: count))
        }
        let values = Array(page[position...])
        let decoded: ParquetColumnBatch.Values = try values.withUnsafeBytes { raw in
            switch header.encoding {
            case EncodingID.plain: return try decodePlain(raw, count: present, at: bodyStart)
            case EncodingID.rleDictionary, 2:  // RLE_DICTIONARY, PLAIN_DICTIONARY
                guard let dictionary else {
                    throw corrupt("dictionary indices without a dictionary page", at: bodyStart)
                }
                guard present > 0 else { return emptyValues() }
                guard let width = raw.first else {
                    throw corrupt("a dictionary page without its bit width", at: bodyStart)
                }
                let indices = try RLEHybridDecoder.decode(
                    UnsafeRawBufferPointer(rebasing: raw[1...]), bitWidth: Int(width), count: present,
                    what: "dictionary indices")
                return try gather(dictionary, indices, at: bodyStart)
            case EncodingID.rle where chunk.physicalType == .boolean:
                // RLE booleans: a 4-byte little-endian length, then the hybrid at width 1.
                guard raw.count >= 4 else { throw corrupt("RLE booleans without their length", at: bodyStart) }
                let length = Int(raw.loadUnaligned(as: UInt32.self).littleEndian)
                guard length <= raw.count - 4 else {
                    throw corrupt("RLE booleans longer than their page", at: bodyStart)
                }
                let bits = try RLEHybridDecoder.decode(
                    UnsafeRawBufferPointer(rebasing: raw[4..<(4 + length)]), bitWidth: 1, count: present,
                    what: "RLE booleans")
                return .boolean(bits.map { $0 == 1 })
            case 6 where chunk.physicalType == .byteArray:  // DELTA_LENGTH_BYTE_ARRAY
                return .byteArray(try ByteArrayDecoders.deltaLength(raw, count: present).0)
            // DELTA_BYTE_ARRAY
            case 7 where chunk.physicalType == .byteArray || chunk.physicalType == .fixedLenByteArray:
                let arrays = try ByteArrayDecoders.deltaByteArray(raw, count: present)
                guard chunk.physicalType == .byteArray else {
                    guard arrays.bytes.count == present * typeLength,
                        (0..<arrays.count).allSatisfy({ arrays.offsets[$0 + 1] - arrays.offsets[$0] == typeLength })
                    else { throw corrupt("DELTA_BYTE_ARRAY values not \(typeLength) bytes each", at: bodyStart) }
                    return .fixedLenByteArray(bytes: arrays.bytes, width: typeLength)
                }
                return .byteArray(arrays)
            case 9:  // BYTE_STREAM_SPLIT
                let width: Int
                switch chunk.physicalType {
                case .int32, .float: width = 4
                case .int64, .double: width = 8
                case .fixedLenByteArray: width = typeLength
                default: throw corrupt("BYTE_STREAM_SPLIT on \(chunk.physicalType)", at: bodyStart)
                }
                let ordered = try ByteArrayDecoders.byteStreamSplit(raw, count: present, width: width)
                return try ordered.withUnsafeBytes { try decodePlain($0, count: present, at: bodyStart) }
            case EncodingID.deltaBinaryPacked:
                let bits = chunk.physicalType == .int32 ? 32 : 64
                guard chunk.physicalType == .int32 || chunk.physicalType == .int64 else {
                    throw corrupt("DELTA_BINARY_PACKED on \(chunk.physicalType)", at: bodyStart)
                }
                let (numbers, _) = try DeltaBinaryPackedDecoder.decode(raw, valueBits: bits, maximumCount: present)
                guard numbers.count == present else {
                    throw corrupt("\(numbers.count) values where the levels say \(present)", at: bodyStart)
                }
                return bits == 32 ? .int32(numbers.map { Int32(truncatingIfNeeded: $0) }) : .int64(numbers)
            default:
                throw ParquetError(
                    code: .unsupportedFeature,
                    message: "column '\(columnName)': encoding \(header.encoding) is not read yet",
                    column: columnName, byteOffset: bodyStart)
            }
        }
        guard decoded.count == present else {
            throw corrupt("\(decoded.count) values where the levels say \(present)", at: bodyStart)
        }
        append(decoded, to: &accumulator.values)
        return count
    }

    /// PLAIN values of the column's physical type.
    private func decodePlain(_ raw: UnsafeRawBufferPointer, count: Int, at offset: Int) throws
        -> ParquetColumnBatch.Values
    {
        func fixed<T>(_ width: Int, _ make: ([T]) -> ParquetColumnBatch.Values) throws -> ParquetColumnBatch.Values {
            guard count <= raw.count / width else {
                throw corrupt("\(count) values of \(width) bytes in \(raw.count) bytes", at: offset)
            }
            return make((0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * width, as: T.self) })
        }
        switch chunk.physicalType {
        case .boolean:
            guard count <= raw.count * 8 else { throw corrupt("\(count) booleans in \(raw.count) bytes", at: offset) }
            return .boolean((0..<count).map { raw[$0 / 8] >> UInt8($0 % 8) & 1 == 1 })
        case .int32: return try fixed(4) { (values: [Int32]) in .int32(values) }
        case .int64: return try fixed(8) { (values: [Int64]) in .int64(values) }
        case .float: return try fixed(4) { (values: [Float]) in .float(values) }
        case .double: return try fixed(8) { (values: [Double]) in .double(values) }
        case .fixedLenByteArray, .int96:
            let width = chunk.physicalType == .int96 ? 12 : typeLength
            guard width > 0, count <= raw.count / width else {
                throw corrupt("\(count) values of \(width) bytes in \(raw.count) bytes", at: offset)
            }
            return .fixedLenByteArray(bytes: Array(raw[0..<(count * width)]), width: width)
        case .byteArray:
            guard count <= raw.count / 4 else {
                throw corrupt("\(count) byte arrays in \(raw.count) bytes", at: offset)
            }
            var bytes: [UInt8] = []
            var offsets: [Int32] = [0]
            offsets.reserveCapacity(count + 1)
            var position = 0
            for _ in 0..<count {
                guard position + 4 <= raw.count else {
                    throw corrupt("a byte array's length is cut off", at: offset + position)
                }
                let length = Int(raw.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
                position += 4
                guard length <= raw.count - position else {
                    throw corrupt(
                        "a byte array of \(length) bytes where \(raw.count - position) remain", at: offset + position)
                }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[position..<(position + length)]))
                position += length
                offsets.append(Int32(bytes.count))
            }
            return .byteArray(ParquetByteArrays(bytes: bytes, offsets: offsets))
        }
    }

    /// The dictionary's values at `indices`, each checked against the dictionary's size.
    private func gather(
        _ dictionary: ParquetColumnBatch.Values, _ indices: [UInt32], at offset: Int
    ) throws -> ParquetColumnBatch.Values {
        let size = dictionary.count
        if let bad = indices.first(where: { Int($0) >= size }) {
            throw corrupt("dictionary index \(bad) in a dictionary of \(size)", at: offset)
        }
        switch dictionary {
        case .boolean(let values): return .boolean(indices.map { values[Int($0)] })
        case .int32(let values): return .int32(indices.map { values[Int($0)] })
        case .int64(let values): return .int64(indices.map { values[Int($0)] })
        case .float(let values): return .float(indices.map { values[Int($0)] })
        case .double(let values): return .double(indices.map { values[Int($0)] })
        case .fixedLenByteArray(let bytes, let width):
            var gathered: [UInt8] = []
            gathered.reserveCapacity(indices.count * width)
            for index in indices {
                gathered.append(contentsOf: bytes[(Int(index) * width)..<(Int(index) * width + width)])
            }
            return .fixedLenByteArray(bytes: gathered, width: width)
        case .byteArray(let arrays):
            var bytes: [UInt8] = []
            var offsets: [Int32] = [0]
            offsets.reserveCapacity(indices.count + 1)
            for index in indices {
                bytes.append(
                    contentsOf: arrays.bytes[Int(arrays.offsets[Int(index)])..<Int(arrays.offsets[Int(index) + 1])])
                offsets.append(Int32(bytes.count))
            }
            return .byteArray(ParquetByteArrays(bytes: bytes, offsets: offsets))
        }
    }

    /// Appends `values` to `target` in place (the target is emptied first, so its storage is
    /// unique and grows instead of being copied per page).
    private func append(_ values: ParquetColumnBatch.Values, to target: inout ParquetColumnBatch.Values) {
        let taken = target
        target = .boolean([])
        switch (taken, values) {
        case (.boolean(var all), .boolean(let more)):
            all.append(contentsOf: more)
            target = .boolean(all)
        case (.int32(var all), .int32(let more)):
            all.append(contentsOf: more)
            target = .int32(all)
        case (.int64(var all), .int64(let more)):
            all.append(contentsOf: more)
            target = .int64(all)
        case (.float(var all), .float(let more)):
            all.append(contentsOf: more)
            target = .float(all)
        case (.double(var all), .double(let more)):
            all.append(contentsOf: more)
            target = .double(all)
        case (.fixedLenByteArray(var all, let width), .fixedLenByteArray(let more, _)):
            all.append(contentsOf: more)
            target = .fixedLenByteArray(bytes: all, width: width)
        case (.byteArray(var all), .byteArray(let more)):
            let base = Int32(all.bytes.count)
            all.bytes.append(contentsOf: more.bytes)
            all.offsets.append(contentsOf: more.offsets.dropFirst().map { $0 + base })
            target = .byteArray(all)
        default: preconditionFailure("a page decoded to another type than its column's")
        }
    }
}
