/// One field of a schema to write, nested to any depth: a column, a struct, a list or a map.
///
/// Lists and maps are written in the standard three-level forms of the Parquet format
/// (`<name> (LIST) { repeated group list { element } }`,
/// `<name> (MAP) { repeated group key_value { required key; value } }`), which pyarrow, DuckDB,
/// Spark and delta-rs all read. The reader gives a map back as a list of `key`/`value` structs.
///
/// ```swift
/// let schema = try ParquetSchema(nodes: [
///     .column(.string("path")),
///     .map("partitionValues", key: .string("key"), value: .column(.string("value", repetition: .optional))),
///     .structure("stats", repetition: .optional, [.column(.int64("numRecords"))]),
///     .list("tags", element: .column(.string("element"))),
/// ])
/// ```
public indirect enum ParquetSchemaNode: Sendable, Hashable {
    /// A leaf column (REQUIRED or OPTIONAL).
    case column(ParquetColumn)
    /// A struct of `fields`, in order.
    case structure(name: String, repetition: ParquetRepetition, fields: [ParquetSchemaNode])
    /// A list of `element` (stored under the name `element`).
    case list(name: String, repetition: ParquetRepetition, element: ParquetSchemaNode)
    /// A map from `key` (REQUIRED; stored as `key`) to `value` (stored as `value`).
    case map(name: String, repetition: ParquetRepetition, key: ParquetColumn, value: ParquetSchemaNode)

    /// A struct; OPTIONAL unless told.
    public static func structure(
        _ name: String, repetition: ParquetRepetition = .optional, _ fields: [ParquetSchemaNode]
    ) -> Self {
        .structure(name: name, repetition: repetition, fields: fields)
    }

    /// A list; OPTIONAL unless told.
    public static func list(
        _ name: String, repetition: ParquetRepetition = .optional, element: ParquetSchemaNode
    ) -> Self {
        .list(name: name, repetition: repetition, element: element)
    }

    /// A map; OPTIONAL unless told.
    public static func map(
        _ name: String, repetition: ParquetRepetition = .optional, key: ParquetColumn, value: ParquetSchemaNode
    ) -> Self {
        .map(name: name, repetition: repetition, key: key, value: value)
    }

    /// The field's name.
    public var name: String {
        switch self {
        case .column(let column): column.name
        case .structure(let name, _, _), .list(let name, _, _), .map(let name, _, _, _): name
        }
    }

    /// Whether the field may be null.
    public var repetition: ParquetRepetition {
        switch self {
        case .column(let column): column.repetition
        case .structure(_, let repetition, _), .list(_, let repetition, _), .map(_, let repetition, _, _): repetition
        }
    }
}

/// How a written group is annotated.
enum WrittenGroupAnnotation: Sendable, Hashable {
    case list
    case map
}

/// The stored form of a schema to write: the tree of schema elements in depth-first order, and
/// its leaves with their paths and level maxima.
enum SchemaLayout {
    /// One stored schema element.
    struct Element: Sendable, Hashable {
        /// A leaf's column, or `nil` for a group.
        var column: ParquetColumn?
        var name: String
        var repetition: ParquetRepetition
        var childCount = 0
        var annotation: WrittenGroupAnnotation?
    }

    /// The schema elements under the root (depth-first) and the leaf columns; a leaf below the
    /// top level is named by its dotted path and carries its ``ColumnNesting``.
    static func flatten(_ nodes: [ParquetSchemaNode]) throws -> (elements: [Element], leaves: [ParquetColumn]) {
        var elements: [Element] = []
        var leaves: [ParquetColumn] = []
        func visit(_ node: ParquetSchemaNode, storedName: String, path: [String], definition: Int, repetition: Int)
            throws
        {
            let name = storedName
            guard !name.isEmpty else {
                throw ParquetError(
                    code: .invalidSchema, message: "a field under '\(path.joined(separator: "."))' needs a name")
            }
            let here = path + [name]
            let own = definition + (node.repetition == .optional ? 1 : 0)
            func group(_ annotation: WrittenGroupAnnotation?, children: Int) {
                elements.append(
                    Element(
                        column: nil, name: name, repetition: node.repetition, childCount: children,
                        annotation: annotation))
            }
            switch node {
            case .column(var column):
                guard column.repetition != .repeated else {
                    throw ParquetError(
                        code: .invalidSchema,
                        message: "column '\(here.joined(separator: "."))': use a list node for repeated values",
                        column: here.joined(separator: "."))
                }
                column.name = name
                try ParquetSchema.check(column)
                if here.count > 1 {
                    column.name = here.joined(separator: ".")
                    column.nesting = ColumnNesting(
                        path: here, maxDefinitionLevel: own, maxRepetitionLevel: repetition)
                }
                elements.append(Element(column: column, name: name, repetition: column.repetition))
                leaves.append(column)
            case .structure(_, _, let fields):
                guard !fields.isEmpty else {
                    throw ParquetError(
                        code: .invalidSchema,
                        message: "struct '\(here.joined(separator: "."))' needs at least one field")
                }
                try checkRepetition(node, here)
                group(nil, children: fields.count)
                var names = Set<String>()
                for field in fields {
                    guard names.insert(field.name).inserted else {
                        throw ParquetError(
                            code: .invalidSchema,
                            message: "struct '\(here.joined(separator: "."))' has two fields named '\(field.name)'")
                    }
                    try visit(field, storedName: field.name, path: here, definition: own, repetition: repetition)
                }
            case .list(_, _, let element):
                try checkRepetition(node, here)
                group(.list, children: 1)
                elements.append(Element(column: nil, name: "list", repetition: .repeated, childCount: 1))
                try visit(
                    element, storedName: "element", path: here + ["list"], definition: own + 1,
                    repetition: repetition + 1)
            case .map(_, _, var key, let value):
                try checkRepetition(node, here)
                guard key.repetition == .required else {
                    throw ParquetError(
                        code: .invalidSchema, message: "map '\(here.joined(separator: "."))': keys must be REQUIRED")
                }
                group(.map, children: 1)
                elements.append(Element(column: nil, name: "key_value", repetition: .repeated, childCount: 2))
                key.name = "key"
                try visit(
                    .column(key), storedName: "key", path: here + ["key_value"], definition: own + 1,
                    repetition: repetition + 1)
                try visit(
                    value, storedName: "value", path: here + ["key_value"], definition: own + 1,
                    repetition: repetition + 1)
            }
        }
        for node in nodes {
            try visit(node, storedName: node.name, path: [], definition: 0, repetition: 0)
        }
        return (elements, leaves)
    }

    private static func checkRepetition(_ node: ParquetSchemaNode, _ path: [String]) throws {
        guard node.repetition != .repeated else {
            throw ParquetError(
                code: .invalidSchema,
                message: "'\(path.joined(separator: "."))' is REPEATED; wrap repeated values in a list node")
        }
    }
}
