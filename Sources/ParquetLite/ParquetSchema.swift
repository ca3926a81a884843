/// A Parquet physical type: how values are stored (parquet.thrift `Type`). Its description is
/// the spec's name (`BYTE_ARRAY`).
public enum ParquetPhysicalType: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// One bit per value.
    case boolean = 0
    /// A 32-bit integer; also the storage of DATE, small decimals and 8- to 32-bit integer types.
    case int32 = 1
    /// A 64-bit integer; also the storage of timestamps, decimals up to 18 digits and unsigned 64-bit integers.
    case int64 = 2
    /// Legacy 96-bit timestamps; read only, never written.
    case int96 = 3
    /// A 32-bit IEEE 754 float.
    case float = 4
    /// A 64-bit IEEE 754 float.
    case double = 5
    /// Bytes of any length: strings, binary, large decimals.
    case byteArray = 6
    /// Bytes of the length the schema fixes (``ParquetSchemaElement/typeLength``): UUIDs, decimals.
    case fixedLenByteArray = 7

    /// The spec's name for the type (`FIXED_LEN_BYTE_ARRAY`), as Parquet tools print it.
    public var description: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// Whether a column may hold nulls (parquet.thrift `FieldRepetitionType`).
public enum ParquetRepetition: Int32, Sendable, Hashable {
    /// Always present wherever its parent is; never null.
    case required = 0
    /// Zero or one value per row: a null is stored as a definition level, not as a value.
    case optional = 1
    /// A repeated field: read in any nested schema; the writer stores lists and maps in their
    /// standard forms (``ParquetSchemaNode``), never as a bare REPEATED column.
    case repeated = 2
}

/// The unit of a ``ParquetLogicalType/timestamp(unit:isAdjustedToUTC:)``.
public enum ParquetTimeUnit: Sendable, Hashable {
    /// Thousandths of a second.
    case milliseconds
    /// Millionths of a second, the precision of PostgreSQL's `timestamptz`.
    case microseconds
    /// Billionths of a second; INT96 timestamps read in this unit.
    case nanoseconds
}

/// What a column's values mean (parquet.thrift `LogicalType`). The writer stores both the
/// logical type and, where one exists, the legacy `converted_type`, so that old readers agree.
public enum ParquetLogicalType: Sendable, Hashable {
    /// UTF-8 text on BYTE_ARRAY.
    case string
    /// Days since 1970-01-01 on INT32.
    case date
    /// Instants on INT64, counted in `unit` since 1970-01-01 00:00:00; UTC-adjusted or local.
    case timestamp(unit: ParquetTimeUnit, isAdjustedToUTC: Bool)
    /// An exact decimal, the unscaled value stored in INT32 (precision ≤ 9), INT64 (≤ 18) or a
    /// big-endian two's-complement FIXED_LEN_BYTE_ARRAY.
    case decimal(precision: Int32, scale: Int32)
    /// An integer of 8, 16, 32 or 64 bits, signed or not, on INT32 (8–32 bits) or INT64 (64).
    case integer(bitWidth: Int8, isSigned: Bool)
    /// A UUID on FIXED_LEN_BYTE_ARRAY(16).
    case uuid
}

/// One column of a flat schema: a name, a physical type, nullability, and an optional logical type.
///
/// Build columns with the static helpers (``string(_:repetition:)``, ``int64(_:repetition:)``,
/// ``timestamp(_:unit:isAdjustedToUTC:repetition:)``…) or with ``init(name:physicalType:repetition:logicalType:typeLength:)``.
public struct ParquetColumn: Sendable, Hashable {
    /// The column's name; a leaf of a nested schema is named by its dotted path.
    public var name: String
    /// How values are stored.
    public var physicalType: ParquetPhysicalType
    /// Whether the column may hold nulls.
    public var repetition: ParquetRepetition
    /// What the values mean, if more than their physical type says.
    public var logicalType: ParquetLogicalType?
    /// The width in bytes of FIXED_LEN_BYTE_ARRAY values; `nil` for other types.
    public var typeLength: Int32?

    /// Creates a column; ``ParquetSchema/init(_:)`` checks that the parts agree.
    public init(
        name: String, physicalType: ParquetPhysicalType, repetition: ParquetRepetition = .required,
        logicalType: ParquetLogicalType? = nil, typeLength: Int32? = nil
    ) {
        self.name = name
        self.physicalType = physicalType
        self.repetition = repetition
        self.logicalType = logicalType
        self.typeLength = typeLength
    }

