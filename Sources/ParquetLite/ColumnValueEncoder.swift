/// Parquet `Encoding` values (parquet.thrift).
enum EncodingID {
    static let plain: Int32 = 0
    /// Deprecated: dictionary pages and indices of old writers (read as RLE_DICTIONARY).
    static let plainDictionary: Int32 = 2
    static let rle: Int32 = 3
    /// Deprecated: levels bit-packed most significant bit first, without runs.
    static let bitPacked: Int32 = 4
    static let deltaBinaryPacked: Int32 = 5
    static let deltaLengthByteArray: Int32 = 6
    static let deltaByteArray: Int32 = 7
    static let rleDictionary: Int32 = 8
    static let byteStreamSplit: Int32 = 9

    /// The names parquet.thrift gives the encodings.
    static func name(_ encoding: Int32) -> String {
        let names = [
            "PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED",
            "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT",
        ]
        return names.indices.contains(Int(encoding)) ? names[Int(encoding)] : "UNKNOWN(\(encoding))"
    }
}

/// A column chunk's min/max in PLAIN form (what `Statistics.min_value`/`max_value` hold).
struct ValueBounds {
    var min: [UInt8]
    var max: [UInt8]
    var isMinExact = true
    var isMaxExact = true
}

/// Encodes the present values of one column chunk, page by page, and tracks their bounds.
/// ``ColumnChunkWriter`` owns the levels, the page layout and the compression; an encoder owns
/// only values. Batches are validated before they reach an encoder.
protocol ColumnValueEncoder: AnyObject {
    /// Appends `count` values starting at value `start` of `values` to the current page.
    func append(_ values: ParquetColumnBatch.Values, from start: Int, count: Int)
    /// Whether the current page is dictionary-encoded.
    var isDictionaryEncoding: Bool { get }
    /// The dictionary's PLAIN size so far (0 without a dictionary).
    var dictionaryByteCount: Int { get }
    /// About how many bytes the current page's values will take.
    var pageByteEstimate: Int { get }
    /// Switches to PLAIN for the rest of the chunk; called between pages.
    func fallBackToPlain()
    /// Writes the current page's values to `output` and starts a new page; returns the encoding.
    func finishPage(into output: inout [UInt8]) -> Int32
    /// The dictionary page's values in PLAIN, and how many, if any page used the dictionary.
    func dictionaryPage() -> (count: Int, bytes: [UInt8])?
    /// The bounds of every value of the chunk, or `nil` if it had none (all null, or all NaN).
    func bounds() -> ValueBounds?
}

/// Values that are stored as a fixed number of little-endian bytes: INT32, INT64, FLOAT, DOUBLE.
protocol FixedWidthValue: BitwiseCopyable, Comparable {
    associatedtype Bits: FixedWidthInteger & UnsignedInteger & BitwiseCopyable
    var bits: Bits { get }
    /// The values of a batch of this type (the batch was validated).
    static func array(of values: ParquetColumnBatch.Values) -> [Self]
    /// Whether min/max ignore this value (NaN).
    var isUnordered: Bool { get }
    /// Orders two values as the column's statistics do (`unsigned`: as unsigned integers).
    static func precedes(_ left: Self, _ right: Self, unsigned: Bool) -> Bool
    /// The value as DELTA_BINARY_PACKED takes it (integers only).
    var deltaValue: Int64 { get }
    /// The bound to store: for floats, zero as -0.0 in min and +0.0 in max, as the spec asks.
    func bound(isMin: Bool) -> Self
}

extension FixedWidthValue where Self: FixedWidthInteger {
    var isUnordered: Bool { false }
    static func precedes(_ left: Self, _ right: Self, unsigned: Bool) -> Bool {
        unsigned ? Magnitude(truncatingIfNeeded: left) < Magnitude(truncatingIfNeeded: right) : left < right
    }
    var deltaValue: Int64 { Int64(truncatingIfNeeded: self) }
    func bound(isMin: Bool) -> Self { self }
}

extension FixedWidthValue where Self: BinaryFloatingPoint {
    var isUnordered: Bool { isNaN }
    var deltaValue: Int64 { 0 }
    static func precedes(_ left: Self, _ right: Self, unsigned: Bool) -> Bool { left < right }
    func bound(isMin: Bool) -> Self { self == 0 ? (isMin ? -0.0 : 0.0) : self }
}

extension Int32: FixedWidthValue {
    var bits: UInt32 { UInt32(bitPattern: self) }
    static func array(of values: ParquetColumnBatch.Values) -> [Int32] {
        guard case .int32(let array) = values else { preconditionFailure("batch type was validated") }
        return array
    }
}

extension Int64: FixedWidthValue {
    var bits: UInt64 { UInt64(bitPattern: self) }
    static func array(of values: ParquetColumnBatch.Values) -> [Int64] {
        guard case .int64(let array) = values else { preconditionFailure("batch type was validated") }
        return array
    }
}

