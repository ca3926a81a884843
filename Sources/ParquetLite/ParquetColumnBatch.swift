/// Variable-length byte values stored as one byte buffer and `count + 1` offsets, as Arrow
/// stores strings: value `i` is `bytes[offsets[i]..<offsets[i + 1]]`.
public struct ParquetByteArrays: Sendable, Hashable {
    /// Every value's bytes, back to back.
    public var bytes: [UInt8]
    /// Where each value starts in ``bytes``, then where the last one ends: `offsets[0] == 0`,
    /// non-decreasing, `offsets.last == bytes.count`.
    public var offsets: [Int32]

    /// The number of values.
    public var count: Int { offsets.count - 1 }

    /// Wraps a buffer and its offsets; ``ParquetWriter`` checks them when the batch is written.
    public init(bytes: [UInt8], offsets: [Int32]) {
        self.bytes = bytes
        self.offsets = offsets
    }

    /// Packs strings as UTF-8.
    ///
    /// - Complexity: O(total length).
    public init<Strings: Sequence>(strings: Strings) where Strings.Element == String {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(strings.underestimatedCount + 1)
        for var string in strings {
            string.withUTF8 { bytes.append(contentsOf: $0) }
            offsets.append(Int32(truncatingIfNeeded: bytes.count))
        }
        self.init(bytes: bytes, offsets: offsets)
    }

    /// Packs byte arrays.
    public init<Values: Sequence>(values: Values) where Values.Element == [UInt8] {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        for value in values {
            bytes.append(contentsOf: value)
            offsets.append(Int32(truncatingIfNeeded: bytes.count))
        }
        self.init(bytes: bytes, offsets: offsets)
    }
}

/// The Dremel levels of a nested leaf column: one entry per value slot (a value, a null, or an
/// empty or null list above the leaf).
public struct ParquetLevels: Sendable, Hashable {
    /// How many of the optional and repeated fields on the leaf's path are present.
    public var definition: [UInt16]
    /// At which repeated field on the path the slot starts a new element (0: a new row). Empty
    /// when the leaf is under no list.
    public var repetition: [UInt16]

    /// Wraps levels as the reader returns them or as ``ParquetSchema/columnBatches(rows:)`` computes them;
    /// ``ParquetWriter`` checks them against the column's maxima when the batch is written.
    public init(definition: [UInt16], repetition: [UInt16]) {
        self.definition = definition
        self.repetition = repetition
    }

    /// The rows these levels cover: the slots that start a row.
    public var rowCount: Int {
        repetition.isEmpty ? definition.count : repetition.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
    }

    /// Where each row starts among the slots, then the slot count.
    var rowStarts: [Int] {
        guard !repetition.isEmpty else { return Array(0...definition.count) }
        var starts: [Int] = []
        for (index, level) in repetition.enumerated() where level == 0 { starts.append(index) }
        starts.append(repetition.count)
        return starts
    }
}

/// The values of one column for a run of rows: what ``ParquetWriter/write(_:)`` takes, one per
/// column of the schema.
///
/// Values are stored densely: an OPTIONAL column's ``values`` hold only the present values, in
/// row order, and ``validity`` says which rows have one (`true`) and which are null (`false`).
/// A `nil` validity means every row has a value. Fixed-width values sit in contiguous arrays
/// and strings in one buffer with offsets, so the writer never boxes a value.
public struct ParquetColumnBatch: Sendable, Hashable {
    /// The stored values, by physical type.
    public enum Values: Sendable, Hashable {
        /// BOOLEAN values, one `Bool` each.
        case boolean([Bool])
        /// INT32 values: plain integers, and DATE, decimals up to 9 digits and narrow integer types stored on INT32.
        case int32([Int32])
        /// INT64 values: plain integers, and timestamps and decimals up to 18 digits stored on INT64.
        case int64([Int64])
        /// FLOAT values.
        case float([Float])
        /// DOUBLE values.
        case double([Double])
        /// BYTE_ARRAY values (strings, binary), packed in one buffer with offsets.
        case byteArray(ParquetByteArrays)
        /// Values of `width` bytes each, back to back.
        case fixedLenByteArray(bytes: [UInt8], width: Int)

        /// The number of values held.
        public var count: Int {
            switch self {
            case .boolean(let values): values.count
            case .int32(let values): values.count
            case .int64(let values): values.count
            case .float(let values): values.count
            case .double(let values): values.count
            case .byteArray(let values): values.count
            case .fixedLenByteArray(let bytes, let width): width > 0 ? bytes.count / width : 0
            }
        }

        /// The physical type these values are stored as.
        public var physicalType: ParquetPhysicalType {
            switch self {
            case .boolean: .boolean
            case .int32: .int32
            case .int64: .int64
            case .float: .float
            case .double: .double
            case .byteArray: .byteArray
            case .fixedLenByteArray: .fixedLenByteArray
            }
        }
    }

    /// The present values, in row order.
    public var values: Values
    /// One flag per row (`false`: null), or `nil` when no row is null.
    public var validity: [Bool]?
    /// For a leaf of a nested schema: its definition and repetition levels (then ``validity``
    /// is `nil` and ``values`` hold the values whose definition level is the leaf's maximum).
    /// ``ParquetSchema/columnBatches(rows:)`` computes them from row values.
    public var levels: ParquetLevels?

    /// The number of rows the batch covers.
    public var rowCount: Int {
        if let levels { return levels.rowCount }
        return validity?.count ?? values.count
    }

    /// Creates a batch from dense values and an optional validity (see the type's discussion).
    public init(_ values: Values, validity: [Bool]? = nil) {
        self.values = values
        self.validity = validity
    }

    /// Creates a batch of a nested leaf from its values and levels.
    public init(_ values: Values, levels: ParquetLevels) {
        self.values = values
        self.levels = levels
    }

    // MARK: Conveniences that build the dense form from optionals

    /// Booleans, `nil` for null.
    public static func booleans(_ values: [Bool?]) -> Self { dense(values) { .boolean($0) } }
    /// INT32 values, `nil` for null.
    public static func int32s(_ values: [Int32?]) -> Self { dense(values) { .int32($0) } }
    /// INT64 values, `nil` for null.
    public static func int64s(_ values: [Int64?]) -> Self { dense(values) { .int64($0) } }
    /// FLOAT values, `nil` for null.
    public static func floats(_ values: [Float?]) -> Self { dense(values) { .float($0) } }
    /// DOUBLE values, `nil` for null.
    public static func doubles(_ values: [Double?]) -> Self { dense(values) { .double($0) } }
    /// Strings (UTF-8), `nil` for null.
    public static func strings(_ values: [String?]) -> Self {
        dense(values) { .byteArray(ParquetByteArrays(strings: $0)) }
    }
    /// Byte arrays, `nil` for null.
    public static func byteArrays(_ values: [[UInt8]?]) -> Self {
        dense(values) { .byteArray(ParquetByteArrays(values: $0)) }
    }
    /// Fixed-width byte values of `width` bytes each, `nil` for null.
    public static func fixedBytes(_ values: [[UInt8]?], width: Int) -> Self {
        dense(values) { .fixedLenByteArray(bytes: $0.flatMap { $0 }, width: width) }
    }

    private static func dense<Element>(_ values: [Element?], _ make: ([Element]) -> Values) -> Self {
        let present = values.compactMap { $0 }
        return Self(make(present), validity: present.count == values.count ? nil : values.map { $0 != nil })
    }
}
