/// Turns decoded leaf columns (values and levels) into vectors in the shape of their field:
/// the record assembly of the Dremel paper, done column by column as Arrow does it.
///
/// Every entry of a leaf is a value, a null, or an empty or null list somewhere above it. The
/// entries with repetition level 0 start rows; inside a list whose repeated node has
/// repetition level `r`, the entries with a level ≤ `r` start elements. The definition level of
/// a slot's first entry says how far down the slot is defined: a value, or a null or empty
/// list at some depth. Levels that contradict the schema (a null list followed by elements, a
/// value count that does not match the levels) raise ``ParquetError``.
enum NestedAssembly {
    /// The decoded leaves of a row group, by leaf index.
    typealias Leaves = [Int: DecodedColumnChunk]

    static func vector(
        for field: ParquetField, leaves: Leaves, rowCount: Int, column: String
    ) throws -> ParquetColumnVector {
        let vector = try build(field, path: [], leaves: leaves, column: column)
        guard vector.count == rowCount else {
            throw corrupt(column, "the levels describe \(vector.count) rows where the row group has \(rowCount)")
        }
        return vector
    }

    private static func corrupt(_ column: String, _ why: String) -> ParquetError {
        ParquetError(code: .corruptMetadata, message: "column '\(column)': \(why)", column: column)
    }

    private static func build(
        _ field: ParquetField, path: [ParquetField], leaves: Leaves, column: String
    ) throws -> ParquetColumnVector {
        guard let data = leaves[field.leaves.lowerBound] else {
            preconditionFailure("leaf \(field.leaves.lowerBound) was not decoded")
        }
        let ranges = try slots(path, data, column: column)
        let definitions = data.definitions
        func definition(_ entry: Int) -> Int { definitions.isEmpty ? 0 : Int(definitions[entry]) }
        switch field.kind {
        case .primitive:
            var validity = [Bool]()
            validity.reserveCapacity(ranges.count)
            var present = 0
            for range in ranges {
                let defined = definition(range.lowerBound) >= field.definitionLevel
                validity.append(defined)
                if defined { present += 1 }
            }
            guard present == data.values.count else {
                throw corrupt(column, "the levels define \(present) values where the pages hold \(data.values.count)")
            }
            return .primitive(ParquetColumnBatch(data.values, validity: present == ranges.count ? nil : validity))
        case .structure(let fields):
            let validity = ranges.map { definition($0.lowerBound) >= field.definitionLevel }
            let children = try fields.map { try build($0, path: path, leaves: leaves, column: column) }
            guard children.allSatisfy({ $0.count == ranges.count }) else {
                throw corrupt(column, "the fields of struct '\(field.name)' disagree on their number of values")
            }
            return .structure(
                children: children, validity: validity.allSatisfy { $0 } ? nil : validity, count: ranges.count)
        case .list(let element):
            var offsets: [Int32] = [0]
            offsets.reserveCapacity(ranges.count + 1)
            var validity = [Bool]()
            validity.reserveCapacity(ranges.count)
            var elements = 0
            let repetitions = data.repetitions
            for range in ranges {
                let defined = definition(range.lowerBound)
                validity.append(defined >= field.definitionLevel)
                if defined >= field.elementDefinitionLevel {
                    elements += 1
                    for entry in (range.lowerBound + 1)..<range.upperBound
                    where Int(repetitions[entry]) <= field.repetitionLevel {
                        elements += 1
                    }
                }
                guard elements <= Int(Int32.max) else { throw corrupt(column, "over 2^31 list elements") }
                offsets.append(Int32(elements))
            }
            let inner = try build(element, path: path + [field], leaves: leaves, column: column)
            guard inner.count == elements else {
                throw corrupt(
                    column, "list '\(field.name)' has \(elements) elements where its values say \(inner.count)")
            }
            return .list(
                offsets: offsets, validity: validity.allSatisfy { $0 } ? nil : validity, elements: inner)
        }
    }

    /// The entry ranges of the slots at the end of `path` (the lists enclosing a field) in one
    /// leaf's levels: rows first, then each list's elements in turn.
    private static func slots(_ path: [ParquetField], _ data: DecodedColumnChunk, column: String) throws
        -> [Range<Int>]
    {
        let repetitions = data.repetitions
        let definitions = data.definitions
        var ranges: [Range<Int>] = []
        if repetitions.isEmpty {
            ranges = (0..<data.entryCount).map { $0..<($0 + 1) }
        } else {
            var start = 0
            for entry in 1..<max(data.entryCount, 1) where repetitions[entry] == 0 {
                ranges.append(start..<entry)
                start = entry
            }
            if data.entryCount > 0 { ranges.append(start..<data.entryCount) }
        }
        for list in path {
            var inner: [Range<Int>] = []
            inner.reserveCapacity(ranges.count)
            for range in ranges {
                let defined = definitions.isEmpty ? 0 : Int(definitions[range.lowerBound])
                guard defined >= list.elementDefinitionLevel else {
                    guard range.count == 1 else {
                        throw corrupt(column, "an empty or null list '\(list.name)' followed by more of its entries")
                    }
                    continue
                }
                var start = range.lowerBound
                for entry in (range.lowerBound + 1)..<range.upperBound
                where Int(repetitions[entry]) <= list.repetitionLevel {
                    inner.append(start..<entry)
                    start = entry
                }
                inner.append(start..<range.upperBound)
            }
            ranges = inner
        }
        return ranges
    }
}
