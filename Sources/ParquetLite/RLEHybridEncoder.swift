/// The RLE / bit-packing hybrid of Parquet's definition levels and dictionary indices.
///
/// Values are taken in groups of 8. A group of 8 equal values opens an RLE run (a varint header
/// `count << 1`, then the value in ⌈bitWidth/8⌉ little-endian bytes), which then grows value by
/// value while they stay equal. Other groups go into bit-packed runs (header `groups << 1 | 1`,
/// values packed least-significant bit first). Only the last group of a stream may be partial; it
/// is padded with zeros, and readers stop at the number of values they expect.
struct RLEHybridEncoder {
    let bitWidth: Int
    private(set) var bytes: [UInt8] = []
    private var group: [UInt32] = []
    private var literals: [UInt32] = []
    private var runValue: UInt32 = 0
    private var runLength = 0

    init(bitWidth: Int) {
        precondition((0...32).contains(bitWidth), "bit width \(bitWidth) is outside 0...32")
        self.bitWidth = bitWidth
        group.reserveCapacity(8)
    }

    mutating func append(_ value: UInt32) {
        if runLength > 0 {
            if value == runValue {
                runLength += 1
                return
            }
            flushRun()
        }
        group.append(value)
        guard group.count == 8 else { return }
        if group.allSatisfy({ $0 == group[0] }) {
            flushLiterals()
            runValue = group[0]
            runLength = 8
        } else {
            literals.append(contentsOf: group)
        }
        group.removeAll(keepingCapacity: true)
    }

    /// Writes everything still held and returns the encoded bytes.
    mutating func finish() -> [UInt8] {
        if runLength > 0 { flushRun() }
        if !group.isEmpty {
            literals.append(contentsOf: group)
            while literals.count % 8 != 0 { literals.append(0) }
            group.removeAll()
        }
        flushLiterals()
        return bytes
    }

    private mutating func flushRun() {
        writeVarint(UInt64(runLength) << 1)
        var value = runValue
        for _ in 0..<((bitWidth + 7) / 8) {
            bytes.append(UInt8(truncatingIfNeeded: value))
            value >>= 8
        }
        runLength = 0
    }

    /// Writes the literal groups as bit-packed runs (at most 63 groups per one-byte header).
    private mutating func flushLiterals() {
        var start = 0
        while start < literals.count {
            let groups = min((literals.count - start) / 8, 63)
            writeVarint(UInt64(groups) << 1 | 1)
            appendBitPacked(literals[start..<(start + groups * 8)].lazy.map(UInt64.init), width: bitWidth, to: &bytes)
            start += groups * 8
        }
        literals.removeAll(keepingCapacity: true)
    }

    private mutating func writeVarint(_ value: UInt64) { appendVarint(value, to: &bytes) }
}
