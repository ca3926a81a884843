/// Writes Thrift's compact protocol, the encoding of Parquet's metadata (file footer, page
/// headers). Only what Parquet's structures use: structs, i16/i32/i64 (zigzag varints), binary,
/// booleans as fields, lists of structs, integers and binaries.
///
/// Fields must be written in increasing id order within a struct (the short form encodes the
/// delta from the previous id); ``beginStruct()`` and ``endStruct()`` save and restore it.
struct ThriftCompactWriter {
    /// Compact protocol type codes.
    enum FieldType: UInt8 {
        case booleanTrue = 1
        case booleanFalse = 2
        case byte = 3
        case i16 = 4
        case i32 = 5
        case i64 = 6
        case double = 7
        case binary = 8
        case list = 9
        case set = 10
        case map = 11
        case structure = 12
    }

    private(set) var bytes: [UInt8] = []
    private var lastFieldID: Int16 = 0
    private var savedFieldIDs: [Int16] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Starts a nested struct (the top-level struct needs no call).
    mutating func beginStruct() {
        savedFieldIDs.append(lastFieldID)
        lastFieldID = 0
    }

    /// Ends a struct: writes the stop field and restores the enclosing struct's field id.
    mutating func endStruct() {
        bytes.append(0)
        lastFieldID = savedFieldIDs.popLast() ?? 0
    }

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(lastFieldID)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeVarint(zigzag(Int64(id)))
        }
        lastFieldID = id
    }

    mutating func writeVarint(_ value: UInt64) { appendVarint(value, to: &bytes) }

    /// A raw byte (the value of an i8 field).
    mutating func appendByte(_ value: UInt8) { bytes.append(value) }

    mutating func writeI32Value(_ value: Int32) { writeVarint(zigzag(Int64(value))) }
    mutating func writeI64Value(_ value: Int64) { writeVarint(zigzag(value)) }

    mutating func writeBinaryValue(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func writeBinaryValue(_ value: String) {
        writeVarint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    // MARK: Fields

    mutating func field(_ id: Int16, bool value: Bool) { fieldHeader(id, value ? .booleanTrue : .booleanFalse) }

    mutating func field(_ id: Int16, i16 value: Int16) {
        fieldHeader(id, .i16)
        writeVarint(zigzag(Int64(value)))
    }

    mutating func field(_ id: Int16, i32 value: Int32) {
        fieldHeader(id, .i32)
        writeI32Value(value)
    }

    mutating func field(_ id: Int16, i64 value: Int64) {
        fieldHeader(id, .i64)
        writeI64Value(value)
    }

    mutating func field(_ id: Int16, binary value: [UInt8]) {
        fieldHeader(id, .binary)
        writeBinaryValue(value)
    }

    mutating func field(_ id: Int16, string value: String) {
        fieldHeader(id, .binary)
        writeBinaryValue(value)
    }

    /// A struct field: header, then `body` writes the struct's fields, then the stop byte.
    mutating func field(_ id: Int16, structure body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .structure)
        beginStruct()
        body(&self)
        endStruct()
    }

    /// A list field's header; the caller then writes `count` elements of `elementType`.
    mutating func field(_ id: Int16, listOf elementType: FieldType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    /// One struct element of a list.
    mutating func listElement(structure body: (inout ThriftCompactWriter) -> Void) {
        beginStruct()
        body(&self)
        endStruct()
    }

    /// The stop byte of the top-level struct.
    mutating func endTopLevel() { bytes.append(0) }
}
