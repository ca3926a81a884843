/// A condition on a file's primitive columns, used to skip row groups whose statistics prove
/// that no row can match (``ParquetReader/rowGroups(where:)``).
///
/// Pruning is conservative: a row group is kept whenever its statistics are absent, inexact in a
/// way that matters, or of a type ParquetLite does not order (INT96, decimals on byte arrays,
/// NaN bounds). Rows of kept row groups are not filtered; apply the condition to them yourself.
///
/// Columns are named by their top-level field name, or by their dotted path for a column
/// inside a struct (`address.city`).
public indirect enum ParquetPredicate: Sendable, Hashable {
    /// The column may equal the value: keeps a row group whose minimum ≤ value ≤ maximum.
    case equal(String, ParquetValue)
    /// The column may be below the value: keeps a row group whose minimum < value.
    case lessThan(String, ParquetValue)
    /// The column may be at most the value: keeps a row group whose minimum ≤ value.
    case lessThanOrEqual(String, ParquetValue)
    /// The column may be above the value: keeps a row group whose maximum > value.
    case greaterThan(String, ParquetValue)
    /// The column may be at least the value: keeps a row group whose maximum ≥ value.
    case greaterThanOrEqual(String, ParquetValue)
    /// The column may be null: keeps a row group with a null count above zero, or none stored.
    case isNull(String)
    /// The column may have a value: skips only a row group whose values are all null.
    case isNotNull(String)
    /// Every condition may hold: keeps a row group only if each part keeps it (an empty list keeps all).
    case and([ParquetPredicate])
    /// Some condition may hold: keeps a row group if any part keeps it (an empty list keeps none).
    case or([ParquetPredicate])

    /// `column` between `low` and `high`, both included.
    public static func between(_ column: String, _ low: ParquetValue, _ high: ParquetValue) -> ParquetPredicate {
        .and([.greaterThanOrEqual(column, low), .lessThanOrEqual(column, high)])
    }
}

/// Evaluates predicates against one row group's statistics.
struct StatisticsPruning {
    let leaves: [SchemaLeaf]

    /// A comparable form of a bound or a predicate value.
    private enum Key: Comparable {
        case signed(Int64)
        case unsigned(UInt64)
        case floating(Double)
        case bytes([UInt8])

        static func < (lhs: Key, rhs: Key) -> Bool {
            switch (lhs, rhs) {
            case (.signed(let a), .signed(let b)): a < b
            case (.unsigned(let a), .unsigned(let b)): a < b
            case (.floating(let a), .floating(let b)): a < b
            case (.bytes(let a), .bytes(let b)): a.lexicographicallyPrecedes(b)
            default: false
            }
        }
    }

    /// Whether some row of `group` might satisfy `predicate`.
    func mightMatch(_ predicate: ParquetPredicate, _ group: ParquetRowGroupMetadata) throws -> Bool {
        switch predicate {
        case .and(let parts): return try parts.allSatisfy { try mightMatch($0, group) }
        case .or(let parts): return try parts.contains { try mightMatch($0, group) }
        case .isNull(let column):
            let (chunk, _) = try locate(column, group)
            return chunk.statistics?.nullCount.map { $0 > 0 } ?? true
        case .isNotNull(let column):
            let (chunk, _) = try locate(column, group)
            return chunk.statistics?.nullCount.map { $0 < chunk.valueCount } ?? true
        case .equal(let column, let value):
            return try compare(column, value, group) { min, max, key in min <= key && key <= max }
        case .lessThan(let column, let value):
            return try compare(column, value, group) { min, _, key in min < key }
        case .lessThanOrEqual(let column, let value):
            return try compare(column, value, group) { min, _, key in min <= key }
        case .greaterThan(let column, let value):
            return try compare(column, value, group) { _, max, key in max > key }
        case .greaterThanOrEqual(let column, let value):
            return try compare(column, value, group) { _, max, key in max >= key }
        }
    }

    private func locate(_ column: String, _ group: ParquetRowGroupMetadata) throws
        -> (ParquetColumnChunkMetadata, SchemaLeaf)
    {
        let path = column.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let index = leaves.firstIndex(where: { $0.path == path && $0.maxRepetitionLevel == 0 }),
            index < group.columns.count
        else {
            throw ParquetError(
                code: .invalidArgument,
                message:
                    "the predicate names '\(column)', which is not a primitive column outside lists; the columns are "
                    + leaves.filter { $0.maxRepetitionLevel == 0 }.map { $0.path.joined(separator: ".") }.joined(
                        separator: ", "),
                column: column)
        }
        return (group.columns[index], leaves[index])
    }

    /// Applies `test(min, max, value)` when the chunk has usable bounds; keeps the group otherwise.
    private func compare(
        _ column: String, _ value: ParquetValue, _ group: ParquetRowGroupMetadata,
        _ test: (Key, Key, Key) -> Bool
    ) throws -> Bool {
        let (chunk, leaf) = try locate(column, group)
        guard let key = try Self.key(of: value, for: leaf, column: column) else { return true }
        guard let statistics = chunk.statistics else { return true }
        // Only nulls: no value can compare true.
        if let nulls = statistics.nullCount, nulls == chunk.valueCount { return false }
        let logical = leaf.element.effectiveLogicalType
        var minimum = statistics.minValue
        var maximum = statistics.maxValue
        if minimum == nil || maximum == nil, Self.legacyOrderIsSigned(leaf.element.physicalType, logical) {
            minimum = statistics.legacyMin
            maximum = statistics.legacyMax
        }
        guard let minimum, let maximum,
            let low = Self.key(bound: minimum, leaf.element.physicalType, logical),
            let high = Self.key(bound: maximum, leaf.element.physicalType, logical)
        else { return true }
        return test(low, high, key)
    }

