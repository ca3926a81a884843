extension ParquetSchema {
    /// Turns rows of values into the column batches ``ParquetWriter/write(_:)`` takes: one per
    /// leaf, with definition and repetition levels for the leaves inside structs, lists and maps.
    ///
    /// Each row holds one value per top-level field (``nodes``), shaped as the reader gives it
    /// back: `.structure` with one value per field for a struct, `.list` for a list, and for a map
    /// a `.list` of two-field `.structure` values (key, value); `.null` for a null.
    ///
    /// ```swift
    /// let batches = try schema.columnBatches(rows: [
    ///     [.string("part-0.parquet"), .list([.structure(names: ["key", "value"], values: [.string("day"), .null])])],
    /// ])
    /// ```
    ///
    /// This is the convenient path for small, deeply shaped data (metadata, logs); for bulk
    /// flat data build the batches directly.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/schemaViolation`` naming the column and
    ///   the row: a row of the wrong width, a null where the schema says REQUIRED, a value of the
    ///   wrong shape or type.
    public func columnBatches(rows: [[ParquetValue]]) throws -> [ParquetColumnBatch] {
        var shredder = RowShredder(columns: columns)
        for (index, row) in rows.enumerated() {
            guard row.count == nodes.count else {
                throw ParquetError(
                    code: .schemaViolation,
                    message: "row \(index) has \(row.count) values; the schema has \(nodes.count) top-level fields")
            }
            shredder.row = index
            var leaf = 0
            for (node, value) in zip(nodes, row) {
                try shredder.shred(node, value, repetition: 0, definition: 0, depth: 0, leaf: leaf)
                leaf += node.leafCount
            }
        }
        return try shredder.batches()
    }
}

extension ParquetSchemaNode {
    /// The number of leaf columns under this field.
    var leafCount: Int {
        switch self {
        case .column: 1
        case .structure(_, _, let fields): fields.reduce(0) { $0 + $1.leafCount }
        case .list(_, _, let element): element.leafCount
        case .map(_, _, _, let value): 1 + value.leafCount
        }
    }
}

/// Walks row values down the schema tree (the Dremel shredding) and gathers each leaf's levels
/// and present values.
private struct RowShredder {
    let columns: [ParquetColumn]
    var definitions: [[UInt16]]
    var repetitions: [[UInt16]]
    var values: [[ParquetValue]]
    var row = 0

    init(columns: [ParquetColumn]) {
        self.columns = columns
        definitions = Array(repeating: [], count: columns.count)
        repetitions = Array(repeating: [], count: columns.count)
        values = Array(repeating: [], count: columns.count)
    }

    private func violation(_ leaf: Int, _ why: String) -> ParquetError {
        let name = columns[leaf].name
        return ParquetError(code: .schemaViolation, message: "row \(row), column '\(name)': \(why)", column: name)
    }

    /// A slot with no value at `definition` for every leaf under `node`.
    private mutating func absent(_ node: ParquetSchemaNode, repetition: Int, definition: Int, leaf: Int) {
        for index in leaf..<(leaf + node.leafCount) {
            definitions[index].append(UInt16(definition))
            repetitions[index].append(UInt16(repetition))
        }
    }

