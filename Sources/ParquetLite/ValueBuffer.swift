/// The values of a column chunk as its pages are decoded: one typed array per physical type,
/// appended to in place (each page's values are copied once, and the arrays grow geometrically).
struct ValueBuffer {
    private(set) var booleans: [Bool] = []
    private(set) var int32s: [Int32] = []
    private(set) var int64s: [Int64] = []
    private(set) var floats: [Float] = []
    private(set) var doubles: [Double] = []
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [Int32] = [0]
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
    /// caller bounds both by what the file's size makes plausible.
    mutating func reserve(values count: Int, bytes byteCount: Int) {
        switch physicalType {
        case .boolean: booleans.reserveCapacity(count)
        case .int32: int32s.reserveCapacity(count)
        case .int64: int64s.reserveCapacity(count)
        case .float: floats.reserveCapacity(count)
        case .double: doubles.reserveCapacity(count)
        case .fixedLenByteArray, .int96: bytes.reserveCapacity(count * width)
        case .byteArray:
            offsets.reserveCapacity(count + 1)
            bytes.reserveCapacity(byteCount + 16)
        }
    }

    /// Appends a page's values, which hold this buffer's physical type.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/unsupportedFeature`` when byte arrays
    ///   would pass the 2 GiB their 32-bit offsets can address.
    mutating func append(_ values: ParquetColumnBatch.Values) throws {
        switch values {
        case .boolean(let more): Self.append(more, to: &booleans)
        case .int32(let more): Self.append(more, to: &int32s)
        case .int64(let more): Self.append(more, to: &int64s)
        case .float(let more): Self.append(more, to: &floats)
        case .double(let more): Self.append(more, to: &doubles)
        case .fixedLenByteArray(let more, _): Self.append(more, to: &bytes)
        case .byteArray(let more):
            guard more.bytes.count <= Int(Int32.max) - bytes.count else {
                throw ParquetError(
                    code: .unsupportedFeature,
                    message:
                        "column '\(column)': over 2 GiB of byte arrays in one vector; read fewer row groups at once",
                    column: column)
            }
            if bytes.isEmpty && offsets.count == 1 && bytes.capacity < more.bytes.count {
                bytes = more.bytes
                offsets = more.offsets
            } else {
                let base = Int32(bytes.count)
                Self.append(more.bytes, to: &bytes)
                appendOffsets(more.offsets.count - 1) { new in
                    more.offsets.withUnsafeBufferPointer { source in
                        for index in 0..<new.count { new[index] = source[index + 1] &+ base }
                    }
                }
            }
        }
    }

    /// Extends `offsets` by `count` entries that `fill` writes.
    private mutating func appendOffsets(_ count: Int, _ fill: (UnsafeMutableBufferPointer<Int32>) -> Void) {
        let start = offsets.count
        offsets.append(contentsOf: repeatElement(0, count: count))
        offsets.withUnsafeMutableBufferPointer { fill(UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }

    /// Appends the dictionary's values at `indices`, which were checked against its size. Byte
    /// arrays of up to 16 bytes are copied with one 16-byte load and store each, which is why
    /// ``paddedDictionary(_:)`` pads a dictionary's bytes.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/unsupportedFeature`` when byte arrays
    ///   would pass 2 GiB.
    mutating func appendGathered(_ dictionary: ParquetColumnBatch.Values, _ indices: UnsafeBufferPointer<UInt32>) throws
    {
        func gather<T>(_ values: [T], into array: inout [T]) {
            let start = array.count
            guard let first = values.first else { return }
            array.append(contentsOf: repeatElement(first, count: indices.count))
            array.withUnsafeMutableBufferPointer { target in
                values.withUnsafeBufferPointer { source in
                    for (slot, index) in indices.enumerated() { target[start + slot] = source[Int(index)] }
                }
            }
        }
        switch dictionary {
        case .boolean(let values): gather(values, into: &booleans)
        case .int32(let values): gather(values, into: &int32s)
        case .int64(let values): gather(values, into: &int64s)
        case .float(let values): gather(values, into: &floats)
        case .double(let values): gather(values, into: &doubles)
        case .fixedLenByteArray(let values, let width):
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: indices.count * width))
            bytes.withUnsafeMutableBytes { target in
                values.withUnsafeBytes { source in
                    for (slot, index) in indices.enumerated() {
                        (target.baseAddress! + start + slot * width).copyMemory(
                            from: source.baseAddress! + Int(index) * width, byteCount: width)
                    }
                }
            }
        case .byteArray(let arrays):
            try gatherByteArrays(arrays, indices)
        }
    }

