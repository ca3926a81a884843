/// The values of one field for a run of rows, as the reader returns them: typed vectors in the
/// shape of the field (see ``ParquetField``), laid out as Arrow lays out arrays.
///
/// Every vector has a number of *slots* (``count``): rows for a top-level field, elements for a
/// list's element. A primitive stores its present values densely with a validity per slot
/// (``ParquetColumnBatch``); a list stores `count + 1` offsets into its element vector; a struct
/// stores one child vector per field, each with the struct's slot count.
public indirect enum ParquetColumnVector: Sendable {
    /// A leaf column's values.
    case primitive(ParquetColumnBatch)
    /// Lists: slot `i` holds elements `offsets[i]..<offsets[i + 1]` of `elements`; `validity`
    /// says which slots are lists (`true`) and which are null, `nil` when none is null. A null
    /// list holds no elements.
    case list(offsets: [Int32], validity: [Bool]?, elements: ParquetColumnVector)
    /// Structs: one vector per field, each of `count` slots; `validity` as for lists.
    case structure(children: [ParquetColumnVector], validity: [Bool]?, count: Int)

    /// A vector of no slots in the shape of `field`.
    static func empty(_ field: ParquetField) -> ParquetColumnVector {
        switch field.kind {
        case .primitive(let physical, _, let length):
            var buffer = ValueBuffer(
                physicalType: physical == .int96 ? .int64 : physical, width: Int(length ?? 0), column: field.name)
            return .primitive(ParquetColumnBatch(buffer.finish()))
        case .list(let element): return .list(offsets: [0], validity: nil, elements: empty(element))
        case .structure(let fields): return .structure(children: fields.map(empty), validity: nil, count: 0)
        }
    }

    /// The number of slots.
    public var count: Int {
        switch self {
        case .primitive(let batch): batch.rowCount
        case .list(let offsets, _, _): offsets.count - 1
        case .structure(_, _, let count): count
        }
    }

    /// The primitive batch, for a leaf column.
    public var primitive: ParquetColumnBatch? {
        if case .primitive(let batch) = self { return batch }
        return nil
    }

    /// Whether slot `index` is null.
    public func isNull(at index: Int) -> Bool {
        switch self {
        case .primitive(let batch): batch.validity.map { !$0[index] } ?? false
        case .list(_, let validity, _), .structure(_, let validity, _): validity.map { !$0[index] } ?? false
        }
    }

    /// The vectors one after another (the same field read from several row groups).
    ///
    /// - Throws: ``ParquetError`` with ``ParquetError/Code/invalidArgument`` for vectors of
    ///   different shapes or types, or ``ParquetError/Code/unsupportedFeature`` when byte arrays
    ///   would pass 2 GiB.
    public static func concatenating(_ vectors: [ParquetColumnVector]) throws -> ParquetColumnVector {
        guard var result = vectors.first else {
            throw ParquetError(code: .invalidArgument, message: "no vectors to concatenate")
        }
        for vector in vectors.dropFirst() { result = try concatenate(result, vector) }
        return result
    }

    private static func mismatch() -> ParquetError {
        ParquetError(code: .invalidArgument, message: "vectors of different shapes or types cannot be concatenated")
    }

    private static func validity(_ first: [Bool]?, _ firstCount: Int, _ second: [Bool]?, _ secondCount: Int)
        -> [Bool]?
    {
        guard first != nil || second != nil else { return nil }
        return (first ?? [Bool](repeating: true, count: firstCount))
            + (second ?? [Bool](repeating: true, count: secondCount))
    }

    private static func concatenate(_ first: ParquetColumnVector, _ second: ParquetColumnVector) throws
        -> ParquetColumnVector
    {
        switch (first, second) {
        case (.primitive(let one), .primitive(let two)):
            guard one.values.physicalType == two.values.physicalType else { throw mismatch() }
            var width = 0
            if case .fixedLenByteArray(_, let oneWidth) = one.values,
                case .fixedLenByteArray(_, let twoWidth) = two.values
            {
                guard oneWidth == twoWidth else { throw mismatch() }
                width = oneWidth
            }
            var values = ValueBuffer(physicalType: one.values.physicalType, width: width, column: "")
            try values.append(one.values)
            try values.append(two.values)
            return .primitive(
                ParquetColumnBatch(
                    values.finish(), validity: validity(one.validity, one.rowCount, two.validity, two.rowCount)))
        case (.list(let offsets, let validity, let elements), .list(let moreOffsets, let moreValidity, let more)):
            let base = offsets.last ?? 0
            guard Int(base) + Int(moreOffsets.last ?? 0) <= Int(Int32.max) else {
                throw ParquetError(code: .unsupportedFeature, message: "over 2^31 list elements in one vector")
            }
            return .list(
                offsets: offsets + moreOffsets.dropFirst().map { $0 + base },
                validity: Self.validity(validity, offsets.count - 1, moreValidity, moreOffsets.count - 1),
                elements: try concatenate(elements, more))
        case (.structure(let children, let validity, let count), .structure(let more, let moreValidity, let moreCount)):
            guard children.count == more.count else { throw mismatch() }
            return .structure(
                children: try zip(children, more).map { try concatenate($0, $1) },
                validity: Self.validity(validity, count, moreValidity, moreCount), count: count + moreCount)
        default: throw mismatch()
        }
    }
}
