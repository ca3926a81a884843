/// Decodes DELTA_BINARY_PACKED (INT32 and INT64) from untrusted bytes, checking every header
/// against the bytes left: block sizes, miniblock counts, bit widths (at most the value width)
/// and the value count (at most what the page can hold).
enum DeltaBinaryPackedDecoder {
    /// Decodes the values at the start of `bytes`; returns them and the bytes they took.
    ///
    /// - Parameters:
    ///   - valueBits: 32 for INT32 (arithmetic wraps in 32 bits), 64 for INT64.
    ///   - maximumCount: the most values the page can hold; a header claiming more is corrupt.
    static func decode(_ bytes: UnsafeRawBufferPointer, valueBits: Int, maximumCount: Int) throws -> (
        values: [Int64], consumed: Int
    ) {
        var position = 0
        func corrupt(_ why: String) -> ParquetError {
            ParquetError(
                code: .corruptMetadata, message: "corrupt DELTA_BINARY_PACKED data: \(why)", byteOffset: position)
        }
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count else { throw corrupt("it ends inside a header") }
                let byte = bytes[position]
                position += 1
                guard shift < 64 else { throw corrupt("a varint longer than 64 bits") }
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func zigzag() throws -> Int64 {
            let raw = try varint()
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }
        let blockSize = try varint()
        let miniblocks = try varint()
        let total = try varint()
        let first = try zigzag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
            (blockSize / miniblocks) % 32 == 0
        else {
            throw corrupt("block size \(blockSize) with \(miniblocks) miniblocks")
        }
        guard total <= UInt64(maximumCount) else {
            throw corrupt("\(total) values in a page of at most \(maximumCount)")
        }
        let count = Int(total)
        let miniblockSize = Int(blockSize / miniblocks)
        var values: [Int64] = []
        values.reserveCapacity(count)
        if count == 0 { return (values, position) }
        values.append(first)
        var previous = first
        var widths = [Int](repeating: 0, count: Int(miniblocks))
        while values.count < count {
            let minimum = try zigzag()
            guard position + widths.count <= bytes.count else { throw corrupt("it ends inside a block header") }
            for index in 0..<widths.count {
                widths[index] = Int(bytes[position + index])
                guard widths[index] <= valueBits else { throw corrupt("bit width \(widths[index]) over \(valueBits)") }
            }
            position += widths.count
            for width in widths where values.count < count {
                let runBytes = miniblockSize * width / 8
                guard position + runBytes <= bytes.count else { throw corrupt("a miniblock cut off") }
                var accumulator: UInt64 = 0
                var bits = 0
                var cursor = position
                for _ in 0..<miniblockSize where values.count < count {
                    // Gather `width` bits, least-significant first (up to 64, which may span 9 bytes).
                    var delta: UInt64 = 0
                    var filled = 0
                    while filled < width {
                        if bits == 0 {
                            accumulator = UInt64(bytes[cursor])
                            cursor += 1
                            bits = 8
                        }
                        let take = min(width - filled, bits)
                        let mask: UInt64 = take == 64 ? .max : (1 << UInt64(take)) - 1
                        delta |= (accumulator & mask) << UInt64(filled)
                        accumulator = take == 64 ? 0 : accumulator >> UInt64(take)
                        bits -= take
                        filled += take
                    }
                    var next = previous &+ minimum &+ Int64(bitPattern: delta)
                    if valueBits == 32 { next = Int64(Int32(truncatingIfNeeded: next)) }
                    values.append(next)
                    previous = next
                }
                position += runBytes
            }
        }
        return (values, position)
    }
}
