/// A PostgreSQL data type, by its OID (`pg_type.oid`).
///
/// The built-in types PGLite encodes and decodes have names here; any other OID can be made
/// with ``init(rawValue:)``.
public struct PGDataType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The OID.
    public let rawValue: UInt32

    /// Creates a type from its OID.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Unknown: the server infers the parameter's type from the statement.
    public static let unspecified = PGDataType(rawValue: 0)
    public static let bool = PGDataType(rawValue: 16)
    public static let bytea = PGDataType(rawValue: 17)
    public static let name = PGDataType(rawValue: 19)
    public static let int8 = PGDataType(rawValue: 20)
    public static let int2 = PGDataType(rawValue: 21)
    public static let int4 = PGDataType(rawValue: 23)
    public static let text = PGDataType(rawValue: 25)
    public static let oid = PGDataType(rawValue: 26)
    public static let json = PGDataType(rawValue: 114)
    public static let float4 = PGDataType(rawValue: 700)
    public static let float8 = PGDataType(rawValue: 701)
    public static let bpchar = PGDataType(rawValue: 1042)
    public static let varchar = PGDataType(rawValue: 1043)
    public static let date = PGDataType(rawValue: 1082)
    public static let timestamp = PGDataType(rawValue: 1114)
    public static let timestamptz = PGDataType(rawValue: 1184)
    public static let numeric = PGDataType(rawValue: 1700)
    public static let uuid = PGDataType(rawValue: 2950)
    public static let jsonb = PGDataType(rawValue: 3802)
    public static let int2Array = PGDataType(rawValue: 1005)
    public static let int4Array = PGDataType(rawValue: 1007)
    public static let textArray = PGDataType(rawValue: 1009)
    public static let varcharArray = PGDataType(rawValue: 1015)
    public static let int8Array = PGDataType(rawValue: 1016)
    public static let float8Array = PGDataType(rawValue: 1022)

    private static let names: [UInt32: String] = [
        0: "unspecified", 16: "boolean", 17: "bytea", 19: "name", 20: "bigint", 21: "smallint", 23: "integer",
        25: "text", 26: "oid", 114: "json", 700: "real", 701: "double precision", 1042: "character",
        1043: "character varying", 1082: "date", 1114: "timestamp", 1184: "timestamptz", 1700: "numeric",
        2950: "uuid", 3802: "jsonb", 1005: "smallint[]", 1007: "integer[]", 1009: "text[]",
        1015: "character varying[]", 1016: "bigint[]",
    ]

    /// The SQL name for the built-in types PGLite knows, else `oid <n>`.
    public var description: String { Self.names[rawValue] ?? "oid \(rawValue)" }

    /// Text-like types, whose text representation is the value itself.
    var isTextual: Bool { [.text, .varchar, .bpchar, .name, .json, .jsonb, .unspecified].contains(self) }
}
