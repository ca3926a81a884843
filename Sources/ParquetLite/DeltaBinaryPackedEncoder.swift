/// Parquet's DELTA_BINARY_PACKED encoding of INT32 and INT64 values.
///
/// Header: block size (128), miniblocks per block (4), value count, first value (zigzag), all
/// ULEB128. Then per block of 128 deltas: the minimum delta (zigzag), one bit width per miniblock
/// of 32, and each miniblock's `delta - minimum` bit-packed least-significant bit first. A last
/// partial block is padded with zeros; unused miniblocks get width 0 and no bytes.
struct DeltaBinaryPackedEncoder {
    static let blockSize = 128
    static let miniblocksPerBlock = 4
    static let miniblockSize = 32

    /// 32 for INT32 columns, whose deltas wrap in 32 bits (so no bit width exceeds 32), else 64.
    let valueBits: Int
    private var first: Int64?
    private var previous: Int64 = 0
    private var count = 0
    private var deltas: [Int64] = []
    private var body: [UInt8] = []

    init(valueBits: Int = 64) {
        precondition(valueBits == 32 || valueBits == 64, "DELTA_BINARY_PACKED takes 32- or 64-bit values")
        self.valueBits = valueBits
        deltas.reserveCapacity(Self.blockSize)
    }

    mutating func append(_ value: Int64) {
        count += 1
        guard first != nil else {
            first = value
            previous = value
            return
        }
        // Deltas wrap as the spec's two's-complement arithmetic does, in the column's width.
        let delta = value &- previous
        deltas.append(valueBits == 32 ? Int64(Int32(truncatingIfNeeded: delta)) : delta)
        previous = value
        if deltas.count == Self.blockSize { flushBlock() }
    }

    /// The encoded values: header, then every block.
    mutating func finish() -> [UInt8] {
        if !deltas.isEmpty { flushBlock() }
        var output: [UInt8] = []
        output.reserveCapacity(body.count + 16)
        appendVarint(UInt64(Self.blockSize), to: &output)
        appendVarint(UInt64(Self.miniblocksPerBlock), to: &output)
        appendVarint(UInt64(count), to: &output)
        appendVarint(zigzag(first ?? 0), to: &output)
        output.append(contentsOf: body)
        return output
    }

    private mutating func flushBlock() {
        let minimum = deltas.min() ?? 0
        appendVarint(zigzag(minimum), to: &body)
        let used = deltas.count
        // Relative deltas fit in 64 bits unsigned even when the deltas span the whole range.
        let relative = deltas.map {
            valueBits == 32 ? UInt64(UInt32(truncatingIfNeeded: $0 &- minimum)) : UInt64(bitPattern: $0 &- minimum)
        }
        var widths: [Int] = []
        for miniblock in 0..<Self.miniblocksPerBlock {
            let start = miniblock * Self.miniblockSize
            if start >= used {
                widths.append(0)
                continue
            }
            let maximum = relative[start..<min(start + Self.miniblockSize, used)].max() ?? 0
            widths.append(maximum == 0 ? 0 : 64 - maximum.leadingZeroBitCount)
        }
        for width in widths { body.append(UInt8(width)) }
        for (miniblock, width) in widths.enumerated() {
            let start = miniblock * Self.miniblockSize
            guard start < used, width > 0 else { continue }
            let values = (start..<(start + Self.miniblockSize)).lazy.map { $0 < used ? relative[$0] : 0 }
            appendBitPacked(values, width: width, to: &body)
        }
        deltas.removeAll(keepingCapacity: true)
    }
}
