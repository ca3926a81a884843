#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The encoder of BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY columns: dictionary or PLAIN.
///
/// Bounds compare bytes as unsigned (strings, UUIDs), or as big-endian two's complement for
/// decimals (`signed`). In dictionary mode they are taken over the distinct values when the chunk
/// ends, so the hot loop only hashes.
struct ByteArrayValues: ValueEncoderState {
    private var mode: ParquetValueEncoding
    /// The value width of a FIXED_LEN_BYTE_ARRAY column; `nil` for BYTE_ARRAY.
    private let fixedWidth: Int?
    private let signed: Bool
    private let isString: Bool
    private let truncateLength: Int?
    private var dictionary = ByteArrayDictionary()
    private var usedDictionary = false
    private var indices: [UInt32] = []
    private var plain: [UInt8] = []
    private var minimum: [UInt8]?
    private var maximum: [UInt8]?

    init(encoding: ParquetValueEncoding, fixedWidth: Int?, signed: Bool, isString: Bool, truncateLength: Int?) {
        mode = encoding
        self.fixedWidth = fixedWidth
        self.signed = signed
        self.isString = isString
        self.truncateLength = truncateLength
    }

    var isDictionaryEncoding: Bool { mode == .dictionary }
    var dictionaryByteCount: Int { mode == .dictionary ? dictionary.plainValues.count : 0 }
    var pageByteEstimate: Int {
        mode == .dictionary
            ? indices.count * (RLEHybridEncoder.bitWidth(forMaximum: UInt32(max(dictionary.count - 1, 0))) + 1) / 8 + 1
            : plain.count
    }

    mutating func fallBackToPlain() {
        if mode == .dictionary { takeDictionaryBounds() }
        mode = .plain
    }

    mutating func append(_ values: ParquetColumnBatch.Values, from start: Int, count: Int) {
        switch values {
        case .byteArray(let arrays):
            arrays.bytes.withUnsafeBytes { bytes in
                arrays.offsets.withUnsafeBufferPointer { offsets in
                    if mode != .dictionary {
                        appendPlain(bytes: bytes, offsets: offsets, from: start, count: count)
                        return
                    }
                    appendToDictionary(count: count) { index in
                        let low = Int(offsets[start + index])
                        let high = Int(offsets[start + index + 1])
                        return UnsafeRawBufferPointer(rebasing: bytes[low..<high])
                    }
                }
            }
        case .fixedLenByteArray(let buffer, let width):
            buffer.withUnsafeBytes { bytes in
                let value = { (index: Int) -> UnsafeRawBufferPointer in
                    let low = (start + index) * width
                    return UnsafeRawBufferPointer(rebasing: bytes[low..<(low + width)])
                }
                if mode == .dictionary {
                    appendToDictionary(count: count, value)
                } else {
                    plain.append(
                        contentsOf: UnsafeRawBufferPointer(rebasing: bytes[(start * width)..<((start + count) * width)])
                    )
                    for index in 0..<count { track(value(index)) }
                }
            }
        default: preconditionFailure("batch type was validated")
        }
    }

    @inline(__always)
    private mutating func appendToDictionary(count: Int, _ value: (Int) -> UnsafeRawBufferPointer) {
        usedDictionary = true
        indices.reserveCapacity(indices.count + count)
        var previous: UnsafeRawBufferPointer?
        var previousIndex: Int32 = 0
        for index in 0..<count {
            let bytes = value(index)
            // Neighbouring rows often repeat a value (a basket's store): skip the hash then.
            if let last = previous, last.count == bytes.count,
                bytes.isEmpty || ByteArrayDictionary.equal(last.baseAddress!, bytes)
            {
                indices.append(UInt32(bitPattern: previousIndex))
                continue
            }
            previousIndex = dictionary.index(of: bytes)
            previous = bytes
            indices.append(UInt32(bitPattern: previousIndex))
        }
    }

