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
        var reader = try RLEHybridReader(bytes, bitWidth: bitWidth, count: count, what: what)
        guard bitWidth <= T.bitWidth else {
            throw reader.corrupt("bit width \(bitWidth) is over the \(T.bitWidth) bits its values may have", at: 0)
        }
        return try [T](unsafeUninitializedCapacity: count) { output, initialized in
            guard count > 0, let out = output.baseAddress else { return }
            try reader.read(into: out, count: count)
            initialized = count
        }
    }

    /// Unpacks `count` little-endian bit-packed values starting at bit `start` (the run's bytes
    /// were checked to be present). Where 8 bytes can be loaded at once, each value is one
    /// unaligned load and a shift.
    @inline(__always)
    static func unpack<T: FixedWidthInteger & UnsignedInteger>(
        _ bytes: UnsafeRawBufferPointer, fromBit start: Int, bitWidth: Int, mask: UInt64, count: Int,
        into out: UnsafeMutablePointer<T>
    ) {
        guard bitWidth > 0 else {
            out.initialize(repeating: 0, count: count)
            return
        }
        var bit = start
        var index = 0
        // Fast path: an 8-byte load covers any value of up to 32 bits at any bit offset. The
        // values whose load stays inside the buffer are counted first, then unpacked 8 at a
        // time (a group of 8 is `bitWidth` whole bytes) without a check per value.
        let fastEnd = (bytes.count - 8) * 8
        if bit <= fastEnd, let base = bytes.baseAddress {
            /// The value starting at bit `at`, with one 8-byte load.
            @inline(__always) func value(at: Int) -> T {
                let word = UInt64(littleEndian: (base + (at >> 3)).loadUnaligned(as: UInt64.self))
                return T(truncatingIfNeeded: (word >> UInt64(at & 7)) & mask)
            }
            let fast = Swift.min(count, (fastEnd - bit) / bitWidth + 1)
            while index + 8 <= fast {
                for lane in 0..<8 { (out + index + lane).initialize(to: value(at: bit &+ lane &* bitWidth)) }
                bit &+= bitWidth &* 8
                index &+= 8
            }
            while index < fast {
                (out + index).initialize(to: value(at: bit))
                bit += bitWidth
                index += 1
            }
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
