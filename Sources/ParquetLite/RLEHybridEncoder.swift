/// The RLE / bit-packing hybrid of Parquet's definition levels and dictionary indices.
///
/// A run of at least 8 equal values becomes an RLE run (a varint header `count << 1`, then the
/// value in ⌈bitWidth/8⌉ little-endian bytes); everything between such runs goes into bit-packed
/// runs (header `groups << 1 | 1`, values packed least-significant bit first in groups of 8).
/// Only the last bit-packed run of a stream may end in a partial group; it is padded with zeros,
/// and readers stop at the number of values they expect.
struct RLEHybridEncoder {
    let bitWidth: Int
    private var values: [UInt32] = []

    init(bitWidth: Int) {
        precondition((0...32).contains(bitWidth), "bit width \(bitWidth) is outside 0...32")
        self.bitWidth = bitWidth
    }

    mutating func append(_ value: UInt32) { values.append(value) }

    /// The encoded values.
    func finish() -> [UInt8] {
        var bytes: [UInt8] = []
        values.withUnsafeBufferPointer { Self.encode($0, bitWidth: bitWidth, into: &bytes) }
        return bytes
    }

    /// Appends `values` RLE/bit-packed at `bitWidth` bits each to `output`, in one pass.
    ///
    /// - Complexity: O(`values.count`).
    static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth: Int, into output: inout [UInt8]) {
        let count = values.count
        var literalStart = 0  // first value not yet written
        var index = 0
        while index < count {
            let value = values[index]
            var runEnd = index + 1
            while runEnd < count && values[runEnd] == value { runEnd += 1 }
            // Literal runs hold whole groups of 8, so a run first tops up the pending group.
            let pad = runEnd - index < 8 ? 0 : (8 - (index - literalStart) % 8) % 8
            if runEnd - index - pad >= 8 {
                let literalEnd = index + pad
                if literalEnd > literalStart {
                    writeBitPacked(values, from: literalStart, to: literalEnd, bitWidth: bitWidth, into: &output)
                }
                appendVarint(UInt64(runEnd - literalEnd) << 1, to: &output)
                var remaining = value
                for _ in 0..<((bitWidth + 7) / 8) {
                    output.append(UInt8(truncatingIfNeeded: remaining))
                    remaining >>= 8
                }
                literalStart = runEnd
            }
            index = runEnd
        }
        if literalStart < count {
            writeBitPacked(values, from: literalStart, to: count, bitWidth: bitWidth, into: &output)
        }
    }

    /// One bit-packed run of `values[start..<end]`, zero-padded to a whole group of 8.
    private static func writeBitPacked(
        _ values: UnsafeBufferPointer<UInt32>, from start: Int, to end: Int, bitWidth: Int, into output: inout [UInt8]
    ) {
        let groups = (end - start + 7) / 8
        appendVarint(UInt64(groups) << 1 | 1, to: &output)
        guard bitWidth > 0 else { return }
        let byteCount = groups * bitWidth  // 8 values of bitWidth bits each per group
        let base = output.count
        output.append(contentsOf: repeatElement(0, count: byteCount))
        output.withUnsafeMutableBytes { buffer in
            // Bits gather in a word and leave it 32 at a time; the last few byte by byte. The
            // bytes were zeroed, so the last group's padding is already zero.
            var accumulator: UInt64 = 0
            var bits = 0
            var position = base
            for index in start..<end {
                accumulator |= UInt64(values[index]) << UInt64(bits)
                bits += bitWidth
                if bits >= 32 {
                    buffer.storeBytes(
                        of: UInt32(truncatingIfNeeded: accumulator).littleEndian, toByteOffset: position,
                        as: UInt32.self)
                    position += 4
                    accumulator >>= 32
                    bits -= 32
                }
            }
            while bits > 0 {
                buffer[position] = UInt8(truncatingIfNeeded: accumulator)
                position += 1
                accumulator >>= 8
                bits -= 8
            }
        }
    }

    /// The bits needed for values up to `maximum`.
    static func bitWidth(forMaximum maximum: UInt32) -> Int { maximum == 0 ? 0 : 32 - maximum.leadingZeroBitCount }
}
