/// The values of a column chunk as its pages are decoded: one typed array per physical type,
/// whose pages' values are written straight into room reserved ahead (``OutputArray``): each
/// value is written once, and the arrays are allocated once when the reservation holds.
struct ValueBuffer {
    private var booleans = OutputArray<Bool>()
    private var int32s = OutputArray<Int32>()
    private var int64s = OutputArray<Int64>()
    private var floats = OutputArray<Float>()
    private var doubles = OutputArray<Double>()
    private var bytes = OutputArray<UInt8>()
    /// Byte arrays' offsets; the leading 0 is committed at the first append.
    private var offsets = OutputArray<Int32>()
    let physicalType: ParquetPhysicalType
    /// The width of FIXED_LEN_BYTE_ARRAY (and INT96) values.
    let width: Int
    let column: String

    init(physicalType: ParquetPhysicalType, width: Int, column: String) {
        self.physicalType = physicalType
        self.width = width
        self.column = column
    }

    /// Reserves room for `count` values and, for byte arrays, `byteCount` bytes, so that the
    /// arrays are allocated once instead of growing (and being copied) page after page. The
    /// caller bounds both by what the chunk's compressed size makes plausible.
    mutating func reserve(values count: Int, bytes byteCount: Int) {
        switch physicalType {
        case .boolean: booleans.reserve(count)
        case .int32: int32s.reserve(count)
        case .int64: int64s.reserve(count)
        case .float: floats.reserve(count)
        case .double: doubles.reserve(count)
        case .fixedLenByteArray, .int96: bytes.reserve(count * width)
        case .byteArray:
            offsets.reserve(count + 1)
            // With the slack that gathering and PLAIN copying ask for past the last value.
            bytes.reserve(byteCount + Self.slack)
        }
    }

    /// The room asked for past the last byte array's end: values of up to 64 bytes are copied
    /// 16 bytes at a time.
    static let slack = 64

    private var overflow: ParquetError { Self.overflow(column: column) }

    private static func overflow(column: String) -> ParquetError {
        ParquetError(
            code: .unsupportedFeature,
            message: "column '\(column)': over 2 GiB of byte arrays in one vector; read fewer row groups at once",
            column: column)
    }

    /// The offset where the next byte array starts (committing the leading 0 first).
    private mutating func byteArrayEnd() -> Int32 {
        if offsets.count == 0 { offsets.append(contentsOf: [0]) }
        return Int32(truncatingIfNeeded: bytes.count)
    }

    /// Appends a page's values, which hold this buffer's physical type.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/unsupportedFeature`` when byte arrays
    ///   would pass the 2 GiB their 32-bit offsets can address.
    mutating func append(_ values: ParquetColumnBatch.Values) throws {
        switch values {
        case .boolean(let more): booleans.append(contentsOf: more)
        case .int32(let more): int32s.append(contentsOf: more)
        case .int64(let more): int64s.append(contentsOf: more)
        case .float(let more): floats.append(contentsOf: more)
        case .double(let more): doubles.append(contentsOf: more)
        case .fixedLenByteArray(let more, _): bytes.append(contentsOf: more)
        case .byteArray(let more):
            guard more.bytes.count <= Int(Int32.max) - bytes.count else { throw overflow }
            if offsets.count == 0 && bytes.room < more.bytes.count {
                bytes.append(contentsOf: more.bytes)
                offsets.append(contentsOf: more.offsets)
                return
            }
            let base = byteArrayEnd()
            bytes.append(contentsOf: more.bytes)
            more.offsets.withUnsafeBufferPointer { source in
                offsets.append(room: source.count - 1) { target in
                    for index in 0..<(source.count - 1) { target[index] = source[index + 1] &+ base }
                    return source.count - 1
                }
            }
        }
    }

