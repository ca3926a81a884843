#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The dictionary of one BYTE_ARRAY column chunk: each distinct value once, in first-seen order,
/// and its index for every value appended.
///
/// An open-addressing hash table (linear probing, power-of-two capacity, load ≤ 1/2) holds, per
/// slot, the value's hash and index; the distinct values live in one byte buffer, already in
/// PLAIN form (a 4-byte little-endian length before each), so the dictionary page is that
/// buffer as is. Nothing is allocated per value.
struct ByteArrayDictionary {
    /// Distinct values in PLAIN encoding, in index order.
    private(set) var plainValues: [UInt8] = []
    /// Start of each distinct value's bytes in ``plainValues`` (after its length prefix).
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    private var slots: [Int32]
    private var slotHashes: [UInt64]
    private var mask: Int

    /// The number of distinct values.
    var count: Int { starts.count }

    init(initialCapacity: Int = 1024) {
        var capacity = 16
        while capacity < initialCapacity * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        slotHashes = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// The index of `value`, adding it if it is new.
    mutating func index(of value: UnsafeRawBufferPointer) -> Int32 {
        let hash = Self.hash(value)
        var slot = Int(truncatingIfNeeded: hash) & mask
        let found = slots.withUnsafeBufferPointer { slots in
            slotHashes.withUnsafeBufferPointer { hashes in
                plainValues.withUnsafeBytes { plain -> Int32? in
                    while true {
                        let existing = slots[slot]
                        if existing < 0 { return nil }
                        if hashes[slot] == hash, Int(lengths[Int(existing)]) == value.count,
                            Self.equal(plain.baseAddress! + Int(starts[Int(existing)]), value)
                        {
                            return existing
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        if let found { return found }
        let index = Int32(starts.count)
        appendPlain(value)
        slots[slot] = index
        slotHashes[slot] = hash
        if starts.count * 2 > slots.count { grow() }
        return index
    }

    /// The distinct value at `index`.
    func value(at index: Int) -> ArraySlice<UInt8> {
        let start = Int(starts[index])
        return plainValues[start..<(start + Int(lengths[index]))]
    }

    /// Whether the `value.count` bytes at `stored` are `value`'s: short values (the common
    /// case) with two overlapping loads from each side instead of a call to `memcmp`.
    @inline(__always)
    static func equal(_ stored: UnsafeRawPointer, _ value: UnsafeRawBufferPointer) -> Bool {
        let count = value.count
        guard let other = value.baseAddress else { return true }
        if count >= 8 && count <= 16 {
            return stored.loadUnaligned(as: UInt64.self) == other.loadUnaligned(as: UInt64.self)
                && stored.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                    == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 && count < 8 {
            return stored.loadUnaligned(as: UInt32.self) == other.loadUnaligned(as: UInt32.self)
                && stored.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                    == other.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        return memcmp(stored, other, count) == 0
    }

    private mutating func appendPlain(_ value: UnsafeRawBufferPointer) {
        let length = UInt32(value.count)
        for shift in stride(from: 0, to: 32, by: 8) { plainValues.append(UInt8(truncatingIfNeeded: length >> shift)) }
        starts.append(Int32(plainValues.count))
        lengths.append(Int32(value.count))
        plainValues.append(contentsOf: value)
    }

    /// Doubles the table and re-inserts every index by its stored hash.
    private mutating func grow() {
        let capacity = slots.count * 2
        var newSlots = [Int32](repeating: -1, count: capacity)
        var newHashes = [UInt64](repeating: 0, count: capacity)
        let newMask = capacity - 1
        for slot in 0..<slots.count where slots[slot] >= 0 {
            var target = Int(truncatingIfNeeded: slotHashes[slot]) & newMask
            while newSlots[target] >= 0 { target = (target + 1) & newMask }
            newSlots[target] = slots[slot]
            newHashes[target] = slotHashes[slot]
        }
        slots = newSlots
        slotHashes = newHashes
        mask = newMask
    }

    /// A 64-bit hash read in 8-byte words (the last one overlapping the one before), each mixed
    /// with a multiply and a shift, then a SplitMix64 finish. Short values take one or two
    /// loads, never a loop per byte; the table compares bytes on a hash match, so quality only
    /// affects speed.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
        @inline(__always) func mix(_ word: UInt64) {
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
        }
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                mix(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            mix(bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        } else if count >= 4 {
            let low = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let high = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            mix(low | high << 32)
        } else if count > 0 {
            mix(UInt64(bytes[0]) | UInt64(bytes[count / 2]) << 8 | UInt64(bytes[count - 1]) << 16)
        }
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 31)
    }
}
