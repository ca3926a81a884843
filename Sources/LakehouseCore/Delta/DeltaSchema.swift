import Foundation

/// A Delta table's schema: top-level columns of primitive types, written as Spark's JSON schema
/// (the `schemaString` of the table's metadata).
public struct DeltaSchema: Sendable, Hashable {
    /// A column's type, by Spark's name (`long`, `decimal(12,2)`).
    public struct FieldType: Sendable, Hashable, CustomStringConvertible {
        /// Spark's name of the type.
        public let name: String

        private init(_ name: String) { self.name = name }

        public static let string = FieldType("string")
        public static let long = FieldType("long")
        public static let integer = FieldType("integer")
        public static let short = FieldType("short")
        public static let byte = FieldType("byte")
        public static let double = FieldType("double")
        public static let float = FieldType("float")
        public static let boolean = FieldType("boolean")
        public static let binary = FieldType("binary")
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

        public var description: String { name }
    }

    /// One column.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var type: FieldType
        public var nullable: Bool

        public init(_ name: String, _ type: FieldType, nullable: Bool = true) {
            self.name = name
            self.type = type
            self.nullable = nullable
        }
    }

    public var fields: [Field]

    public init(_ fields: [Field]) { self.fields = fields }

    /// `{"type":"struct","fields":[{"name":…,"type":…,"nullable":…,"metadata":{}}…]}`.
    ///
    /// - Throws: `LakehouseError` `.invalidDeltaLog` when Foundation cannot encode it.
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
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidDeltaLog`` when it is not a
    ///   struct of top-level primitive columns.
    public init(schemaString: String) throws {
        func invalid(_ detail: String) -> LakehouseError {
            LakehouseError(code: .invalidDeltaLog, message: "the table's schema \(detail)")
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
