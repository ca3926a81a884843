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