extension Float: FixedWidthValue {
    var bits: UInt32 { bitPattern }
    static func array(of values: ParquetColumnBatch.Values) -> [Float] {
        guard case .float(let array) = values else { preconditionFailure("batch type was validated") }
        return array
    }
}

extension Double: FixedWidthValue {
    var bits: UInt64 { bitPattern }
    static func array(of values: ParquetColumnBatch.Values) -> [Double] {
        guard case .double(let array) = values else { preconditionFailure("batch type was validated") }
        return array
    }
}

/// Appends the little-endian bytes of `values` (Parquet's PLAIN for fixed-width types).
@inline(__always)
func appendPlain<Value: BitwiseCopyable>(_ values: UnsafeBufferPointer<Value>, to output: inout [UInt8]) {
    #if _endian(big)
        #error("ParquetLite writes little-endian values by copying memory; big-endian hosts are not supported")
    #endif
    output.append(contentsOf: UnsafeRawBufferPointer(values))
}

/// The state and logic of an INT32, INT64, FLOAT or DOUBLE column's encoder: dictionary (keyed
/// by bit pattern), PLAIN, or DELTA_BINARY_PACKED for integers.
///
/// Used through one concrete class per type (``Int32Encoder``…), so that it is specialized.
struct FixedWidthValues<Value: FixedWidthValue>: ValueEncoderState {
    private var mode: ParquetValueEncoding
    private let unsigned: Bool
    private var dictionary = FixedWidthDictionary<Value.Bits>()
    private var usedDictionary = false
    private var indices: [UInt32] = []
    private var maxIndex: UInt32 = 0
    private var plain: [UInt8] = []
    private var delta = DeltaBinaryPackedEncoder(valueBits: MemoryLayout<Value>.size * 8)
    private var deltaCount = 0
    private var minimum: Value?
    private var maximum: Value?

    init(encoding: ParquetValueEncoding, unsigned: Bool) {
        mode = encoding
        self.unsigned = unsigned
    }

    var isDictionaryEncoding: Bool { mode == .dictionary }
    var dictionaryByteCount: Int { mode == .dictionary ? dictionary.plainByteCount : 0 }
    var pageByteEstimate: Int {
        switch mode {
        case .dictionary: indices.count * (RLEHybridEncoder.bitWidth(forMaximum: maxIndex) + 1) / 8 + 1
        case .plain: plain.count
        case .deltaBinaryPacked: deltaCount * MemoryLayout<Value>.size / 2
        }
    }

    mutating func fallBackToPlain() { mode = .plain }

    mutating func append(_ values: ParquetColumnBatch.Values, from start: Int, count: Int) {
        Value.array(of: values).withUnsafeBufferPointer { all in
            let slice = UnsafeBufferPointer(rebasing: all[start..<(start + count)])
            switch mode {
            case .dictionary:
                usedDictionary = true
                for value in slice {
                    let (index, isNew) = dictionary.index(of: value.bits)
                    if isNew { track(value) }
                    indices.append(UInt32(bitPattern: index))
                }
                maxIndex = UInt32(max(dictionary.count - 1, 0))
            case .plain:
                appendPlain(slice, to: &plain)
                for value in slice { track(value) }
            case .deltaBinaryPacked:
                for value in slice {
                    delta.append(value.deltaValue)
                    track(value)
                }
                deltaCount += count
            }
        }
    }

    @inline(__always)
    private mutating func track(_ value: Value) {
        if value.isUnordered { return }
        if let current = minimum {
            if Value.precedes(value, current, unsigned: unsigned) { minimum = value }
            if Value.precedes(maximum!, value, unsigned: unsigned) { maximum = value }
        } else {
            minimum = value
            maximum = value
        }
    }

    mutating func finishPage(into output: inout [UInt8]) -> Int32 {
        switch mode {
        case .dictionary where indices.isEmpty:
            return EncodingID.plain  // a page of nulls only: no values, so no dictionary reference
        case .dictionary:
            let width = max(RLEHybridEncoder.bitWidth(forMaximum: maxIndex), 1)
            output.append(UInt8(width))
            indices.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: &output) }
            indices.removeAll(keepingCapacity: true)
            return EncodingID.rleDictionary
        case .plain:
            output.append(contentsOf: plain)
            plain.removeAll(keepingCapacity: true)
            return EncodingID.plain
        case .deltaBinaryPacked:
            output.append(contentsOf: delta.finish())
            delta = DeltaBinaryPackedEncoder(valueBits: MemoryLayout<Value>.size * 8)
            deltaCount = 0
            return EncodingID.deltaBinaryPacked
        }
    }

    func dictionaryPage() -> (count: Int, bytes: [UInt8])? {
        guard usedDictionary else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(dictionary.plainByteCount)
        dictionary.keys.withUnsafeBufferPointer { appendPlain($0, to: &bytes) }
        return (dictionary.count, bytes)
    }

    mutating func bounds() -> ValueBounds? {
        guard let minimum, let maximum else { return nil }
        var low = minimum.bound(isMin: true)
        var high = maximum.bound(isMin: false)
        return ValueBounds(
            min: withUnsafeBytes(of: &low) { Array($0) }, max: withUnsafeBytes(of: &high) { Array($0) })
    }
}

