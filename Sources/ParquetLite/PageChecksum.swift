import CZlib

/// The CRC32 of a page (the standard polynomial, as zlib computes it), stored in the page header
/// as a signed 32-bit integer.
enum PageChecksum {
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        var crc: uLong = CZlib.crc32(0, nil, 0)
        var offset = 0
        while offset < bytes.count {  // zlib takes the length as a 32-bit unsigned
            let length = min(bytes.count - offset, Int(UInt32.max))
            crc = CZlib.crc32(crc, base.assumingMemoryBound(to: Bytef.self) + offset, uInt(length))
            offset += length
        }
        return Int32(bitPattern: UInt32(truncatingIfNeeded: crc))
    }
}
