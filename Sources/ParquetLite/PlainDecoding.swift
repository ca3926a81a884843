/// PLAIN decoding of every physical type, and the gathering of dictionary values by index,
/// from untrusted bytes: every count is checked against the bytes present before anything is
/// allocated, and every index against the dictionary's size.
enum PlainDecoding {
    /// Decodes `count` PLAIN values of `type` (`width` is the FIXED_LEN_BYTE_ARRAY length; 12
    /// for INT96) of the column `column`. `corrupt` makes the error for a fault found `n` bytes
    /// into `raw`.
    static func decode(
        _ raw: UnsafeRawBufferPointer, count: Int, type: ParquetPhysicalType, width: Int, column: String,
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
        case .byteArray:
            var buffer = ValueBuffer(physicalType: .byteArray, width: 0, column: column)
            try buffer.appendPlainByteArrays(raw, count: count, corrupt: corrupt)
            return buffer.finish()
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
}