    /// PLAIN BYTE_ARRAY values (a 4-byte length before each), written in one pass into room
    /// reserved for the whole run; bounds are taken over the run, then merged.
    private mutating func appendPlain(
        bytes: UnsafeRawBufferPointer, offsets: UnsafeBufferPointer<Int32>, from start: Int, count: Int
    ) {
        let first = Int(offsets[start])
        let total = Int(offsets[start + count]) - first + 4 * count
        let base = plain.count
        plain.append(contentsOf: repeatElement(0, count: total))
        var low = -1
        var high = -1
        plain.withUnsafeMutableBytes { output in
            var position = base
            for index in start..<(start + count) {
                let valueStart = Int(offsets[index])
                let length = Int(offsets[index + 1]) - valueStart
                output.storeBytes(of: UInt32(length).littleEndian, toByteOffset: position, as: UInt32.self)
                if length > 0 {
                    (output.baseAddress! + position + 4).copyMemory(
                        from: bytes.baseAddress! + valueStart, byteCount: length)
                }
                position += 4 + length
            }
        }
        // The run's bounds, by index, compared in place; only the winners are copied.
        func value(_ index: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: bytes[Int(offsets[index])..<Int(offsets[index + 1])])
        }
        for index in start..<(start + count) {
            if low < 0 {
                low = index
                high = index
                continue
            }
            let candidate = value(index)
            if precedes(candidate, value(low)) {
                low = index
            } else if precedes(value(high), candidate) {
                high = index
            }
        }
        if low >= 0 {
            track(value(low))
            track(value(high))
        }
    }

    /// Whether `left` sorts before `right` in the column's order.
    private func precedes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        if signed, let first = left.first, let other = right.first, first != other {
            return Int8(bitPattern: first) < Int8(bitPattern: other)
        }
        let common = min(left.count, right.count)
        if common >= 8 {
            let leftWord = left.loadUnaligned(as: UInt64.self).bigEndian
            let rightWord = right.loadUnaligned(as: UInt64.self).bigEndian
            if leftWord != rightWord { return leftWord < rightWord }
        }
        if common > 0 {
            let order = memcmp(left.baseAddress!, right.baseAddress!, common)
            if order != 0 { return order < 0 }
        }
        return left.count < right.count
    }

    private mutating func track(_ bytes: UnsafeRawBufferPointer) {
        guard let low = minimum, let high = maximum else {
            minimum = Array(bytes)
            maximum = Array(bytes)
            return
        }
        if low.withUnsafeBytes({ precedes(bytes, $0) }) { minimum = Array(bytes) }
        if high.withUnsafeBytes({ precedes($0, bytes) }) { maximum = Array(bytes) }
    }

    /// Folds the dictionary's values into the bounds (each distinct value once).
    private mutating func takeDictionaryBounds() {
        guard usedDictionary else { return }
        for index in 0..<dictionary.count {
            let value = dictionary.value(at: index)
            value.withUnsafeBytes { track($0) }
        }
    }

    mutating func finishPage(into output: inout [UInt8]) -> Int32 {
        if mode == .dictionary && !indices.isEmpty {
            let width = max(RLEHybridEncoder.bitWidth(forMaximum: UInt32(max(dictionary.count - 1, 0))), 1)
            output.append(UInt8(width))
            indices.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: &output) }
            indices.removeAll(keepingCapacity: true)
            return EncodingID.rleDictionary
        }
        output.append(contentsOf: plain)  // empty for a dictionary page of nulls only
        plain.removeAll(keepingCapacity: true)
        return EncodingID.plain
    }

    func dictionaryPage() -> (count: Int, bytes: [UInt8])? {
        guard usedDictionary else { return nil }
        guard fixedWidth != nil else { return (dictionary.count, dictionary.plainValues) }
        // FIXED_LEN_BYTE_ARRAY's PLAIN has no length prefixes.
        var bytes: [UInt8] = []
        for index in 0..<dictionary.count { bytes.append(contentsOf: dictionary.value(at: index)) }
        return (dictionary.count, bytes)
    }

    mutating func bounds() -> ValueBounds? {
        if mode == .dictionary { takeDictionaryBounds() }
        guard let minimum, let maximum else { return nil }
        var bounds = ValueBounds(min: minimum, max: maximum)
        if let limit = truncateLength, fixedWidth == nil {
            StatisticsTruncation.truncate(&bounds, to: limit, isString: isString)
        }
        return bounds
    }
}

/// The BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY encoder.
final class ByteArrayEncoder: StatefulValueEncoder {
    var state: ByteArrayValues
    init(encoding: ParquetValueEncoding, fixedWidth: Int?, signed: Bool, isString: Bool, truncateLength: Int?) {
        state = ByteArrayValues(
            encoding: encoding, fixedWidth: fixedWidth, signed: signed, isString: isString,
            truncateLength: truncateLength)
    }
}
