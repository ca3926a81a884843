/// One field of a file's schema as the reader presents it: a primitive column, a list or a
/// struct, nested to any depth.
///
/// The stored schema's shapes are resolved as the Parquet format's compatibility rules say: a
/// group annotated LIST with one repeated child is a list (the standard three-level form, and
/// the legacy two-level forms, including a child named `array` or `<name>_tuple`); a group
/// annotated MAP is a list of `key`/`value` structs; any other REPEATED field is a list of
/// required elements; any other group is a struct.
public struct ParquetField: Sendable, Hashable {
    /// What a field holds.
    public indirect enum Kind: Sendable, Hashable {
        /// A leaf column: its physical type, its logical type (from the `LogicalType` union, or
        /// from the legacy `ConvertedType` when that is all the file has) and, for
        /// FIXED_LEN_BYTE_ARRAY, its width. INT96 columns are read as INT64 nanoseconds since
        /// 1970 with the logical type `timestamp(.nanoseconds, isAdjustedToUTC: false)`.
        case primitive(ParquetPhysicalType, logicalType: ParquetLogicalType?, typeLength: Int32?)
        /// A list of `element`.
        case list(element: ParquetField)
        /// A struct of `fields`, in order.
        case structure(fields: [ParquetField])
    }

    /// The field's name (for a list's element, the stored element's name).
    public var name: String
    /// Whether a value may be null.
    public var isNullable: Bool
    /// Whether the field is a leaf column (with its types), a list or a struct; lists and structs hold their
    /// children's fields.
    public var kind: Kind

    /// The definition level at which a value of this field is present (not null).
    var definitionLevel: Int
    /// For a list: the repetition level of its repeated node, and the definition level at which
    /// it has at least one element.
    var repetitionLevel = 0
    var elementDefinitionLevel = 0
    /// The leaf columns under this field (indices into the file's leaves and row-group chunks).
    var leaves: Range<Int>
    /// The leaf's maxima (for a primitive).
    var maxRepetitionLevel = 0

    /// The number of leaf columns (column chunks per row group) under this field.
    public var leafCount: Int { leaves.count }
}

/// Builds the reader's fields from a footer's schema elements.
enum FieldResolution {
    /// The stored tree, with each leaf's index among the leaves.
    private final class Node {
        let element: ParquetSchemaElement
        var children: [Node] = []
        var leaf = 0
        var leafEnd = 0
        init(_ element: ParquetSchemaElement) { self.element = element }
    }

    /// The top-level fields of `metadata`'s schema (checked to be a tree when it was decoded).
    static func fields(of metadata: ParquetFileMetadata) throws -> [ParquetField] {
        var index = 0
        var leafCount = 0
        func build() -> Node {
            let node = Node(metadata.schema[index])
            index += 1
            node.leaf = leafCount
            if let children = node.element.childCount {
                for _ in 0..<children { node.children.append(build()) }
            } else {
                leafCount += 1
            }
            node.leafEnd = leafCount
            return node
        }
        let root = build()
        return try root.children.map { try field($0, definition: 0, repetition: 0) }
    }

    private static func corrupt(_ why: String) -> ParquetError {
        ParquetError(code: .corruptMetadata, message: "schema: \(why)")
    }

    private static func isListAnnotated(_ element: ParquetSchemaElement) -> Bool {
        element.groupAnnotation == .list
    }

