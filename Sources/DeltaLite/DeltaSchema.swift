import Foundation

/// A Delta table's schema: top-level columns of primitive types, written as Spark's JSON schema
/// (the `schemaString` of the table's metadata).
public struct DeltaSchema: Sendable, Hashable {
    /// A column's type, by Spark's name (`long`, `decimal(12,2)`).
    public struct FieldType: Sendable, Hashable, CustomStringConvertible {
        /// Spark's name of the type.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// UTF-8 text (silver's ids, names and `bronze_key`).
        public static let string = FieldType("string")
        /// A signed 64-bit integer (silver's `quantity` and `bronze_line`).
        public static let long = FieldType("long")
        /// A signed 32-bit integer.
        public static let integer = FieldType("integer")
        /// A signed 16-bit integer.
        public static let short = FieldType("short")
        /// A signed 8-bit integer.
        public static let byte = FieldType("byte")
        /// An IEEE 754 64-bit floating-point number.
        public static let double = FieldType("double")
        /// An IEEE 754 32-bit floating-point number.
        public static let float = FieldType("float")
        /// `true` or `false`.
        public static let boolean = FieldType("boolean")
        /// Arbitrary bytes (the quarantine's `payload`).
        public static let binary = FieldType("binary")
        /// A calendar day without a time zone (silver's partition column `event_date`).
        public static let date = FieldType("date")
        /// Microseconds since 1970, UTC.
        public static let timestamp = FieldType("timestamp")

        /// A decimal of `precision` digits, `scale` of them after the point.
        public static func decimal(_ precision: Int, _ scale: Int) -> FieldType {
            FieldType("decimal(\(precision),\(scale))")
        }

        /// The type named `name`, if this reader supports it.
        public init?(name: String) {
            let primitives = [
                "string", "long", "integer", "short", "byte", "double", "float", "boolean", "binary", "date",
                "timestamp",
            ]
            if primitives.contains(name) {
                self.init(name)
                return
            }
            let digits = name.dropFirst("decimal(".count).dropLast().split(separator: ",")
            guard name.hasPrefix("decimal("), name.hasSuffix(")"), digits.count == 2,
                let precision = Int(digits[0]), let scale = Int(digits[1]), (1...38).contains(precision),
                (0...precision).contains(scale)
            else { return nil }
            self.init(name)
        }

        /// Spark's name of the type, as ``name``: how `schemaString` and error messages write it.
        public var description: String { name }
    }

    /// One column.
    public struct Field: Sendable, Hashable {
        /// The column's name in `schemaString` and in the data files (a partition column's name
        /// is also the directory's `name=value`).
        public var name: String
        /// What the column holds: the field's `type` in `schemaString`.
        public var type: FieldType
        /// Whether the column may hold nulls: the field's `nullable` (`true` when a schema read
        /// from the log omits it).
        public var nullable: Bool

        /// A column `name` of type `type`, nullable unless `nullable` is `false`.
        public init(_ name: String, _ type: FieldType, nullable: Bool = true) {
            self.name = name
            self.type = type
            self.nullable = nullable
        }
    }

    /// The table's columns in order, partition columns included (the data files hold all but
    /// those).
    public var fields: [Field]

    /// A schema of `fields`, in that order.
    public init(_ fields: [Field]) { self.fields = fields }

    /// `{"type":"struct","fields":[{"name":…,"type":…,"nullable":…,"metadata":{}}…]}`.
    ///
    /// - Throws: ``DeltaError`` ``DeltaError/Code/invalidLog`` when Foundation cannot encode it.
    public var schemaString: String {
        get throws {
            let object: [String: Any] = [
                "type": "struct",
                "fields": fields.map {
                    ["name": $0.name, "type": $0.type.name, "nullable": $0.nullable, "metadata": [String: String]()]
                        as [String: Any]
                },
            ]
            return try DeltaJSON.line(object, what: "the table's schema")
        }
    }

    /// Reads a `schemaString`.
    ///
    /// - Throws: ``DeltaError`` with ``DeltaError/Code/invalidLog`` when it is not a
    ///   struct of top-level primitive columns.
    public init(schemaString: String) throws {
        func invalid(_ detail: String) -> DeltaError {
            DeltaError(code: .invalidLog, message: "the table's schema \(detail)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(schemaString.utf8))) as? [String: Any],
            object["type"] as? String == "struct", let fields = object["fields"] as? [[String: Any]]
        else { throw invalid("is not a JSON struct: \(schemaString.prefix(200))") }
        self.fields = try fields.map { field in
            guard let name = field["name"] as? String, let typeName = field["type"] as? String else {
                throw invalid("has a field without a name or a primitive type")
            }
            guard let type = FieldType(name: typeName) else {
                throw invalid("has column \(name) of type \(typeName), which this reader does not support")
            }
            return Field(name, type, nullable: field["nullable"] as? Bool ?? true)
        }
    }
}
