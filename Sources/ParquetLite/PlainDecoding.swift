/// PLAIN decoding of every physical type, and the gathering of dictionary values by index,
/// from untrusted bytes: every count is checked against the bytes present before anything is
/// allocated, and every index against the dictionary's size.
enum PlainDecoding {
    /// Decodes `count` PLAIN values of `type` (`width` is the FIXED_LEN_BYTE_ARRAY length; 12
    /// for INT96). `corrupt` makes the error for a fault found `n` bytes into `raw`.
    static func decode(
        _ raw: UnsafeRawBufferPointer, count: Int, type: ParquetPhysicalType, width: Int,
        corrupt: (String, Int) -> ParquetError
    ) throws -> ParquetColumnBatch.Values {
        guard count >= 0 else { throw corrupt("a negative value count (\(count))", 0) }
        switch type {
        case .boolean:
            guard count <= raw.count * 8 else { throw corrupt("\(count) booleans in \(raw.count) bytes", 0) }
            return .boolean(
                [Bool](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for index in 0..<count { buffer[index] = raw[index >> 3] >> UInt8(index & 7) & 1 == 1 }
                    initialized = count
                })
        case .int32: return .int32(try fixed(raw, count: count, corrupt: corrupt))
        case .int64: return .int64(try fixed(raw, count: count, corrupt: corrupt))
        case .float: return .float(try fixed(raw, count: count, corrupt: corrupt))
        case .double: return .double(try fixed(raw, count: count, corrupt: corrupt))
        case .fixedLenByteArray, .int96:
            guard width > 0 else { throw corrupt("a fixed-length column of width \(width)", 0) }
            guard count <= raw.count / width else {
                throw corrupt("\(count) values of \(width) bytes in \(raw.count) bytes", 0)
            }
            return .fixedLenByteArray(bytes: Array(raw[0..<(count * width)]), width: width)
        case .byteArray: return .byteArray(try byteArrays(raw, count: count, corrupt: corrupt))
        }
    }

    /// `count` little-endian values of `T`'s width.
    static func fixed<T>(_ raw: UnsafeRawBufferPointer, count: Int, corrupt: (String, Int) -> ParquetError) throws
        -> [T]
    {
        let width = MemoryLayout<T>.size
        guard count <= raw.count / width else {
            throw corrupt("\(count) values of \(width) bytes in \(raw.count) bytes", 0)
        }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * width)]))
            }
            initialized = count
        }
    }

    /// `count` length-prefixed byte arrays: one pass checks the lengths and sizes the buffer,
    /// a second copies the bytes.
    static func byteArrays(_ raw: UnsafeRawBufferPointer, count: Int, corrupt: (String, Int) -> ParquetError) throws
        -> ParquetByteArrays
    {
        guard count <= raw.count / 4 else { throw corrupt("\(count) byte arrays in \(raw.count) bytes", 0) }
        var offsets = [Int32](repeating: 0, count: count + 1)
        var position = 0
        var total = 0
        try offsets.withUnsafeMutableBufferPointer { offsets in
            for index in 0..<count {
                guard raw.count - position >= 4 else { throw corrupt("a byte array's length is cut off", position) }
                let length = Int(raw.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
                position += 4
                guard length <= raw.count - position else {
                    throw corrupt("a byte array of \(length) bytes where \(raw.count - position) remain", position)
                }
                position += length
                total += length
                guard total <= Int(Int32.max) else {
                    throw corrupt("byte arrays over 2 GiB in one page", position)
                }
                offsets[index + 1] = Int32(total)
            }
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var source = 4
            var target = 0
            for index in 0..<count {
                let length = Int(offsets[index + 1] - offsets[index])
                if length > 0, let into = buffer.baseAddress, let from = raw.baseAddress {
                    UnsafeMutableRawPointer(into + target).copyMemory(from: from + source, byteCount: length)
                }
                target += length
                source += length + 4
            }
            initialized = total
        }
        return ParquetByteArrays(bytes: bytes, offsets: offsets)
    }
}
