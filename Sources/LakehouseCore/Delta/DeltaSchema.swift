import Foundation

/// A Delta table's schema: top-level columns of primitive types, written as Spark's JSON schema
/// (the `schemaString` of the table's metadata).
public struct DeltaSchema: Sendable, Hashable {
    /// A column's type, by Spark's name.
    public enum FieldType: String, Sendable, Hashable {
        case string, long, integer, short, byte, double, float, boolean, binary, date
        /// Microseconds since 1970, UTC.
        case timestamp
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
    public var schemaString: String {
        let object: [String: Any] = [
            "type": "struct",
            "fields": fields.map {
                ["name": $0.name, "type": $0.type.rawValue, "nullable": $0.nullable, "metadata": [String: String]()]
                    as [String: Any]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
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
            guard let type = FieldType(rawValue: typeName) else {
                throw invalid("has column \(name) of type \(typeName), which this reader does not support")
            }
            return Field(name, type, nullable: field["nullable"] as? Bool ?? true)
        }
    }
}
