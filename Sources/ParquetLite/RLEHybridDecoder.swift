/// Decodes the RLE / bit-packing hybrid (definition and repetition levels, dictionary indices,
/// RLE booleans) from untrusted bytes.
///
/// Every run is checked against the bytes left and the values still expected, so a corrupt
/// header can neither read past the buffer nor make the decoder allocate more than `count`
/// values. A bit-packed run may hold more values than needed (its last group is padded).
enum RLEHybridDecoder {
    /// Decodes `count` values of `bitWidth` bits (0...32) from `bytes[range]`.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` for a bit width
    ///   over 32, a truncated run, or runs that end before `count` values.
    static func decode(
        _ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int, what: String = "RLE/bit-packed data"
    ) throws -> [UInt32] {
        try decode(bytes, bitWidth: bitWidth, count: count, what: what, as: UInt32.self)
    }

    /// Decodes `count` values of `bitWidth` bits into `T` (levels fit `UInt8`; values wider than
    /// `T` are rejected).
    static func decode<T: FixedWidthInteger & UnsignedInteger>(
        _ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int, what: String, as _: T.Type
    ) throws -> [T] {
        func corrupt(_ why: String, at position: Int) -> ParquetError {
            ParquetError(code: .corruptMetadata, message: "corrupt \(what): \(why)", byteOffset: position)
        }
        guard (0...32).contains(bitWidth) else { throw corrupt("bit width \(bitWidth) is over 32", at: 0) }
        guard bitWidth <= T.bitWidth else {
            throw corrupt("bit width \(bitWidth) is over the \(T.bitWidth) bits its values may have", at: 0)
        }
        guard count >= 0 else { throw corrupt("a negative value count", at: 0) }
        return try [T](unsafeUninitializedCapacity: count) { output, initialized in
            guard count > 0, let out = output.baseAddress else { return }
            var filled = 0
            defer { initialized = filled }
            var position = 0
            let valueBytes = (bitWidth + 7) / 8
            let mask: UInt64 = (1 << UInt64(bitWidth)) &- 1
            while filled < count {
                // The run header: a ULEB128 varint.
                var header: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    guard position < bytes.count else {
                        throw corrupt("it ends after \(filled) of \(count) values", at: position)
                    }
                    let byte = bytes[position]
                    position += 1
                    guard shift < 64 else { throw corrupt("a run header longer than 64 bits", at: position) }
                    header |= UInt64(byte & 0x7F) << shift
                    if byte & 0x80 == 0 { break }
                    shift += 7
                }
                let wanted = count - filled
                if header & 1 == 0 {
                    let runLength = header >> 1
                    guard runLength > 0 else { throw corrupt("an empty RLE run", at: position) }
                    guard position + valueBytes <= bytes.count else {
                        throw corrupt("an RLE run's value is cut off", at: position)
                    }
                    var value: UInt64 = 0
                    for index in 0..<valueBytes { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
                    position += valueBytes
                    guard value & ~mask == 0 else {
                        throw corrupt("an RLE value wider than \(bitWidth) bits", at: position)
                    }
                    let take = Int(min(runLength, UInt64(wanted)))
                    (out + filled).initialize(repeating: T(truncatingIfNeeded: value), count: take)
                    filled += take
                } else {
                    let groups = header >> 1
                    guard groups > 0, groups <= UInt64(bytes.count) else {
                        throw corrupt("a bit-packed run of \(groups) groups", at: position)
                    }
                    let runBytes = Int(groups) * bitWidth
                    guard position + runBytes <= bytes.count else {
                        throw corrupt(
                            "a bit-packed run of \(runBytes) bytes where \(bytes.count - position) remain", at: position
                        )
                    }
                    let take = min(Int(groups) * 8, wanted)
                    unpack(bytes, from: position, bitWidth: bitWidth, mask: mask, count: take, into: out + filled)
                    filled += take
                    position += runBytes
                }
            }
        }
    }

    /// Unpacks `count` little-endian bit-packed values starting at byte `start` (the run's bytes
    /// were checked to be present). Where 8 bytes can be loaded at once, each value is one
    /// unaligned load and a shift.
    @inline(__always)
    private static func unpack<T: FixedWidthInteger & UnsignedInteger>(
        _ bytes: UnsafeRawBufferPointer, from start: Int, bitWidth: Int, mask: UInt64, count: Int,
        into out: UnsafeMutablePointer<T>
    ) {
        guard bitWidth > 0 else {
            out.initialize(repeating: 0, count: count)
            return
        }
        var bit = start * 8
        var index = 0
        // Fast path: an 8-byte load covers any value of up to 32 bits at any bit offset.
        let fastEnd = (bytes.count - 8) * 8
        while index < count && bit <= fastEnd {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
            (out + index).initialize(to: T(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask))
            bit += bitWidth
            index += 1
        }
        while index < count {
            var value: UInt64 = 0
            var got = 0
            var cursor = bit
            while got < bitWidth {
                let byte = UInt64(bytes[cursor >> 3]) >> UInt64(cursor & 7)
                let take = min(8 - (cursor & 7), bitWidth - got)
                value |= (byte & ((1 << UInt64(take)) - 1)) << UInt64(got)
                got += take
                cursor += take
            }
            (out + index).initialize(to: T(truncatingIfNeeded: value))
            bit += bitWidth
            index += 1
        }
    }
}

extension RLEHybridDecoder {
    /// Decodes `count` values of `bitWidth` bits (0...32) in the deprecated BIT_PACKED encoding
    /// of levels: packed from the most significant bit of each byte down, without run headers.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` for a bit width
    ///   over 32 or fewer than ⌈count × bitWidth / 8⌉ bytes.
    static func decodeBitPacked(
        _ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int, what: String = "BIT_PACKED data"
    ) throws -> [UInt32] {
        guard (0...32).contains(bitWidth), count >= 0 else {
            throw ParquetError(
                code: .corruptMetadata, message: "corrupt \(what): bit width \(bitWidth) for \(count) values")
        }
        guard count <= bytes.count * 8 / max(bitWidth, 1) || bitWidth == 0 else {
            throw ParquetError(
                code: .corruptMetadata,
                message: "corrupt \(what): \(count) values of \(bitWidth) bits in \(bytes.count) bytes")
        }
        guard bitWidth > 0 else { return [UInt32](repeating: 0, count: count) }
        var values: [UInt32] = []
        values.reserveCapacity(count)
        var bit = 0
        for _ in 0..<count {
            var value: UInt32 = 0
            for _ in 0..<bitWidth {
                value = value << 1 | UInt32(bytes[bit >> 3] >> UInt8(7 - bit & 7) & 1)
                bit += 1
            }
            values.append(value)
        }
        return values
    }
}
