import Foundation
import ParquetLite

/// One column of an interop file: what is written, and the values a reader must find, as the
/// Python checker (Tests/Interop/parquet_interop.py) reads them: every value a string
/// (decimal digits, float text, or hex for bytes and text), or nil for null.
package struct InteropColumn {
    package var column: ParquetColumn
    package var batch: ParquetColumnBatch
    /// How the checker compares: bool, int, uint32, uint64, float32, float64, string, bytes,
    /// date, timestamp:ms|us|ns, decimal:<scale>, uuid.
    package var kind: String
    package var expected: [String?]

    package init(column: ParquetColumn, batch: ParquetColumnBatch, kind: String, expected: [String?]) {
        self.column = column
        self.batch = batch
        self.kind = kind
        self.expected = expected
    }
}

/// Deterministic values for every type the writer supports, with the edge values first.
package enum InteropFixtures {
    /// The value encodings and codecs the interop matrix covers, with their names in file names.
    package static let encodings: [(ParquetValueEncoding, String)] = [
        (.dictionary, "dict"), (.plain, "plain"), (.deltaBinaryPacked, "delta"),
    ]
    package static let codecs: [(CompressionCodec, String)] = [
        (.uncompressed, "none"), (.snappy, "snappy"), (.gzip(), "gzip"), (.zstd(level: 3), "zstd"), (.lz4Raw, "lz4"),
    ]

    /// A splitmix64 stream, so that files are the same on every run.
    package struct Random {
        package var state: UInt64
        package mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        package mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    package static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Which rows are null in an OPTIONAL column: every third row, and row 1.
    package static func isNull(_ row: Int, optional: Bool) -> Bool { optional && (row % 3 == 2 || row == 1) }

    /// Builds a column from a per-row value generator (called for present rows only).
    package static func make<Value>(
        _ column: ParquetColumn, kind: String, rows: Int, value: (Int) -> Value, text: (Value) -> String,
        batch: ([Value], [Bool]?) -> ParquetColumnBatch
    ) -> InteropColumn {
        let optional = column.repetition == .optional
        var values: [Value] = []
        var validity: [Bool] = []
        var expected: [String?] = []
        for row in 0..<rows {
            if isNull(row, optional: optional) {
                validity.append(false)
                expected.append(nil)
            } else {
                let generated = value(row)
                values.append(generated)
                validity.append(true)
                expected.append(text(generated))
            }
        }
        return InteropColumn(
            column: column, batch: batch(values, optional ? validity : nil), kind: kind, expected: expected)
    }

    package static func integers<Value: FixedWidthInteger>(
        _ column: ParquetColumn, kind: String, rows: Int, seed: UInt64, edges: [Value], spread: Int,
        text: @escaping (Value) -> String = { "\($0)" }, batch: @escaping ([Value], [Bool]?) -> ParquetColumnBatch
    ) -> InteropColumn {
        var random = Random(state: seed)
        return make(
            column, kind: kind, rows: rows,
            value: { row in
                row < edges.count ? edges[row] : Value(truncatingIfNeeded: random.below(spread) - spread / 2)
            },
            text: text, batch: batch)
    }

    /// One column of each type the writer supports, REQUIRED or OPTIONAL.
    package static func allTypes(rows: Int, repetition: ParquetRepetition) -> [InteropColumn] {
        let suffix = repetition == .required ? "_req" : "_opt"
        func name(_ base: String) -> String { base + suffix }
        var columns: [InteropColumn] = []
        columns.append(
            make(
                .boolean(name("bool"), repetition: repetition), kind: "bool", rows: rows, value: { $0 % 5 < 2 },
                text: { $0 ? "true" : "false" }, batch: { .init(.boolean($0), validity: $1) }))
        columns.append(
            integers(
                .int32(name("int32"), repetition: repetition), kind: "int", rows: rows, seed: 1,
                edges: [Int32.min, Int32.max, 0, -1], spread: 1000, batch: { .init(.int32($0), validity: $1) }))
        columns.append(
            integers(
                .int64(name("int64"), repetition: repetition), kind: "int", rows: rows, seed: 2,
                edges: [Int64.min, Int64.max, 0, -1], spread: 1 << 40, batch: { .init(.int64($0), validity: $1) }))
        let floatEdges: [Float] = [
            .nan, .infinity, -.infinity, -0.0, 0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ]
        var floatRandom = Random(state: 3)
        columns.append(
            make(
                .float(name("float"), repetition: repetition), kind: "float32", rows: rows,
                value: { $0 < floatEdges.count ? floatEdges[$0] : Float(floatRandom.below(2000) - 1000) / 8 },
                text: { "\($0)" }, batch: { .init(.float($0), validity: $1) }))
        let doubleEdges: [Double] = [
            .nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1,
        ]
        var doubleRandom = Random(state: 4)
        columns.append(
            make(
                .double(name("double"), repetition: repetition), kind: "float64", rows: rows,
                value: { $0 < doubleEdges.count ? doubleEdges[$0] : Double(doubleRandom.below(100_000)) / 100 },
                text: { "\($0)" }, batch: { .init(.double($0), validity: $1) }))
        let stringEdges = ["", "größe ✓ 日本語 🛒", "'; DROP TABLE x; --", "tab\tnew\nline"]
        var stringRandom = Random(state: 5)
        columns.append(
            make(
                .string(name("string"), repetition: repetition), kind: "string", rows: rows,
                value: { $0 < stringEdges.count ? stringEdges[$0] : "product-\(stringRandom.below(300))" },
                text: { hex(Array($0.utf8)) },
                batch: { .init(.byteArray(ParquetByteArrays(strings: $0)), validity: $1) }))
        var bytesRandom = Random(state: 6)
        columns.append(
            make(
                .bytes(name("bytes"), repetition: repetition), kind: "bytes", rows: rows,
                value: { row in row == 0 ? [] : (0..<(row % 7)).map { _ in UInt8(bytesRandom.below(256)) } },
                text: { hex($0) }, batch: { .init(.byteArray(ParquetByteArrays(values: $0)), validity: $1) }))
        var fixedRandom = Random(state: 7)
        columns.append(
            make(
                .fixedBytes(name("fixed5"), length: 5, repetition: repetition), kind: "bytes", rows: rows,
                value: { row in
                    row == 0 ? [0xFF, 0xFF, 0xFF, 0xFF, 0xFF] : (0..<5).map { _ in UInt8(fixedRandom.below(4)) }
                },
                text: { hex($0) },
                batch: { .init(.fixedLenByteArray(bytes: $0.flatMap { $0 }, width: 5), validity: $1) }))
        columns.append(
            integers(
                .date(name("date"), repetition: repetition), kind: "date", rows: rows, seed: 8,
                edges: [Int32(0), -719_162, 2_932_896, -1], spread: 40_000, batch: { .init(.int32($0), validity: $1) }))
        let units: [(ParquetTimeUnit, String, Int64)] = [
            (.milliseconds, "ms", 1_767_225_600_123), (.microseconds, "us", 1_767_225_600_123_456),
            (.nanoseconds, "ns", 1_767_225_600_123_456_789),
        ]
        for (unit, label, now) in units {
            columns.append(
                integers(
                    .timestamp(name("ts_\(label)_utc"), unit: unit, repetition: repetition), kind: "timestamp:\(label)",
                    rows: rows, seed: 9, edges: [Int64(0), -1, now, -86_400_001],
                    spread: 1 << 40, batch: { .init(.int64($0), validity: $1) }))
        }
        columns.append(
            integers(
                .timestamp(name("ts_us_local"), unit: .microseconds, isAdjustedToUTC: false, repetition: repetition),
                kind: "timestamp:us", rows: rows, seed: 10, edges: [Int64(1_767_225_600_000_001), -1], spread: 1 << 40,
                batch: { .init(.int64($0), validity: $1) }))
        columns.append(
            integers(
                .decimal(name("dec9_2"), precision: 9, scale: 2, repetition: repetition), kind: "decimal:2", rows: rows,
                seed: 11, edges: [Int32(999_999_999), -999_999_999, 0, 1], spread: 2_000_000,
                batch: { .init(.int32($0), validity: $1) }))
        columns.append(
            integers(
                .decimal(name("dec18_4"), precision: 18, scale: 4, repetition: repetition), kind: "decimal:4",
                rows: rows,
                seed: 12, edges: [Int64(999_999_999_999_999_999), -999_999_999_999_999_999, 0], spread: 1 << 50,
                batch: { .init(.int64($0), validity: $1) }))
        // DECIMAL(30, 6) on 13 bytes, big-endian two's complement, from a 30-digit edge down.
        var decimalRandom = Random(state: 13)
        let wide = ParquetColumn.decimal(name("dec30_6"), precision: 30, scale: 6, repetition: repetition)
        columns.append(
            make(
                wide, kind: "decimal:6", rows: rows,
                value: { row -> (text: String, bytes: [UInt8]) in
                    switch row {
                    case 0: return Self.decimalBytes("999999999999999999999999999999", width: 13)
                    case 1: return Self.decimalBytes("-999999999999999999999999999999", width: 13)
                    default:
                        let sign = decimalRandom.below(2) == 0 ? "" : "-"
                        return Self.decimalBytes(
                            "\(sign)\(decimalRandom.next())\(decimalRandom.below(1_000_000))", width: 13)
                    }
                },
                text: { $0.text },
                batch: { .init(.fixedLenByteArray(bytes: $0.flatMap(\.bytes), width: 13), validity: $1) }))
        columns.append(
            integers(
                .integer(name("int8"), bitWidth: 8, isSigned: true, repetition: repetition), kind: "int", rows: rows,
                seed: 14, edges: [Int32(-128), 127, 0], spread: 256, batch: { .init(.int32($0), validity: $1) }))
        columns.append(
            integers(
                .integer(name("uint8"), bitWidth: 8, isSigned: false, repetition: repetition), kind: "int", rows: rows,
                seed: 15, edges: [Int32(0), 255, 128], spread: 256, text: { "\($0 & 0xFF)" },
                batch: { .init(.int32($0.map { $0 & 0xFF }), validity: $1) }))
        columns.append(
            integers(
                .integer(name("int32_logical"), bitWidth: 32, isSigned: true, repetition: repetition), kind: "int",
                rows: rows, seed: 21, edges: [Int32.min, Int32.max], spread: 1 << 30,
                batch: { .init(.int32($0), validity: $1) }))
        columns.append(
            integers(
                .integer(name("int64_logical"), bitWidth: 64, isSigned: true, repetition: repetition), kind: "int",
                rows: rows, seed: 22, edges: [Int64.min, Int64.max], spread: 1 << 50,
                batch: { .init(.int64($0), validity: $1) }))
        let localUnits: [(ParquetTimeUnit, String)] = [(.milliseconds, "ms"), (.nanoseconds, "ns")]
        for (unit, label) in localUnits {
            columns.append(
                integers(
                    .timestamp(name("ts_\(label)_local"), unit: unit, isAdjustedToUTC: false, repetition: repetition),
                    kind: "timestamp:\(label)", rows: rows, seed: 23, edges: [Int64(0), -1], spread: 1 << 40,
                    batch: { .init(.int64($0), validity: $1) }))
        }
        columns.append(
            integers(
                .integer(name("int16"), bitWidth: 16, isSigned: true, repetition: repetition), kind: "int", rows: rows,
                seed: 16, edges: [Int32(Int16.min), Int32(Int16.max)], spread: 60_000,
                batch: { .init(.int32($0), validity: $1) }))
        columns.append(
            integers(
                .integer(name("uint16"), bitWidth: 16, isSigned: false, repetition: repetition), kind: "int",
                rows: rows, seed: 17, edges: [Int32(0), 65_535], spread: 65_536, text: { "\($0 & 0xFFFF)" },
                batch: { .init(.int32($0.map { $0 & 0xFFFF }), validity: $1) }))
        columns.append(
            integers(
                .integer(name("uint32"), bitWidth: 32, isSigned: false, repetition: repetition), kind: "uint32",
                rows: rows, seed: 18, edges: [Int32(-1), Int32.min, 0, Int32.max], spread: 1 << 20,
                text: { "\(UInt32(bitPattern: $0))" }, batch: { .init(.int32($0), validity: $1) }))
        columns.append(
            integers(
                .integer(name("uint64"), bitWidth: 64, isSigned: false, repetition: repetition), kind: "uint64",
                rows: rows, seed: 19, edges: [Int64(-1), Int64.min, 0, Int64.max], spread: 1 << 50,
                text: { "\(UInt64(bitPattern: $0))" }, batch: { .init(.int64($0), validity: $1) }))
        var uuidRandom = Random(state: 20)
        columns.append(
            make(
                .uuid(name("uuid"), repetition: repetition), kind: "uuid", rows: rows,
                value: { _ in (0..<16).map { _ in UInt8(uuidRandom.below(256)) } }, text: { hex($0) },
                batch: { .init(.fixedLenByteArray(bytes: $0.flatMap { $0 }, width: 16), validity: $1) }))
        return columns
    }

    /// The unscaled decimal `digits` as `width` bytes of big-endian two's complement.
    package static func decimalBytes(_ digits: String, width: Int) -> (text: String, bytes: [UInt8]) {
        let negative = digits.hasPrefix("-")
        var magnitude = [UInt8](repeating: 0, count: width)  // big-endian
        for digit in digits.drop(while: { $0 == "-" }) {
            var carry = Int(digit.wholeNumberValue!)
            for index in stride(from: width - 1, through: 0, by: -1) {
                let value = Int(magnitude[index]) * 10 + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
        }
        if negative {  // two's complement: invert and add one
            var carry = 1
            for index in stride(from: width - 1, through: 0, by: -1) {
                let value = Int(~magnitude[index]) + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
        }
        let trimmed = String(digits.drop(while: { $0 == "-" }).drop(while: { $0 == "0" }))
        return ((negative && !trimmed.isEmpty ? "-" : "") + (trimmed.isEmpty ? "0" : trimmed), magnitude)
    }

    /// Writes `columns` to `path` with `configuration`, in batches of `batchRows`, and the
    /// expected values beside it (`<path>.expected.json`).
    package static func write(
        _ columns: [InteropColumn], to path: String, configuration: ParquetWriter.Configuration,
        batchRows: [Int]? = nil, extra: [String: Any] = [:]
    ) async throws {
        let schema = try ParquetSchema(columns.map(\.column))
        let writer = try ParquetWriter(
            schema: schema, configuration: configuration, sink: try ParquetFileSink(path: path))
        let rows = columns.first?.expected.count ?? 0
        var start = 0
        for size in batchRows ?? [rows] where start < rows {
            let end = min(rows, start + size)
            try await writer.write(columns.map { slice($0, rows: start..<end) })
            start = end
        }
        try await writer.close()
        var document = extra
        document["rows"] = rows
        document["columns"] = columns.map { column -> [String: Any] in
            ["name": column.column.name, "kind": column.kind, "values": column.expected.map { $0 ?? NSNull() as Any }]
        }
        let json = try JSONSerialization.data(withJSONObject: document)
        try json.write(to: URL(fileURLWithPath: path + ".expected.json"))
    }

    /// The rows `rows` of a column's batch, as a batch of its own.
    package static func slice(_ column: InteropColumn, rows: Range<Int>) -> ParquetColumnBatch {
        let batch = column.batch
        guard rows != 0..<batch.rowCount else { return batch }
        let validity = batch.validity.map { Array($0[rows]) }
        let before = batch.validity.map { $0[0..<rows.lowerBound].filter { $0 }.count } ?? rows.lowerBound
        let count = validity.map { $0.filter { $0 }.count } ?? rows.count
        let values = before..<(before + count)
        switch batch.values {
        case .boolean(let all): return .init(.boolean(Array(all[values])), validity: validity)
        case .int32(let all): return .init(.int32(Array(all[values])), validity: validity)
        case .int64(let all): return .init(.int64(Array(all[values])), validity: validity)
        case .float(let all): return .init(.float(Array(all[values])), validity: validity)
        case .double(let all): return .init(.double(Array(all[values])), validity: validity)
        case .fixedLenByteArray(let bytes, let width):
            return .init(
                .fixedLenByteArray(
                    bytes: Array(bytes[(values.lowerBound * width)..<(values.upperBound * width)]), width: width),
                validity: validity)
        case .byteArray(let arrays):
            let low = Int(arrays.offsets[values.lowerBound])
            let high = Int(arrays.offsets[values.upperBound])
            let offsets = arrays.offsets[values.lowerBound...values.upperBound].map { $0 - Int32(low) }
            return .init(
                .byteArray(ParquetByteArrays(bytes: Array(arrays.bytes[low..<high]), offsets: offsets)),
                validity: validity)
        }
    }
}
