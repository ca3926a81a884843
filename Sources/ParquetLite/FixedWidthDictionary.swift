/// The dictionary of one fixed-width column chunk (INT32, INT64, FLOAT, DOUBLE), keyed by the
/// values' bit patterns: each distinct value once, in first-seen order.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full; a slot
/// holds the index of a value, and the key is compared through it. Nothing is allocated per value.
struct FixedWidthDictionary<Key: FixedWidthInteger & UnsignedInteger> {
    /// The distinct values, in index order.
    private(set) var keys: [Key] = []
    private var slots: [Int32]
    /// The key of each used slot, beside its index, so that a probe compares without first
    /// loading the index (one load fewer on the dependency chain).
    private var slotKeys: [Key]
    /// 64 minus log2 of the table's size: a key's slot is the top bits of its hash.
    private var shift: Int

    /// The number of distinct values.
    var count: Int { keys.count }
    /// The size of the dictionary page: the values in PLAIN encoding.
    var plainByteCount: Int { keys.count * MemoryLayout<Key>.size }

    init(initialCapacity: Int = 1024) {
        var capacity = 16
        while capacity < initialCapacity * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        slotKeys = [Key](repeating: 0, count: capacity)
        shift = 64 - capacity.trailingZeroBitCount
    }

    /// Fibonacci hashing: the top bits of the key times 2^64/φ depend on every bit of the key,
    /// so doubles (whose low bits are often zero) spread as well as counters.
    @inline(__always)
    private static func slot(of key: Key, shift: Int) -> Int {
        var hash = UInt64(truncatingIfNeeded: key)
        hash ^= hash >> 32
        return Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The index of `key` and whether it was added by this call.
    @inline(__always)
    mutating func index(of key: Key) -> (index: Int32, isNew: Bool) {
        let mask = slots.count - 1
        var slot = Self.slot(of: key, shift: shift)
        while true {
            let existing = slots[slot]
            if existing < 0 { break }
            if slotKeys[slot] == key { return (existing, false) }
            slot = (slot + 1) & mask
        }
        let index = Int32(keys.count)
        keys.append(key)
        slots[slot] = index
        slotKeys[slot] = key
        if keys.count * 2 > slots.count { grow() }
        return (index, true)
    }

    /// Doubles the table and re-inserts every value.
    private mutating func grow() {
        let capacity = slots.count * 2
        var newSlots = [Int32](repeating: -1, count: capacity)
        var newKeys = [Key](repeating: 0, count: capacity)
        let newMask = capacity - 1
        let newShift = 64 - capacity.trailingZeroBitCount
        for (index, key) in keys.enumerated() {
            var target = Self.slot(of: key, shift: newShift)
            while newSlots[target] >= 0 { target = (target + 1) & newMask }
            newSlots[target] = Int32(index)
            newKeys[target] = key
        }
        slots = newSlots
        slotKeys = newKeys
        shift = newShift
    }
}
