import CZlib

/// The CRC32 of a page (the standard polynomial, as zlib computes it), stored in the page header
/// as a signed 32-bit integer.
enum PageChecksum {
    /// The CRC32 of `bytes`, or of what came before them followed by `bytes` when `previous`
    /// is that earlier CRC (pages stored in two parts need no concatenation).
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing previous: Int32 = 0) -> Int32 {
        var crc = uLong(UInt32(bitPattern: previous))
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return previous }
        var offset = 0
        while offset < bytes.count {  // zlib takes the length as a 32-bit unsigned
            let length = min(bytes.count - offset, Int(UInt32.max))
            crc = CZlib.crc32(crc, base.assumingMemoryBound(to: Bytef.self) + offset, uInt(length))
            offset += length
        }
        return Int32(bitPattern: UInt32(truncatingIfNeeded: crc))
    }
}
