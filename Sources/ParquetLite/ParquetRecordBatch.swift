/// Rows read from a Parquet file: one typed vector per selected top-level field.
public struct ParquetRecordBatch: Sendable {
    /// The selected fields, in the order asked for (file order when all are read).
    public let fields: [ParquetField]
    /// One vector per field, each of ``rowCount`` slots.
    public let columns: [ParquetColumnVector]
    /// The number of rows.
    public let rowCount: Int

    /// Pairs fields with their vectors.
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` when the counts of
    ///   fields, vectors and rows disagree, or a vector does not have its field's shape and type.
    public init(fields: [ParquetField], columns: [ParquetColumnVector], rowCount: Int) throws {
        guard fields.count == columns.count, columns.allSatisfy({ $0.count == rowCount }) else {
            throw ParquetError(
                code: .invalidArgument,
                message: "a record batch needs one vector of \(rowCount) slots per field (\(fields.count) fields)")
        }
        for (field, column) in zip(fields, columns) where !Self.matches(field, column) {
            throw ParquetError(
                code: .invalidArgument,
                message: "the vector of '\(field.name)' does not have the field's shape, type or counts",
                column: field.name)
        }
        self.init(checked: fields, columns: columns, rowCount: rowCount)
    }

    /// Pairs fields with vectors the reader assembled (consistent by construction, so the
    /// O(rows) shape check of the public initializer is not repeated on every row group).
    init(checked fields: [ParquetField], columns: [ParquetColumnVector], rowCount: Int) {
        self.fields = fields
        self.columns = columns
        self.rowCount = rowCount
    }

    /// Whether `vector` has `field`'s shape and physical type, with consistent counts.
    static func matches(_ field: ParquetField, _ vector: ParquetColumnVector) -> Bool {
        switch (field.kind, vector) {
        case (.primitive(let physical, _, _), .primitive(let batch)):
            let stored: ParquetPhysicalType = physical == .int96 ? .fixedLenByteArray : physical
            let present = batch.validity.map { $0.lazy.filter { $0 }.count } ?? batch.values.count
            return batch.values.physicalType == stored && present == batch.values.count
        case (.list(let element), .list(let offsets, let validity, let elements)):
            guard let first = offsets.first, first == 0, Int(offsets.last ?? 0) == elements.count,
                zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
                validity.map({ $0.count == offsets.count - 1 }) ?? true
            else { return false }
            return matches(element, elements)
        case (.structure(let fields), .structure(let children, let validity, let count)):
            return fields.count == children.count && validity.map { $0.count == count } ?? true
                && zip(fields, children).allSatisfy { $1.count == count && matches($0, $1) }
        default: return false
        }
    }

    /// The vector of the top-level field `name`, if selected.
    public func column(named name: String) -> ParquetColumnVector? {
        fields.firstIndex { $0.name == name }.map { columns[$0] }
    }

    /// The batches' rows one after another (the same fields read from several row groups).
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` for batches of
    ///   different fields.
    public static func concatenating(_ batches: [ParquetRecordBatch], fields: [ParquetField]) throws
        -> ParquetRecordBatch
    {
        guard batches.allSatisfy({ $0.fields == fields }) else {
            throw ParquetError(code: .invalidArgument, message: "batches of different fields cannot be concatenated")
        }
        guard batches.count > 1 else {
            return batches.first
                ?? ParquetRecordBatch(checked: fields, columns: fields.map(ParquetColumnVector.empty), rowCount: 0)
        }
        let columns = try fields.indices.map { column in
            try ParquetColumnVector.concatenating(batches.map { $0.columns[column] })
        }
        return try ParquetRecordBatch(
            fields: fields, columns: columns, rowCount: batches.reduce(0) { $0 + $1.rowCount })
    }

    /// The rows as values, for convenience: building the view costs one pass over the
    /// nullable columns; each row is then assembled on access.
    public var rows: ParquetRows { ParquetRows(self) }
}

/// One row of the row view: the selected fields' names and values.
public struct ParquetRow: Sendable, Hashable {
    /// The fields' names, in the order they were read.
    public let names: [String]
    /// The fields' values, one per name in the same order; ``ParquetValue/null`` where a field is null.
    public let values: [ParquetValue]

    /// The value of field `name`, or `nil` when the row has no such field.
    public subscript(name: String) -> ParquetValue? {
        names.firstIndex(of: name).map { values[$0] }
    }

    /// The row as one JSON object, in the representation of ``ParquetValue/json``.
    public var json: String { ParquetValue.structure(names: names, values: values).json }
}

