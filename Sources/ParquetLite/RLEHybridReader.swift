/// Reads the RLE / bit-packing hybrid a piece at a time, so that a caller can decode a page's
/// values in blocks that stay in cache (dictionary indices gathered block by block) instead of
/// into one array of the whole page.
///
/// Every run is checked against the bytes left and the values still expected when it starts,
/// so a corrupt header can neither read past the buffer nor produce more than `count` values.
/// A bit-packed run may hold more values than needed (its last group is padded).
struct RLEHybridReader {
    private let bytes: UnsafeRawBufferPointer
    private let bitWidth: Int
    private let valueBytes: Int
    private let mask: UInt64
    private let what: String
    /// The byte after the last run header read.
    private var position = 0
    /// Values not yet read, of the `count` expected.
    private(set) var remaining: Int
    /// Values left in the current run.
    private var runLeft = 0
    /// Whether the current run is bit-packed (else it repeats `runValue`).
    private var packed = false
    private var runValue: UInt64 = 0
    /// In a bit-packed run, the bit where its next value starts.
    private var bit = 0

    /// A reader of `count` values of `bitWidth` bits (0...32) from `bytes`.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` for a bit width
    ///   over 32 or a negative count.
    init(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int, what: String) throws {
        self.bytes = bytes
        self.bitWidth = bitWidth
        self.valueBytes = (bitWidth + 7) / 8
        self.mask = (1 << UInt64(min(bitWidth, 63))) &- 1
        self.what = what
        self.remaining = count
        guard (0...32).contains(bitWidth) else { throw corrupt("bit width \(bitWidth) is over 32", at: 0) }
        guard count >= 0 else { throw corrupt("a negative value count", at: 0) }
    }

    /// The error for a fault at byte `position`.
    func corrupt(_ why: String, at position: Int) -> ParquetError {
        ParquetError(code: .corruptMetadata, message: "corrupt \(what): \(why)", byteOffset: position)
    }

    /// Reads the next `count` values (at most ``remaining``) into `out`.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` for a truncated
    ///   run, a value wider than the bit width, or runs that end before the values expected.
    mutating func read<T: FixedWidthInteger & UnsignedInteger>(into out: UnsafeMutablePointer<T>, count: Int) throws {
        precondition(count <= remaining, "read past the values expected")
        var filled = 0
        while filled < count {
            if runLeft == 0 { try startRun(filled: filled, of: count) }
            let take = min(runLeft, count - filled)
            if packed {
                RLEHybridDecoder.unpack(
                    bytes, fromBit: bit, bitWidth: bitWidth, mask: mask, count: take, into: out + filled)
                bit += take * bitWidth
            } else {
                (out + filled).initialize(repeating: T(truncatingIfNeeded: runValue), count: take)
            }
            runLeft -= take
            filled += take
        }
        remaining -= count
    }

    /// Reads the next run's header and, for an RLE run, its value.
    private mutating func startRun(filled: Int, of count: Int) throws {
        var header: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else {
                throw corrupt("it ends with \(remaining - filled) values still expected", at: position)
            }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw corrupt("a run header longer than 64 bits", at: position) }
            header |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        let wanted = remaining - filled
        if header & 1 == 0 {
            let runLength = header >> 1
            guard runLength > 0 else { throw corrupt("an empty RLE run", at: position) }
            guard position + valueBytes <= bytes.count else {
                throw corrupt("an RLE run's value is cut off", at: position)
            }
            var value: UInt64 = 0
            for index in 0..<valueBytes { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
            position += valueBytes
            guard value & ~mask == 0 else { throw corrupt("an RLE value wider than \(bitWidth) bits", at: position) }
            packed = false
            runValue = value
            runLeft = Int(min(runLength, UInt64(wanted)))
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
            packed = true
            bit = position * 8
            runLeft = min(Int(groups) * 8, wanted)
            position += runBytes
        }
    }
}
