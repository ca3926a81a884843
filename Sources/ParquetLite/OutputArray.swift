/// An array of plain values being built by a decoder, whose room past ``count`` is allocated but
/// never written before the decoder writes its values there.
///
/// A decoder that appends to a Swift array must first fill the new slots (with zeros, say) and
/// then overwrite them: a second pass over every byte it outputs. Here the decoder reserves
/// room, writes its values straight into it through a pointer, and says how many it wrote,
/// which are committed (``append(room:_:)``).
/// The array handed out by ``finish()`` holds the committed values only; its capacity may be
/// larger (room never written costs address space, not memory: its whole pages are handed
/// back to the system).
///
/// The room is an array whose elements are declared initialized without being written: sound
/// for `BitwiseCopyable` elements, none of which is read before it is written.
struct OutputArray<Element: BitwiseCopyable> {
    /// The committed values, then the room; `storage.count` is the end of the room.
    private var storage: [Element] = []
    /// The number of committed values.
    private(set) var count = 0

    /// The number of elements that fit without growing.
    var room: Int { storage.count }

    /// Makes room for `total` elements in all (committed ones included), allocating once;
    /// large allocations are advised to arrive in huge pages (``PageAdvice``).
    mutating func reserve(_ total: Int) {
        guard total > storage.count else { return }
        let committed = count
        storage = storage.withUnsafeBufferPointer { old in
            [Element](unsafeUninitializedCapacity: total) { buffer, initialized in
                PageAdvice.advise(
                    UnsafeMutableRawPointer(buffer.baseAddress), byteCount: total * MemoryLayout<Element>.stride)
                if committed > 0, let from = old.baseAddress {
                    buffer.baseAddress!.initialize(from: from, count: committed)
                }
                initialized = total
            }
        }
    }

    /// Makes room for `more` elements after the committed ones, growing by half at least.
    mutating func reserve(more: Int) {
        guard more > storage.count - count else { return }
        reserve(max(count + more, storage.count + storage.count / 2))
    }

    /// Calls `body` with room for `more` elements after the committed ones (made if needed);
    /// `body` writes there and returns how many it wrote, which are committed.
    mutating func append(
        room more: Int, _ body: (UnsafeMutablePointer<Element>) throws -> Int
    ) rethrows {
        // At least one slot, so that the room has an address even when nothing is written.
        reserve(more: Swift.max(more, 1))
        let start = count
        let written = try storage.withUnsafeMutableBufferPointer { buffer in
            try body(buffer.baseAddress! + start)
        }
        precondition(written >= 0 && written <= more, "wrote outside the room made")
        count += written
    }

    /// Appends `values`; the first values appended to an empty array are adopted without a copy
    /// when there is not already room for them.
    mutating func append(contentsOf values: [Element]) {
        if count == 0 && storage.count < values.count {
            storage = values
            count = values.count
            return
        }
        values.withUnsafeBufferPointer { source in
            append(room: source.count) { target in
                if let from = source.baseAddress { target.initialize(from: from, count: source.count) }
                return source.count
            }
        }
    }

    /// The committed values, with the room dropped; the builder is left empty. The room's
    /// whole pages are handed back to the system (``PageAdvice/release(_:byteCount:)``);
    /// the array's capacity is unchanged.
    mutating func finish() -> [Element] {
        var values = storage
        storage = []
        let stride = MemoryLayout<Element>.stride
        values.withUnsafeMutableBufferPointer { buffer in
            let spare = (buffer.count - count) * stride
            if spare > 0, let base = buffer.baseAddress {
                PageAdvice.release(UnsafeMutableRawPointer(base + count), byteCount: spare)
            }
        }
        values.removeLast(values.count - count)
        count = 0
        return values
    }
}