/// The rows of a ``ParquetRecordBatch``, as ``ParquetRow`` values.
public struct ParquetRows: RandomAccessCollection, Sendable {
    private let names: [String]
    private let accessors: [ValueAccessor]
    /// Always 0: rows are numbered from the batch's first row.
    public let startIndex = 0
    /// The batch's row count.
    public let endIndex: Int

    init(_ batch: ParquetRecordBatch) {
        names = batch.fields.map(\.name)
        accessors = zip(batch.fields, batch.columns).map { ValueAccessor($0, $1) }
        endIndex = batch.rowCount
    }

    /// Assembles row `position` from the columns on each access; `position` must be in `startIndex..<endIndex`.
    ///
    /// - Complexity: one step per primitive value in the row, including each element of its lists.
    public subscript(position: Int) -> ParquetRow {
        ParquetRow(names: names, values: accessors.map { $0.value(at: position) })
    }
}

/// Reads slot values out of a vector: for nullable primitives, the rank of each slot among the
/// present values is computed once.
indirect enum ValueAccessor: Sendable {
    case primitive(ParquetColumnBatch.Values, ParquetLogicalType?, ParquetPhysicalType, ranks: [Int32]?)
    case list(offsets: [Int32], validity: [Bool]?, element: ValueAccessor)
    case structure(names: [String], children: [ValueAccessor], validity: [Bool]?)

    init(_ field: ParquetField, _ vector: ParquetColumnVector) {
        switch (field.kind, vector) {
        case (.primitive(let physical, let logical, _), .primitive(let batch)):
            var ranks: [Int32]?
            if let validity = batch.validity {
                var rank: Int32 = 0
                ranks = validity.map { present in
                    defer { if present { rank += 1 } }
                    return present ? rank : -1
                }
            }
            self = .primitive(batch.values, logical, physical, ranks: ranks)
        case (.list(let element), .list(let offsets, let validity, let elements)):
            self = .list(offsets: offsets, validity: validity, element: ValueAccessor(element, elements))
        case (.structure(let fields), .structure(let children, let validity, _)):
            self = .structure(
                names: fields.map(\.name), children: zip(fields, children).map { ValueAccessor($0, $1) },
                validity: validity)
        default: preconditionFailure("a vector of another shape than its field")
        }
    }

    func value(at slot: Int) -> ParquetValue {
        switch self {
        case .primitive(let values, let logical, let physical, let ranks):
            var index = slot
            if let ranks {
                guard ranks[slot] >= 0 else { return .null }
                index = Int(ranks[slot])
            }
            return Self.value(values, index, logical, physical)
        case .list(let offsets, let validity, let element):
            if let validity, !validity[slot] { return .null }
            return .list((Int(offsets[slot])..<Int(offsets[slot + 1])).map { element.value(at: $0) })
        case .structure(let names, let children, let validity):
            if let validity, !validity[slot] { return .null }
            return .structure(names: names, values: children.map { $0.value(at: slot) })
        }
    }

    private static func value(
        _ values: ParquetColumnBatch.Values, _ index: Int, _ logical: ParquetLogicalType?,
        _ physical: ParquetPhysicalType
    ) -> ParquetValue {
        switch values {
        case .boolean(let all): return .boolean(all[index])
        case .int32(let all):
            let value = all[index]
            switch logical {
            case .date: return .date(daysSinceEpoch: value)
            case .integer(_, false): return .unsignedInteger(UInt64(UInt32(bitPattern: value)))
            case .decimal(_, let scale): return .decimal(ParquetDecimal(unscaled: Int64(value), scale: scale))
            default: return .integer(Int64(value))
            }
        case .int64(let all):
            let value = all[index]
            switch logical {
            case .timestamp(let unit, let utc): return .timestamp(value, unit: unit, isAdjustedToUTC: utc)
            case .integer(_, false): return .unsignedInteger(UInt64(bitPattern: value))
            case .decimal(_, let scale): return .decimal(ParquetDecimal(unscaled: value, scale: scale))
            default: return .integer(value)
            }
        case .float(let all): return .float(all[index])
        case .double(let all): return .double(all[index])
        case .byteArray(let arrays):
            let bytes = Array(arrays.bytes[Int(arrays.offsets[index])..<Int(arrays.offsets[index + 1])])
            return bytesValue(bytes, logical)
        case .fixedLenByteArray(let all, let width):
            return bytesValue(Array(all[(index * width)..<((index + 1) * width)]), logical)
        }
    }

    private static func bytesValue(_ bytes: [UInt8], _ logical: ParquetLogicalType?) -> ParquetValue {
        switch logical {
        case .decimal(_, let scale): return .decimal(ParquetDecimal(unscaledBytes: bytes, scale: scale))
        case .string: return String(validating: bytes, as: UTF8.self).map { .string($0) } ?? .bytes(bytes)
        default: return .bytes(bytes)
        }
    }
}