    /// The deprecated `min`/`max` were written in signed order; usable only where that is the
    /// column's order.
    private static func legacyOrderIsSigned(_ physical: ParquetPhysicalType?, _ logical: ParquetLogicalType?) -> Bool {
        switch (physical, logical) {
        case (.int32, .integer(_, false)), (.int64, .integer(_, false)): false
        case (.int32, _), (.int64, _), (.float, _), (.double, _): true
        default: false
        }
    }

    private static func key(bound: [UInt8], _ physical: ParquetPhysicalType?, _ logical: ParquetLogicalType?) -> Key? {
        func load<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard bound.count == MemoryLayout<T>.size else { return nil }
            return bound.reversed().reduce(T.zero) { $0 << 8 | T($1) }
        }
        switch (physical, logical) {
        case (.int32, .integer(_, false)): return load(UInt32.self).map { .unsigned(UInt64($0)) }
        case (.int64, .integer(_, false)): return load(UInt64.self).map { .unsigned($0) }
        case (.int32, _): return load(UInt32.self).map { .signed(Int64(Int32(bitPattern: $0))) }
        case (.int64, _): return load(UInt64.self).map { .signed(Int64(bitPattern: $0)) }
        case (.float, _):
            guard let bits = load(UInt32.self), !Float(bitPattern: bits).isNaN else { return nil }
            return .floating(Double(Float(bitPattern: bits)))
        case (.double, _):
            guard let bits = load(UInt64.self), !Double(bitPattern: bits).isNaN else { return nil }
            return .floating(Double(bitPattern: bits))
        case (.byteArray, .decimal), (.fixedLenByteArray, .decimal): return nil
        case (.byteArray, _), (.fixedLenByteArray, _): return .bytes(bound)
        default: return nil
        }
    }

    /// The predicate value in the column's order; `nil` when the column's bounds are not used.
    private static func key(of value: ParquetValue, for leaf: SchemaLeaf, column: String) throws -> Key? {
        let physical = leaf.element.physicalType
        let logical = leaf.element.effectiveLogicalType
        func mismatch() -> ParquetError {
            ParquetError(
                code: .invalidArgument,
                message:
                    "the predicate compares '\(column)' (\(physical.map { "\($0)" } ?? "group")\(logical.map { " \($0)" } ?? "")) with \(value)",
                column: column)
        }
        switch (physical, logical, value) {
        case (.int32, .integer(_, false), .integer(let number)), (.int64, .integer(_, false), .integer(let number)):
            return number < 0 ? .unsigned(0) : .unsigned(UInt64(number))
        case (.int32, .integer(_, false), .unsignedInteger(let number)),
            (.int64, .integer(_, false), .unsignedInteger(let number)):
            return .unsigned(number)
        case (.int32, .date, .date(let days)): return .signed(Int64(days))
        case (.int32, .date, _), (.int64, .timestamp, .integer), (.int32, .decimal, _), (.int64, .decimal, _):
            throw mismatch()
        case (.int64, .timestamp(let unit, _), .timestamp(let number, let valueUnit, _)):
            return convert(number, from: valueUnit, to: unit).map { .signed($0) }
        case (.int32, _, .integer(let number)), (.int64, _, .integer(let number)): return .signed(number)
        case (.int32, _, .unsignedInteger(let number)), (.int64, _, .unsignedInteger(let number)):
            return .signed(Int64(clamping: number))
        case (.float, _, .float(let number)): return .floating(Double(number))
        case (.float, _, .double(let number)), (.double, _, .double(let number)): return .floating(number)
        case (.double, _, .float(let number)): return .floating(Double(number))
        case (.float, _, .integer(let number)), (.double, _, .integer(let number)): return .floating(Double(number))
        case (.byteArray, .decimal, _), (.fixedLenByteArray, .decimal, _): return nil
        case (.byteArray, _, .string(let text)), (.fixedLenByteArray, _, .string(let text)):
            return .bytes(Array(text.utf8))
        case (.byteArray, _, .bytes(let bytes)), (.fixedLenByteArray, _, .bytes(let bytes)): return .bytes(bytes)
        case (.int96, _, _): return nil
        default: throw mismatch()
        }
    }

    /// A timestamp in another unit; `nil` when that loses precision or overflows (no pruning then).
    private static func convert(_ value: Int64, from: ParquetTimeUnit, to: ParquetTimeUnit) -> Int64? {
        func scale(_ unit: ParquetTimeUnit) -> Int64 {
            switch unit {
            case .milliseconds: 1
            case .microseconds: 1000
            case .nanoseconds: 1_000_000
            }
        }
        let (source, target) = (scale(from), scale(to))
        if target >= source {
            let (product, overflow) = value.multipliedReportingOverflow(by: target / source)
            return overflow ? nil : product
        }
        return value % (source / target) == 0 ? value / (source / target) : nil
    }
}
