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
        func corrupt(_ why: String, at position: Int) -> ParquetError {
            ParquetError(code: .corruptMetadata, message: "corrupt \(what): \(why)", byteOffset: position)
        }
        guard (0...32).contains(bitWidth) else { throw corrupt("bit width \(bitWidth) is over 32", at: 0) }
        guard count >= 0 else { throw corrupt("a negative value count", at: 0) }
        var values: [UInt32] = []
        values.reserveCapacity(count)
        var position = 0
        let valueBytes = (bitWidth + 7) / 8
        while values.count < count {
            // The run header: a ULEB128 varint.
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count else {
                    throw corrupt("it ends after \(values.count) of \(count) values", at: position)
                }
                let byte = bytes[position]
                position += 1
                guard shift < 64 else { throw corrupt("a run header longer than 64 bits", at: position) }
                header |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            let wanted = count - values.count
            if header & 1 == 0 {
                let runLength = header >> 1
                guard runLength > 0 else { throw corrupt("an empty RLE run", at: position) }
                guard position + valueBytes <= bytes.count else {
                    throw corrupt("an RLE run's value is cut off", at: position)
                }
                var value: UInt32 = 0
                for index in 0..<valueBytes { value |= UInt32(bytes[position + index]) << (8 * UInt32(index)) }
                position += valueBytes
                guard bitWidth == 32 || value >> UInt32(bitWidth) == 0 else {
                    throw corrupt("an RLE value wider than \(bitWidth) bits", at: position)
                }
                values.append(contentsOf: repeatElement(value, count: Int(min(runLength, UInt64(wanted)))))
            } else {
                let groups = header >> 1
                guard groups > 0, groups <= UInt64(bytes.count) else {
                    throw corrupt("a bit-packed run of \(groups) groups", at: position)
                }
                let runBytes = Int(groups) * bitWidth
                guard position + runBytes <= bytes.count else {
                    throw corrupt(
                        "a bit-packed run of \(runBytes) bytes where \(bytes.count - position) remain", at: position)
                }
                let take = min(Int(groups) * 8, wanted)
                let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
                var accumulator: UInt64 = 0
                var bits = 0
                var cursor = position
                for _ in 0..<take {
                    while bits < bitWidth {
                        accumulator |= UInt64(bytes[cursor]) << UInt64(bits)
                        cursor += 1
                        bits += 8
                    }
                    values.append(UInt32(truncatingIfNeeded: accumulator & mask))
                    accumulator = bitWidth == 64 ? 0 : accumulator >> UInt64(bitWidth)
                    bits -= bitWidth
                }
                position += runBytes
            }
        }
        return values
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