    mutating func shred(
        _ node: ParquetSchemaNode, _ value: ParquetValue, repetition: Int, definition: Int, depth: Int, leaf: Int
    ) throws {
        if value == .null {
            guard node.repetition == .optional else { throw violation(leaf, "'\(node.name)' is REQUIRED but null") }
            absent(node, repetition: repetition, definition: definition, leaf: leaf)
            return
        }
        let own = definition + (node.repetition == .optional ? 1 : 0)
        switch node {
        case .column:
            definitions[leaf].append(UInt16(own))
            repetitions[leaf].append(UInt16(repetition))
            values[leaf].append(value)
        case .structure(_, _, let fields):
            guard case .structure(_, let fieldValues) = value, fieldValues.count == fields.count else {
                throw violation(leaf, "'\(node.name)' is a struct of \(fields.count) fields; the row holds \(value)")
            }
            var child = leaf
            for (field, fieldValue) in zip(fields, fieldValues) {
                try shred(field, fieldValue, repetition: repetition, definition: own, depth: depth, leaf: child)
                child += field.leafCount
            }
        case .list(_, _, let element):
            guard case .list(let items) = value else {
                throw violation(leaf, "'\(node.name)' is a list; the row holds \(value)")
            }
            guard !items.isEmpty else { return absent(node, repetition: repetition, definition: own, leaf: leaf) }
            for (index, item) in items.enumerated() {
                try shred(
                    element, item, repetition: index == 0 ? repetition : depth + 1, definition: own + 1,
                    depth: depth + 1, leaf: leaf)
            }
        case .map(_, _, let key, let valueNode):
            guard case .list(let entries) = value else {
                throw violation(leaf, "'\(node.name)' is a map (a list of key/value structs); the row holds \(value)")
            }
            guard !entries.isEmpty else { return absent(node, repetition: repetition, definition: own, leaf: leaf) }
            for (index, entry) in entries.enumerated() {
                guard case .structure(_, let pair) = entry, pair.count == 2 else {
                    throw violation(leaf, "an entry of map '\(node.name)' must be a key/value struct; it is \(entry)")
                }
                let entryRepetition = index == 0 ? repetition : depth + 1
                try shred(
                    .column(key), pair[0], repetition: entryRepetition, definition: own + 1, depth: depth + 1,
                    leaf: leaf)
                try shred(
                    valueNode, pair[1], repetition: entryRepetition, definition: own + 1, depth: depth + 1,
                    leaf: leaf + 1)
            }
        }
    }

    /// One batch per leaf: a flat batch with validity for a top-level column, levels otherwise.
    func batches() throws -> [ParquetColumnBatch] {
        try columns.indices.map { leaf in
            let column = columns[leaf]
            let stored = try storedValues(leaf)
            guard column.nesting != nil else {
                let maximum = UInt16(column.maxDefinitionLevel)
                let hasNull = definitions[leaf].contains { $0 != maximum }
                return ParquetColumnBatch(stored, validity: hasNull ? definitions[leaf].map { $0 == maximum } : nil)
            }
            return ParquetColumnBatch(
                stored,
                levels: ParquetLevels(
                    definition: definitions[leaf], repetition: column.maxRepetitionLevel > 0 ? repetitions[leaf] : []))
        }
    }

    /// A leaf's present values in its physical type.
    private func storedValues(_ leaf: Int) throws -> ParquetColumnBatch.Values {
        let column = columns[leaf]
        let present = values[leaf]
        func mismatch(_ value: ParquetValue) -> ParquetError {
            ParquetError(
                code: .schemaViolation,
                message: "column '\(column.name)': \(value) cannot be stored in a \(column.physicalType) column",
                column: column.name)
        }
        switch column.physicalType {
        case .boolean:
            return .boolean(
                try present.map {
                    guard case .boolean(let flag) = $0 else { throw mismatch($0) }
                    return flag
                })
        case .int32:
            return .int32(
                try present.map {
                    switch $0 {
                    case .integer(let number): if let exact = Int32(exactly: number) { return exact }
                    case .unsignedInteger(let number):
                        if let exact = UInt32(exactly: number) { return Int32(bitPattern: exact) }
                    case .date(let days): return days
                    default: break
                    }
                    throw mismatch($0)
                })
        case .int64:
            return .int64(
                try present.map {
                    switch $0 {
                    case .integer(let number): return number
                    case .unsignedInteger(let number): return Int64(bitPattern: number)
                    case .timestamp(let instant, _, _): return instant
                    default: throw mismatch($0)
                    }
                })
        case .float:
            return .float(
                try present.map {
                    guard case .float(let number) = $0 else { throw mismatch($0) }
                    return number
                })
        case .double:
            return .double(
                try present.map {
                    guard case .double(let number) = $0 else { throw mismatch($0) }
                    return number
                })
        case .byteArray:
            return .byteArray(
                ParquetByteArrays(
                    values: try present.map {
                        switch $0 {
                        case .string(let text): return Array(text.utf8)
                        case .bytes(let bytes): return bytes
                        default: throw mismatch($0)
                        }
                    }))
        case .fixedLenByteArray, .int96:
            let width = Int(column.typeLength ?? 0)
            var bytes: [UInt8] = []
            for value in present {
                switch value {
                case .bytes(let raw) where raw.count == width: bytes += raw
                case .decimal(let decimal) where decimal.unscaledBytes.count == width: bytes += decimal.unscaledBytes
                default: throw mismatch(value)
                }
            }
            return .fixedLenByteArray(bytes: bytes, width: width)
        }
    }
}
