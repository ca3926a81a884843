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
    /// `boolean`; what `Bool` values are sent as.
    public static let bool = PGDataType(rawValue: 16)
    /// `bytea`, raw bytes; what ``PGBytes`` and `Data` values are sent as.
    public static let bytea = PGDataType(rawValue: 17)
    /// `name`, the 63-byte identifier type of the system catalogs; reads as a string.
    public static let name = PGDataType(rawValue: 19)
    /// `bigint`, 8 bytes; what `Int` and `Int64` values are sent as.
    public static let int8 = PGDataType(rawValue: 20)
    /// `smallint`, 2 bytes; what `Int16` values are sent as.
    public static let int2 = PGDataType(rawValue: 21)
    /// `integer`, 4 bytes; what `Int32` values are sent as.
    public static let int4 = PGDataType(rawValue: 23)
    /// `text`, a string of any length; the element type of `[String]` parameters.
    public static let text = PGDataType(rawValue: 25)
    /// `oid`, the unsigned 4-byte object identifier of catalog columns; reads into any integer type it fits.
    public static let oid = PGDataType(rawValue: 26)
    /// `json`, kept as the text it was given; reads as a string.
    public static let json = PGDataType(rawValue: 114)
    /// `real`, a 4-byte IEEE 754 float; what `Float` values are sent as.
    public static let float4 = PGDataType(rawValue: 700)
    /// `double precision`, an 8-byte IEEE 754 float; what `Double` values are sent as.
    public static let float8 = PGDataType(rawValue: 701)
    /// `character(n)`, blank-padded to its declared length; reads as a string, padding included.
    public static let bpchar = PGDataType(rawValue: 1042)
    /// `character varying(n)`, a string with a length limit; reads as a string.
    public static let varchar = PGDataType(rawValue: 1043)
    /// `date`, a calendar day with no time; reads into `Date` as midnight UTC.
    public static let date = PGDataType(rawValue: 1082)
    /// `timestamp` without time zone; reads into `Date` taken as UTC.
    public static let timestamp = PGDataType(rawValue: 1114)
    /// `timestamptz`, an instant to the microsecond; what `Date` values are sent as, in UTC.
    public static let timestamptz = PGDataType(rawValue: 1184)
    /// `numeric`, exact decimal; what `Decimal` values are sent as, so amounts never pass through `Double`.
    public static let numeric = PGDataType(rawValue: 1700)
    /// `uuid`; what `UUID` values are sent as.
    public static let uuid = PGDataType(rawValue: 2950)
    /// `jsonb`, JSON stored parsed; reads as a string (the server's normalized text).
    public static let jsonb = PGDataType(rawValue: 3802)
    /// `smallint[]`.
    public static let int2Array = PGDataType(rawValue: 1005)
    /// `integer[]`.
    public static let int4Array = PGDataType(rawValue: 1007)
    /// `text[]`; what `[String]` values are sent as.
    public static let textArray = PGDataType(rawValue: 1009)
    /// `character varying[]`.
    public static let varcharArray = PGDataType(rawValue: 1015)
    /// `bigint[]`; what `[Int64]` values are sent as (for example to `= ANY($1)`).
    public static let int8Array = PGDataType(rawValue: 1016)
    /// `double precision[]`; what `[Double]` values are sent as.
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
    var isTextual: Bool {
        switch self {
        case .text, .varchar, .bpchar, .name, .json, .jsonb, .unspecified: true
        default: false
        }
    }

    /// Integer types, which read into any integer type their value fits.
    var isInteger: Bool {
        switch self {
        case .int2, .int4, .int8, .oid: true
        default: false
        }
    }

    /// The types `Double` and `Float` read: floats, integers and `numeric`.
    var isFloatingPointSource: Bool {
        switch self {
        case .float4, .float8, .numeric: true
        default: isInteger && self != .oid
        }
    }
}