    /// A BOOLEAN column.
    public static func boolean(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .boolean, repetition: repetition)
    }
    /// A plain INT32 column.
    public static func int32(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .int32, repetition: repetition)
    }
    /// A plain INT64 column.
    public static func int64(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .int64, repetition: repetition)
    }
    /// A FLOAT column.
    public static func float(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .float, repetition: repetition)
    }
    /// A DOUBLE column.
    public static func double(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .double, repetition: repetition)
    }
    /// A BYTE_ARRAY column of raw bytes.
    public static func bytes(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .byteArray, repetition: repetition)
    }
    /// A FIXED_LEN_BYTE_ARRAY column of `length`-byte values.
    public static func fixedBytes(_ name: String, length: Int32, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .fixedLenByteArray, repetition: repetition, typeLength: length)
    }
    /// A UTF-8 text column (BYTE_ARRAY, STRING).
    public static func string(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .byteArray, repetition: repetition, logicalType: .string)
    }
    /// A DATE column (INT32 days since the epoch).
    public static func date(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .int32, repetition: repetition, logicalType: .date)
    }
    /// A TIMESTAMP column (INT64); microseconds, UTC-adjusted by default.
    public static func timestamp(
        _ name: String, unit: ParquetTimeUnit = .microseconds, isAdjustedToUTC: Bool = true,
        repetition: ParquetRepetition = .required
    ) -> Self {
        Self(
            name: name, physicalType: .int64, repetition: repetition,
            logicalType: .timestamp(unit: unit, isAdjustedToUTC: isAdjustedToUTC))
    }
    /// A DECIMAL column on the smallest physical type that holds `precision` digits: INT32 up to
    /// 9, INT64 up to 18, else a FIXED_LEN_BYTE_ARRAY just wide enough.
    public static func decimal(
        _ name: String, precision: Int32, scale: Int32, repetition: ParquetRepetition = .required
    ) -> Self {
        let logical = ParquetLogicalType.decimal(precision: precision, scale: scale)
        if precision <= 9 {
            return Self(name: name, physicalType: .int32, repetition: repetition, logicalType: logical)
        }
        if precision <= 18 {
            return Self(name: name, physicalType: .int64, repetition: repetition, logicalType: logical)
        }
        return Self(
            name: name, physicalType: .fixedLenByteArray, repetition: repetition, logicalType: logical,
            typeLength: DecimalLayout.bytesNeeded(precision: precision))
    }
    /// An integer column of the given width and signedness (INT32 for 8–32 bits, INT64 for 64).
    public static func integer(
        _ name: String, bitWidth: Int8, isSigned: Bool, repetition: ParquetRepetition = .required
    ) -> Self {
        Self(
            name: name, physicalType: bitWidth == 64 ? .int64 : .int32, repetition: repetition,
            logicalType: .integer(bitWidth: bitWidth, isSigned: isSigned))
    }
    /// A UUID column (FIXED_LEN_BYTE_ARRAY(16)).
    public static func uuid(_ name: String, repetition: ParquetRepetition = .required) -> Self {
        Self(name: name, physicalType: .fixedLenByteArray, repetition: repetition, logicalType: .uuid, typeLength: 16)
    }

    /// Where a leaf below the top level of a nested schema sits; `nil` for a top-level column.
    var nesting: ColumnNesting?

    /// The names from the root to this leaf.
    var path: [String] { nesting?.path ?? [name] }
    /// The definition level of a present value.
    var maxDefinitionLevel: Int { nesting?.maxDefinitionLevel ?? (repetition == .optional ? 1 : 0) }
    /// The repetition level of the innermost list around this leaf (0 outside lists).
    var maxRepetitionLevel: Int { nesting?.maxRepetitionLevel ?? 0 }

    /// Whether the min/max statistics compare values as unsigned (bytewise strings, unsigned integers).
    var comparesUnsigned: Bool {
        switch logicalType {
        case .integer(_, let isSigned): return !isSigned
        case .decimal: return false
        default: return physicalType == .byteArray || physicalType == .fixedLenByteArray
        }
    }
}

/// Where a nested leaf sits: its path from the root and its level maxima.
struct ColumnNesting: Sendable, Hashable {
    var path: [String]
    var maxDefinitionLevel: Int
    var maxRepetitionLevel: Int
}

/// A Parquet schema: columns under one root, flat (``init(_:)``) or nested
/// (``init(nodes:)``, with structs, lists and maps).
public struct ParquetSchema: Sendable, Hashable {
    /// The leaf columns, in file order. A leaf below the top level is named by its dotted path
    /// (`add.partitionValues.key_value.key`); ``ParquetWriter/write(_:)`` takes one batch per leaf.
    public let columns: [ParquetColumn]
    /// The top-level fields.
    public let nodes: [ParquetSchemaNode]
    /// The stored schema elements, depth-first.
    let elements: [SchemaLayout.Element]

