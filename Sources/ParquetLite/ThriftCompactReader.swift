/// Reads Thrift's compact protocol (Parquet's footer and page headers) from untrusted bytes.
///
/// Every read is bounds-checked against the buffer; counts and lengths are checked against the
/// bytes left before anything is allocated; nesting is limited; unknown fields are skipped by
/// type. Any violation is a ``ParquetError`` with ``ParquetError/Code/corruptMetadata`` and the
/// byte offset (``baseOffset`` + position), never a crash.
struct ThriftCompactReader {
    typealias FieldType = ThriftCompactWriter.FieldType

    private let bytes: [UInt8]
    private(set) var position: Int
    private let end: Int
    /// Where `bytes[0]` sits in the file, for error messages.
    let baseOffset: Int
    /// What is being decoded ("footer", "page header"), for error messages.
    let context: String
    private var lastFieldIDs: [Int16] = []
    private var lastFieldID: Int16 = 0
    private static let maximumDepth = 64

    init(bytes: [UInt8], range: Range<Int>? = nil, baseOffset: Int = 0, context: String) {
        self.bytes = bytes
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
        self.baseOffset = baseOffset
        self.context = context
    }

    /// The bytes not yet read.
    var remaining: Int { end - position }

    func corrupt(_ what: String) -> ParquetError {
        ParquetError(
            code: .corruptMetadata, message: "corrupt \(context): \(what)", byteOffset: baseOffset + position)
    }

    mutating func readByte() throws -> UInt8 {
        guard position < end else { throw corrupt("it ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64, shift < 63 || byte <= 1 else { throw corrupt("a varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func readI64() throws -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func readI32() throws -> Int32 {
        let value = try readI64()
        guard let narrow = Int32(exactly: value) else { throw corrupt("an i32 out of range (\(value))") }
        return narrow
    }

    /// An i32 that must not be negative (a count, a size, an offset).
    mutating func readCount(_ what: String) throws -> Int {
        let value = try readI32()
        guard value >= 0 else { throw corrupt("negative \(what) (\(value))") }
        return Int(value)
    }

    mutating func readBinary() throws -> [UInt8] {
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw corrupt("a string of \(length) bytes where \(remaining) remain")
        }
        defer { position += Int(length) }
        return Array(bytes[position..<(position + Int(length))])
    }

    mutating func readString() throws -> String { String(decoding: try readBinary(), as: UTF8.self) }

    mutating func readDouble() throws -> Double {
        guard remaining >= 8 else { throw corrupt("it ends inside a double") }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// The next field's id and type, or `nil` at the struct's stop byte.
    mutating func readFieldHeader() throws -> (id: Int16, type: FieldType)? {
        let header = try readByte()
        if header == 0 { return nil }
        guard let type = FieldType(rawValue: header & 0x0F) else {
            throw corrupt("unknown field type \(header & 0x0F)")
        }
        let delta = Int16(header >> 4)
        let id: Int16
        if delta != 0 {
            id = lastFieldID &+ delta
        } else {
            let value = try readI64()
            guard let narrow = Int16(exactly: value) else { throw corrupt("a field id out of range (\(value))") }
            id = narrow
        }
        lastFieldID = id
        return (id, type)
    }

    /// A list's element type and count; the count is checked against the bytes left (every
    /// element takes at least one byte, or none for booleans).
    mutating func readListHeader() throws -> (type: FieldType, count: Int) {
        let header = try readByte()
        guard let type = FieldType(rawValue: header & 0x0F) else {
            throw corrupt("unknown list element type \(header & 0x0F)")
        }
        var count = Int(header >> 4)
        if count == 15 {
            let long = try readVarint()
            guard long <= UInt64(Int32.max) else { throw corrupt("a list of \(long) elements") }
            count = Int(long)
        }
        if type != .booleanTrue && type != .booleanFalse && count > remaining {
            throw corrupt("a list of \(count) elements where \(remaining) bytes remain")
        }
        return (type, count)
    }

    /// Enters a nested struct (its field ids start again).
    mutating func beginStruct() throws {
        guard lastFieldIDs.count < Self.maximumDepth else { throw corrupt("structs nested too deep") }
        lastFieldIDs.append(lastFieldID)
        lastFieldID = 0
    }

    mutating func endStruct() { lastFieldID = lastFieldIDs.popLast() ?? 0 }

    /// Reads a struct: `field` is called for each field (it must read or skip the value).
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, FieldType) throws -> Void) throws {
        try beginStruct()
        while let (id, type) = try readFieldHeader() { try field(&self, id, type) }
        endStruct()
    }

    /// A boolean field's value, which compact Thrift keeps in the field's type.
    func bool(_ type: FieldType) throws -> Bool {
        switch type {
        case .booleanTrue: return true
        case .booleanFalse: return false
        default: throw corrupt("a boolean field of type \(type)")
        }
    }

    /// Skips a value of `type`.
    mutating func skip(_ type: FieldType) throws {
        switch type {
        case .booleanTrue, .booleanFalse: return
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double: _ = try readDouble()
        case .binary:
            let length = try readVarint()
            guard length <= UInt64(remaining) else {
                throw corrupt("a string of \(length) bytes where \(remaining) remain")
            }
            position += Int(length)
        case .list, .set:
            let (elementType, count) = try readListHeader()
            try beginStruct()
            for _ in 0..<count {
                if elementType == .booleanTrue || elementType == .booleanFalse {
                    _ = try readByte()
                } else {
                    try skip(elementType)
                }
            }
            endStruct()
        case .map:
            let count = try readVarint()
            guard count <= UInt64(remaining) else { throw corrupt("a map of \(count) entries") }
            if count == 0 { return }
            let types = try readByte()
            guard let keyType = FieldType(rawValue: types >> 4), let valueType = FieldType(rawValue: types & 0x0F)
            else {
                throw corrupt("unknown map types")
            }
            try beginStruct()
            for _ in 0..<count {
                try skip(keyType)
                try skip(valueType)
            }
            endStruct()
        case .structure:
            try readStruct { reader, _, fieldType in try reader.skip(fieldType) }
        }
    }
}