    /// The field for `node` under a parent present at `definition`, inside `repetition` lists.
    private static func field(_ node: Node, definition: Int, repetition: Int) throws -> ParquetField {
        let element = node.element
        if element.repetition == .repeated {
            // A bare repeated field: a required list of required elements.
            let inner = definition + 1
            let elementField = try plain(node, definition: inner, repetition: repetition + 1, nullable: false)
            return ParquetField(
                name: element.name, isNullable: false, kind: .list(element: elementField), definitionLevel: definition,
                repetitionLevel: repetition + 1, elementDefinitionLevel: inner,
                leaves: node.leaf..<node.leafEnd)
        }
        let own = definition + (element.repetition == .optional ? 1 : 0)
        if let annotation = element.groupAnnotation, node.children.count == 1,
            node.children[0].element.repetition == .repeated
        {
            let repeated = node.children[0]
            let inner = own + 1
            let elementField: ParquetField
            let legacyNames = ["array", "\(element.name)_tuple"]
            if annotation == .list, repeated.children.count == 1, repeated.element.childCount != nil,
                !legacyNames.contains(repeated.element.name)
            {
                // Three levels: list → repeated group → element.
                elementField = try field(repeated.children[0], definition: inner, repetition: repetition + 1)
            } else {
                // Two levels (or a map's key_value group): the repeated node is the element.
                elementField = try plain(repeated, definition: inner, repetition: repetition + 1, nullable: false)
            }
            return ParquetField(
                name: element.name, isNullable: element.repetition == .optional, kind: .list(element: elementField),
                definitionLevel: own, repetitionLevel: repetition + 1, elementDefinitionLevel: inner,
                leaves: node.leaf..<node.leafEnd)
        }
        return try plain(node, definition: own, repetition: repetition, nullable: element.repetition == .optional)
    }

    /// `node` as a struct or primitive present at `definition`, whatever its stored repetition.
    private static func plain(_ node: Node, definition: Int, repetition: Int, nullable: Bool) throws -> ParquetField {
        let element = node.element
        guard element.childCount != nil else {
            guard let physical = element.physicalType else { throw corrupt("'\(element.name)' has no type") }
            if physical == .fixedLenByteArray, (element.typeLength ?? 0) <= 0 {
                throw corrupt("FIXED_LEN_BYTE_ARRAY column '\(element.name)' without a positive type_length")
            }
            let kind: ParquetField.Kind =
                physical == .int96
                ? .primitive(
                    .int64, logicalType: .timestamp(unit: .nanoseconds, isAdjustedToUTC: false), typeLength: nil)
                : .primitive(physical, logicalType: element.effectiveLogicalType, typeLength: element.typeLength)
            var field = ParquetField(
                name: element.name, isNullable: nullable, kind: kind, definitionLevel: definition,
                leaves: node.leaf..<node.leafEnd)
            field.maxRepetitionLevel = repetition
            return field
        }
        guard !node.children.isEmpty else { throw corrupt("group '\(element.name)' has no children") }
        let children = try node.children.map { try field($0, definition: definition, repetition: repetition) }
        return ParquetField(
            name: element.name, isNullable: nullable, kind: .structure(fields: children), definitionLevel: definition,
            leaves: node.leaf..<node.leafEnd)
    }
}

/// How a group is annotated, for the list and map shapes.
enum GroupAnnotation: Sendable {
    case list
    case map
}

extension ParquetSchemaElement {
    /// LIST or MAP (from the logical type union, or the legacy converted type).
    var groupAnnotation: GroupAnnotation? {
        switch (logicalTypeID, convertedType) {
        case (3, _), (nil, 3): .list
        case (2, _), (nil, 1), (nil, 2): .map
        default: nil
        }
    }

    /// The logical type, or the one the legacy `ConvertedType` implies when the file has only that.
    public var effectiveLogicalType: ParquetLogicalType? {
        if let logicalType { return logicalType }
        switch logicalTypeID {
        case 4, 12: return .string  // ENUM, JSON: UTF-8 text
        default: break
        }
        guard logicalTypeID == nil, let convertedType else { return nil }
        switch convertedType {
        case 0, 4, 19: return .string  // UTF8, ENUM, JSON
        case 5: return .decimal(precision: precision ?? 0, scale: scale ?? 0)
        case 6: return .date
        case 9: return .timestamp(unit: .milliseconds, isAdjustedToUTC: true)
        case 10: return .timestamp(unit: .microseconds, isAdjustedToUTC: true)
        case 11...14: return .integer(bitWidth: Int8(8 << (convertedType - 11)), isSigned: false)
        case 15...18: return .integer(bitWidth: Int8(8 << (convertedType - 15)), isSigned: true)
        default: return nil
        }
    }
}