/// The state and logic of a column's value encoder, as a struct: mutating its own fields
/// costs no dynamic exclusivity checks, as a class's fields would in the hot loops.
protocol ValueEncoderState {
    var isDictionaryEncoding: Bool { get }
    var dictionaryByteCount: Int { get }
    var pageByteEstimate: Int { get }
    mutating func fallBackToPlain()
    mutating func append(_ values: ParquetColumnBatch.Values, from start: Int, count: Int)
    mutating func finishPage(into output: inout [UInt8]) -> Int32
    func dictionaryPage() -> (count: Int, bytes: [UInt8])?
    mutating func bounds() -> ValueBounds?
}

/// A ``ColumnValueEncoder`` that forwards to its ``ValueEncoderState``. Its conformers are
/// concrete classes, so every call is specialized (a generic class called through a protocol
/// would run unspecialized).
protocol StatefulValueEncoder: ColumnValueEncoder {
    associatedtype State: ValueEncoderState
    var state: State { get set }
}

extension StatefulValueEncoder {
    var isDictionaryEncoding: Bool { state.isDictionaryEncoding }
    var dictionaryByteCount: Int { state.dictionaryByteCount }
    var pageByteEstimate: Int { state.pageByteEstimate }
    func fallBackToPlain() { state.fallBackToPlain() }
    func append(_ values: ParquetColumnBatch.Values, from start: Int, count: Int) {
        state.append(values, from: start, count: count)
    }
    func finishPage(into output: inout [UInt8]) -> Int32 { state.finishPage(into: &output) }
    func dictionaryPage() -> (count: Int, bytes: [UInt8])? { state.dictionaryPage() }
    func bounds() -> ValueBounds? { state.bounds() }
}

final class Int32Encoder: StatefulValueEncoder {
    var state: FixedWidthValues<Int32>
    init(encoding: ParquetValueEncoding, unsigned: Bool) { state = .init(encoding: encoding, unsigned: unsigned) }
}

final class Int64Encoder: StatefulValueEncoder {
    var state: FixedWidthValues<Int64>
    init(encoding: ParquetValueEncoding, unsigned: Bool) { state = .init(encoding: encoding, unsigned: unsigned) }
}

final class FloatEncoder: StatefulValueEncoder {
    var state: FixedWidthValues<Float>
    init(encoding: ParquetValueEncoding) { state = .init(encoding: encoding, unsigned: false) }
}

final class DoubleEncoder: StatefulValueEncoder {
    var state: FixedWidthValues<Double>
    init(encoding: ParquetValueEncoding) { state = .init(encoding: encoding, unsigned: false) }
}

/// The encoder of BOOLEAN columns: PLAIN, one bit per value, least-significant bit first.
final class BooleanEncoder: ColumnValueEncoder {
    private var packed: [UInt8] = []
    private var pending: UInt8 = 0
    private var pendingBits = 0
    private var sawFalse = false
    private var sawTrue = false

    var isDictionaryEncoding: Bool { false }
    var dictionaryByteCount: Int { 0 }
    var pageByteEstimate: Int { packed.count + 1 }
    func fallBackToPlain() {}

    func append(_ values: ParquetColumnBatch.Values, from start: Int, count: Int) {
        guard case .boolean(let array) = values else { preconditionFailure("batch type was validated") }
        for index in start..<(start + count) {
            let value = array[index]
            if value { sawTrue = true } else { sawFalse = true }
            pending |= (value ? 1 : 0) << UInt8(pendingBits)
            pendingBits += 1
            if pendingBits == 8 {
                packed.append(pending)
                pending = 0
                pendingBits = 0
            }
        }
    }

    func finishPage(into output: inout [UInt8]) -> Int32 {
        output.append(contentsOf: packed)
        if pendingBits > 0 { output.append(pending) }
        packed.removeAll(keepingCapacity: true)
        pending = 0
        pendingBits = 0
        return EncodingID.plain
    }

    func dictionaryPage() -> (count: Int, bytes: [UInt8])? { nil }

    func bounds() -> ValueBounds? {
        guard sawTrue || sawFalse else { return nil }
        return ValueBounds(min: [sawFalse ? 0 : 1], max: [sawTrue ? 1 : 0])
    }
}