    private mutating func gatherByteArrays(_ arrays: ParquetByteArrays, _ indices: UnsafeBufferPointer<UInt32>) throws {
        let base = bytes.count
        var total = 0
        let padded = arrays.bytes.count >= Int(arrays.offsets.last ?? 0) + 16
        try arrays.offsets.withUnsafeBufferPointer { dictionaryOffsets in
            // Offsets first, which sizes the bytes.
            var position = base
            var overflow = false
            appendOffsets(indices.count) { new in
                for (slot, index) in indices.enumerated() {
                    position += Int(dictionaryOffsets[Int(index) + 1] &- dictionaryOffsets[Int(index)])
                    if position > Int(Int32.max) { overflow = true }
                    new[slot] = Int32(truncatingIfNeeded: position)
                }
            }
            guard !overflow else {
                throw ParquetError(
                    code: .unsupportedFeature,
                    message:
                        "column '\(column)': over 2 GiB of byte arrays in one vector; read fewer row groups at once",
                    column: column)
            }
            total = position - base
            // 16 bytes of slack so that short values can be stored 16 bytes at a time.
            bytes.append(contentsOf: repeatElement(0, count: total + 16))
            bytes.withUnsafeMutableBytes { target in
                arrays.bytes.withUnsafeBytes { source in
                    guard let into = target.baseAddress, let from = source.baseAddress else { return }
                    var at = base
                    for index in indices {
                        let start = Int(dictionaryOffsets[Int(index)])
                        let length = Int(dictionaryOffsets[Int(index) + 1]) - start
                        if length <= 16 && padded {
                            (into + at).storeBytes(
                                of: (from + start).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                        } else {
                            (into + at).copyMemory(from: from + start, byteCount: length)
                        }
                        at += length
                    }
                }
            }
            bytes.removeLast(16)
        }
    }

    /// Appends `count` PLAIN byte arrays (a 4-byte length, then the bytes, each): one pass checks
    /// the lengths and writes the offsets, a second copies the bytes.
    mutating func appendPlainByteArrays(
        _ raw: UnsafeRawBufferPointer, count: Int, corrupt: (String, Int) -> ParquetError
    ) throws {
        guard count >= 0, count <= raw.count / 4 else {
            throw corrupt("\(count) byte arrays in \(raw.count) bytes", 0)
        }
        let base = bytes.count
        let column = self.column
        var end = base
        var fault: ParquetError?
        appendOffsets(count) { new in
            var position = 0
            for index in 0..<count {
                guard raw.count - position >= 4 else {
                    fault = corrupt("a byte array's length is cut off", position)
                    return
                }
                let length = Int(raw.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
                position += 4
                guard length <= raw.count - position else {
                    fault = corrupt("a byte array of \(length) bytes where \(raw.count - position) remain", position)
                    return
                }
                position += length
                end += length
                guard end <= Int(Int32.max) else {
                    fault = ParquetError(
                        code: .unsupportedFeature,
                        message:
                            "column '\(column)': over 2 GiB of byte arrays in one vector; read fewer row groups at once",
                        column: column)
                    return
                }
                new[index] = Int32(end)
            }
        }
        if let fault {
            offsets.removeLast(count)
            throw fault
        }
        bytes.append(contentsOf: repeatElement(0, count: end - base))
        let lengths = offsets
        bytes.withUnsafeMutableBytes { target in
            guard let into = target.baseAddress, let from = raw.baseAddress else { return }
            var source = 4
            var at = base
            lengths.withUnsafeBufferPointer { offsets in
                let first = offsets.count - count
                var previous = Int(offsets[first - 1])
                for index in first..<offsets.count {
                    let length = Int(offsets[index]) - previous
                    (into + at).copyMemory(from: from + source, byteCount: length)
                    at += length
                    source += length + 4
                    previous = Int(offsets[index])
                }
            }
        }
    }

    /// A dictionary as decoded, with 16 bytes of padding after byte arrays' bytes for
    /// ``appendGathered(_:_:)``.
    static func paddedDictionary(_ values: ParquetColumnBatch.Values) -> ParquetColumnBatch.Values {
        guard case .byteArray(var arrays) = values else { return values }
        arrays.bytes.append(contentsOf: repeatElement(0, count: 16))
        return .byteArray(arrays)
    }

    private static func append<T>(_ more: [T], to array: inout [T]) {
        if array.isEmpty && array.capacity < more.count { array = more } else { array.append(contentsOf: more) }
    }

    /// The values gathered, as the column's physical type.
    func values() -> ParquetColumnBatch.Values {
        switch physicalType {
        case .boolean: .boolean(booleans)
        case .int32: .int32(int32s)
        case .int64: .int64(int64s)
        case .float: .float(floats)
        case .double: .double(doubles)
        case .byteArray: .byteArray(ParquetByteArrays(bytes: bytes, offsets: offsets))
        case .fixedLenByteArray, .int96: .fixedLenByteArray(bytes: bytes, width: width)
        }
    }
}
