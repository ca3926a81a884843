/// Appends `value` as an unsigned LEB128 varint, as Thrift's compact protocol and the RLE hybrid
/// headers write it.
func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var remaining = value
    while remaining >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
        remaining >>= 7
    }
    bytes.append(UInt8(remaining))
}

/// Maps a signed integer to an unsigned one with small magnitudes small (0, -1, 1, -2 → 0, 1, 2, 3),
/// as Thrift's compact protocol and DELTA_BINARY_PACKED encode signed varints.
func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

/// Appends `values` bit-packed, `width` bits each (0...64), least-significant bit first, as the
/// RLE hybrid's and DELTA_BINARY_PACKED's bit-packed runs store them. A partial last byte is
/// zero-padded.
func appendBitPacked<Values: Sequence<UInt64>>(_ values: Values, width: Int, to bytes: inout [UInt8]) {
    guard width > 0 else { return }
    var accumulator: UInt64 = 0  // bits not yet written, low first
    var bits = 0
    for value in values {
        var remainingValue = value
        var remainingBits = width
        while remainingBits > 0 {
            let take = min(remainingBits, 64 - bits)
            let mask: UInt64 = take == 64 ? .max : (1 << take) - 1
            accumulator |= (remainingValue & mask) << bits
            bits += take
            remainingBits -= take
            remainingValue = take == 64 ? 0 : remainingValue >> take
            while bits >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
    }
    if bits > 0 { bytes.append(UInt8(truncatingIfNeeded: accumulator)) }
}