    /// Appends the dictionary's values at `indices`, which were checked against its size. Byte
    /// arrays of up to 16 bytes are copied with one 16-byte load and store each, which is why
    /// ``PageDictionary`` pads a dictionary's bytes.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/unsupportedFeature`` when byte arrays
    ///   would pass 2 GiB.
    mutating func appendGathered(_ dictionary: PageDictionary, _ indices: UnsafeBufferPointer<UInt32>) throws {
        func gather<T>(_ values: [T], into array: inout OutputArray<T>) {
            values.withUnsafeBufferPointer { source in
                array.append(room: indices.count) { target in
                    for (slot, index) in indices.enumerated() { target[slot] = source[Int(index)] }
                    return indices.count
                }
            }
        }
        switch dictionary.values {
        case .boolean(let values): gather(values, into: &booleans)
        case .int32(let values): gather(values, into: &int32s)
        case .int64(let values): gather(values, into: &int64s)
        case .float(let values): gather(values, into: &floats)
        case .double(let values): gather(values, into: &doubles)
        case .fixedLenByteArray(let values, let width):
            values.withUnsafeBytes { source in
                bytes.append(room: indices.count * width) { target in
                    for (slot, index) in indices.enumerated() {
                        (target + slot * width).update(
                            from: source.baseAddress!.assumingMemoryBound(to: UInt8.self) + Int(index) * width,
                            count: width)
                    }
                    return indices.count * width
                }
            }
        case .byteArray(let arrays):
            try gatherByteArrays(arrays, longest: dictionary.longest, indices)
        }
    }

    /// Offsets and bytes of the picked values in one pass, into room for every value at the
    /// dictionary's longest (and ``slack``, so that short values are stored 16 bytes
    /// at a time).
    private mutating func gatherByteArrays(
        _ arrays: ParquetByteArrays, longest: Int, _ indices: UnsafeBufferPointer<UInt32>
    ) throws {
        let base = Int(byteArrayEnd())
        var most = indices.count * longest
        if most > 1 << 20 {
            // Long values in the dictionary: the block's exact size, so that the room is not
            // sized (nor 2 GiB refused) for values the block does not pick.
            most = arrays.offsets.withUnsafeBufferPointer { offsets in
                indices.reduce(0) { $0 + Int(offsets[Int($1) + 1] &- offsets[Int($1)]) }
            }
        }
        guard most <= Int(Int32.max) - base else { throw overflow }
        Self.gather(arrays, indices, room: most, base: base, offsets: &offsets, bytes: &bytes)
    }