    /// Whether any field is a struct, list or map.
    public var isNested: Bool { columns.contains { $0.nesting != nil } }

    /// Creates a nested schema from its top-level fields, after checking every column as
    /// ``init(_:)`` does and that names within a struct are unique.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidSchema`` naming the field.
    public init(nodes: [ParquetSchemaNode]) throws {
        var names = Set<String>()
        for node in nodes where !names.insert(node.name).inserted {
            throw ParquetError(
                code: .invalidSchema, message: "column name '\(node.name)' appears twice", column: node.name)
        }
        (elements, columns) = try SchemaLayout.flatten(nodes)
        self.nodes = nodes
    }

    /// Creates a schema after checking every column: FIXED_LEN_BYTE_ARRAY has a positive
    /// length, logical types sit on a physical type that can hold them, names are unique and
    /// not empty.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidSchema`` naming the column.
    public init(_ columns: [ParquetColumn]) throws {
        var names = Set<String>()
        for column in columns {
            try Self.check(column)
            guard names.insert(column.name).inserted else {
                throw ParquetError(
                    code: .invalidSchema, message: "column name '\(column.name)' appears twice", column: column.name)
            }
        }
        self.columns = columns
        nodes = columns.map { .column($0) }
        elements = columns.map { SchemaLayout.Element(column: $0, name: $0.name, repetition: $0.repetition) }
    }

    static func check(_ column: ParquetColumn) throws {
        func reject(_ why: String) -> ParquetError {
            ParquetError(code: .invalidSchema, message: "column '\(column.name)': \(why)", column: column.name)
        }
        guard !column.name.isEmpty else { throw reject("a column needs a name") }
        guard column.repetition != .repeated else {
            throw reject(
                "a column is REQUIRED or OPTIONAL; for repeated values use a list node (ParquetSchema(nodes:))")
        }
        switch column.physicalType {
        case .int96: throw reject("INT96 is a legacy type that ParquetLite reads but does not write")
        case .fixedLenByteArray:
            guard let length = column.typeLength, length > 0 else {
                throw reject("FIXED_LEN_BYTE_ARRAY needs a positive typeLength")
            }
        default:
            guard column.typeLength == nil else { throw reject("typeLength is only for FIXED_LEN_BYTE_ARRAY") }
        }
        guard let logical = column.logicalType else { return }
        let physical = column.physicalType
        switch logical {
        case .string:
            guard physical == .byteArray else { throw reject("STRING needs BYTE_ARRAY") }
        case .date:
            guard physical == .int32 else { throw reject("DATE needs INT32") }
        case .timestamp:
            guard physical == .int64 else { throw reject("TIMESTAMP needs INT64") }
        case .uuid:
            guard physical == .fixedLenByteArray, column.typeLength == 16 else {
                throw reject("UUID needs FIXED_LEN_BYTE_ARRAY(16)")
            }
        case .integer(let bitWidth, _):
            guard [8, 16, 32, 64].contains(bitWidth) else { throw reject("INT bit width must be 8, 16, 32 or 64") }
            guard physical == (bitWidth == 64 ? .int64 : .int32) else {
                throw reject("INT(\(bitWidth)) needs \(bitWidth == 64 ? "INT64" : "INT32")")
            }
        case .decimal(let precision, let scale):
            guard precision >= 1, scale >= 0, scale <= precision else {
                throw reject("DECIMAL needs 1 ≤ precision and 0 ≤ scale ≤ precision (got \(precision), \(scale))")
            }
            switch physical {
            case .int32 where precision <= 9, .int64 where precision <= 18: break
            case .fixedLenByteArray where precision <= DecimalLayout.maxPrecision(bytes: column.typeLength ?? 0): break
            default: throw reject("DECIMAL(\(precision), \(scale)) does not fit \(physical)")
            }
        }
    }
}

/// How many bytes a decimal of a given precision needs, as two's complement.
enum DecimalLayout {
    /// The most decimal digits that `bytes` bytes of two's complement always hold.
    static func maxPrecision(bytes: Int32) -> Int32 {
        guard bytes > 0 else { return 0 }
        // floor(log10(2^(8n-1) - 1))
        return Int32((Double(8 * Int(bytes) - 1) * 0.301_029_995_663_981_2).rounded(.down))
    }

    /// The fewest bytes that hold every decimal of `precision` digits.
    static func bytesNeeded(precision: Int32) -> Int32 {
        var bytes: Int32 = 1
        while maxPrecision(bytes: bytes) < precision { bytes += 1 }
        return bytes
    }
}
