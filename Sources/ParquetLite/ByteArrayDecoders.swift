/// Decoders of DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT from untrusted
/// bytes: every length is checked against the bytes left, every prefix against the value before.
enum ByteArrayDecoders {
    private static func corrupt(_ encoding: String, _ why: String) -> ParquetError {
        ParquetError(code: .corruptMetadata, message: "corrupt \(encoding) data: \(why)")
    }

    /// Lengths, DELTA_BINARY_PACKED, then the values' bytes back to back; returns the values and
    /// the bytes taken.
    static func deltaLength(_ raw: UnsafeRawBufferPointer, count: Int) throws -> (ParquetByteArrays, Int) {
        let (lengths, consumed) = try DeltaBinaryPackedDecoder.decode(raw, valueBits: 32, maximumCount: count)
        guard lengths.count == count else {
            throw corrupt("DELTA_LENGTH_BYTE_ARRAY", "\(lengths.count) lengths for \(count) values")
        }
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(count + 1)
        var total = 0
        for length in lengths {
            guard length >= 0, Int(length) <= raw.count - consumed - total else {
                throw corrupt(
                    "DELTA_LENGTH_BYTE_ARRAY", "a value of \(length) bytes where \(raw.count - consumed - total) remain"
                )
            }
            total += Int(length)
            offsets.append(Int32(total))
        }
        let bytes = Array(raw[consumed..<(consumed + total)])
        return (ParquetByteArrays(bytes: bytes, offsets: offsets), consumed + total)
    }

    /// Prefix lengths (DELTA_BINARY_PACKED), then suffixes (DELTA_LENGTH_BYTE_ARRAY): each value
    /// is the start of the one before, then its suffix.
    static func deltaByteArray(_ raw: UnsafeRawBufferPointer, count: Int) throws -> ParquetByteArrays {
        let (prefixes, consumed) = try DeltaBinaryPackedDecoder.decode(raw, valueBits: 32, maximumCount: count)
        guard prefixes.count == count else {
            throw corrupt("DELTA_BYTE_ARRAY", "\(prefixes.count) prefix lengths for \(count) values")
        }
        let (suffixes, _) = try deltaLength(UnsafeRawBufferPointer(rebasing: raw[consumed...]), count: count)
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(count + 1)
        var previousStart = 0
        var previousLength = 0
        for index in 0..<count {
            let prefix = Int(prefixes[index])
            guard prefix >= 0, prefix <= previousLength else {
                throw corrupt(
                    "DELTA_BYTE_ARRAY", "value \(index) shares \(prefix) bytes with a value of \(previousLength)")
            }
            let start = bytes.count
            let shared = Array(bytes[previousStart..<(previousStart + prefix)])  // not a slice of what grows
            bytes.append(contentsOf: shared)
            bytes.append(
                contentsOf: suffixes.bytes[Int(suffixes.offsets[index])..<Int(suffixes.offsets[index + 1])])
            guard bytes.count <= Int(Int32.max) else { throw corrupt("DELTA_BYTE_ARRAY", "values over 2 GiB") }
            offsets.append(Int32(bytes.count))
            previousStart = start
            previousLength = bytes.count - start
        }
        return ParquetByteArrays(bytes: bytes, offsets: offsets)
    }

    /// BYTE_STREAM_SPLIT of `count` values of `width` bytes: byte `k` of every value, then
    /// byte `k + 1`…; returns the values' bytes in order.
    static func byteStreamSplit(_ raw: UnsafeRawBufferPointer, count: Int, width: Int) throws -> [UInt8] {
        guard width > 0, count <= raw.count / width else {
            throw corrupt("BYTE_STREAM_SPLIT", "\(count) values of \(width) bytes in \(raw.count) bytes")
        }
        var output = [UInt8](repeating: 0, count: count * width)
        for stream in 0..<width {
            for index in 0..<count { output[index * width + stream] = raw[stream * count + index] }
        }
        return output
    }
}