    private static func gather(
        _ arrays: ParquetByteArrays, _ indices: UnsafeBufferPointer<UInt32>, room most: Int, base: Int,
        offsets: inout OutputArray<Int32>, bytes: inout OutputArray<UInt8>
    ) {
        let padded = arrays.bytes.count >= Int(arrays.offsets.last ?? 0) + 16
        arrays.offsets.withUnsafeBufferPointer { dictionaryOffsets in
            arrays.bytes.withUnsafeBytes { source in
                let from = source.baseAddress!
                offsets.append(room: indices.count) { newOffsets in
                    bytes.append(room: most + slack) { into in
                        var end = 0
                        for (slot, index) in indices.enumerated() {
                            let start = Int(dictionaryOffsets[Int(index)])
                            let length = Int(dictionaryOffsets[Int(index) + 1]) &- start
                            if length <= 16 && padded {
                                UnsafeMutableRawPointer(into + end).storeBytes(
                                    of: (from + start).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                            } else {
                                UnsafeMutableRawPointer(into + end).copyMemory(from: from + start, byteCount: length)
                            }
                            end &+= length
                            newOffsets[slot] = Int32(truncatingIfNeeded: base &+ end)
                        }
                        return end
                    }
                    return indices.count
                }
            }
        }
    }

    /// Appends `count` PLAIN byte arrays (a 4-byte length, then the bytes, each) in one pass:
    /// each length is checked, its bytes copied and its offset written. The values of a sound
    /// page take at most its size less 4 bytes per value, which is the room made; a length
    /// that would pass it is refused before anything is copied. Nothing is committed unless
    /// every value is sound.
    mutating func appendPlainByteArrays(
        _ raw: UnsafeRawBufferPointer, count: Int, corrupt: (String, Int) -> ParquetError
    ) throws {
        guard count >= 0, count <= raw.count / 4 else {
            throw corrupt("\(count) byte arrays in \(raw.count) bytes", 0)
        }
        let base = Int(byteArrayEnd())
        try Self.copyPlain(
            raw, count: count, base: base, column: column, offsets: &offsets, bytes: &bytes, corrupt: corrupt)
    }

    private static func copyPlain(
        _ raw: UnsafeRawBufferPointer, count: Int, base: Int, column: String, offsets: inout OutputArray<Int32>,
        bytes: inout OutputArray<UInt8>, corrupt: (String, Int) -> ParquetError
    ) throws {
        // The lengths take 4 bytes each, so the values of a sound page take at most the rest;
        // 32-bit offsets allow what remains below 2 GiB. One bound, checked per value before
        // its copy, keeps every copy inside the room and every length read inside the page
        // (while the values stay within `most`, 4 bytes remain for each length still to read).
        let most = raw.count - 4 * count
        let limit = min(most, Int(Int32.max) - base)
        try offsets.append(room: count) { newOffsets in
            // Slack, so that values of up to 64 bytes are copied 16 bytes at a time (no call per
            // value) where the page holds 64 bytes from the value on.
            try bytes.append(room: most + slack) { into in
                var position = 0
                var end = 0
                for index in 0..<count {
                    let length = Int(raw.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
                    position += 4
                    guard length <= limit - end else {
                        let remaining = raw.count - position
                        if length > remaining {
                            throw corrupt("a byte array of \(length) bytes where \(remaining) remain", position)
                        }
                        if length > most - end {
                            throw corrupt(
                                "byte arrays whose lengths run past their page (\(count) values in \(raw.count) bytes)",
                                position)
                        }
                        throw overflow(column: column)
                    }
                    let target = UnsafeMutableRawPointer(into + end)
                    let source = raw.baseAddress! + position
                    if length <= slack && position + slack <= raw.count {
                        var copied = 0
                        repeat {
                            (target + copied).storeBytes(
                                of: (source + copied).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                            copied &+= 16
                        } while copied < length
                    } else {
                        target.copyMemory(from: source, byteCount: length)
                    }
                    position += length
                    end += length
                    newOffsets[index] = Int32(truncatingIfNeeded: base + end)
                }
                return end
            }
            return count
        }
    }

    /// The values gathered, as the column's physical type; the buffer is left empty.
    mutating func finish() -> ParquetColumnBatch.Values {
        switch physicalType {
        case .boolean: return .boolean(booleans.finish())
        case .int32: return .int32(int32s.finish())
        case .int64: return .int64(int64s.finish())
        case .float: return .float(floats.finish())
        case .double: return .double(doubles.finish())
        case .byteArray:
            _ = byteArrayEnd()
            return .byteArray(ParquetByteArrays(bytes: bytes.finish(), offsets: offsets.finish()))
        case .fixedLenByteArray, .int96: return .fixedLenByteArray(bytes: bytes.finish(), width: width)
        }
    }
}

/// A chunk's dictionary page as decoded, ready for ``ValueBuffer/appendGathered(_:_:)``: byte
/// arrays' bytes padded with 16 bytes, and the length of the longest.
struct PageDictionary {
    let values: ParquetColumnBatch.Values
    /// The longest byte array's length (0 for other types).
    let longest: Int
    /// The number of values.
    var count: Int { values.count }

    init(_ values: ParquetColumnBatch.Values) {
        guard case .byteArray(var arrays) = values else {
            self.values = values
            self.longest = 0
            return
        }
        arrays.bytes.append(contentsOf: repeatElement(0, count: 16))
        self.longest = arrays.offsets.withUnsafeBufferPointer { offsets in
            var longest: Int32 = 0
            for index in 0..<arrays.count { longest = max(longest, offsets[index + 1] &- offsets[index]) }
            return Int(longest)
        }
        self.values = .byteArray(arrays)
    }
}
