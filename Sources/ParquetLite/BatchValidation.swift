/// Checks a column batch against its column before anything of it is written, so that a bad
/// value is an error and never a corrupt file.
enum BatchValidation {
    static func check(_ batch: ParquetColumnBatch, against column: ParquetColumn) throws {
        func violation(_ why: String) -> ParquetError {
            ParquetError(code: .schemaViolation, message: "column '\(column.name)': \(why)", column: column.name)
        }
        guard batch.values.physicalType == column.physicalType else {
            throw violation(
                "the batch holds \(batch.values.physicalType) values but the column is \(column.physicalType)")
        }
        let present: Int
        if column.nesting != nil || batch.levels != nil {
            present = try checkLevels(batch, column, violation)
        } else if let validity = batch.validity {
            present = validity.reduce(0) { $0 + ($1 ? 1 : 0) }
            if column.repetition == .required, present != validity.count {
                let row = validity.firstIndex(of: false) ?? 0
                throw violation("row \(row) of the batch is null, but the column is REQUIRED")
            }
        } else {
            present = batch.values.count
        }
        switch batch.values {
        case .fixedLenByteArray(let bytes, let width):
            guard width == Int(column.typeLength ?? -1), bytes.count % max(width, 1) == 0 else {
                throw violation(
                    "FIXED_LEN_BYTE_ARRAY values of \(width) bytes (\(bytes.count) bytes in all) do not match the column's width \(column.typeLength ?? 0)"
                )
            }
        case .byteArray(let arrays):
            try checkOffsets(arrays, violation)
            if column.logicalType == .string { try checkUTF8(arrays, violation) }
        case .int32(let values):
            try checkRange(values.lazy.map(Int64.init), of: column, violation)
        case .int64(let values):
            try checkRange(values.lazy, of: column, violation)
        default: break
        }
        guard batch.values.count == present else {
            throw violation(
                "the batch has \(present) non-null rows but \(batch.values.count) values; values hold the non-null rows only"
            )
        }
    }

    /// A nested leaf's levels: within the column's maxima, rows starting at repetition 0.
    /// Returns how many values they place.
    private static func checkLevels(
        _ batch: ParquetColumnBatch, _ column: ParquetColumn, _ violation: (String) -> ParquetError
    ) throws -> Int {
        guard let levels = batch.levels else {
            throw violation(
                "a column inside a struct, list or map needs definition and repetition levels; ParquetSchema.columnBatches(rows:) computes them"
            )
        }
        guard batch.validity == nil else {
            throw violation("a batch with levels has no validity; the levels say which slots are null")
        }
        let maxDefinition = column.maxDefinitionLevel
        let maxRepetition = column.maxRepetitionLevel
        if maxRepetition == 0 {
            guard levels.repetition.isEmpty else {
                throw violation("the column is in no list, so its batch has no repetition levels")
            }
        } else {
            guard levels.repetition.count == levels.definition.count else {
                throw violation(
                    "\(levels.definition.count) definition levels but \(levels.repetition.count) repetition levels")
            }
            if let first = levels.repetition.first, first != 0 {
                throw violation("the first repetition level must be 0 (a batch starts a row)")
            }
            if let index = levels.repetition.firstIndex(where: { Int($0) > maxRepetition }) {
                throw violation(
                    "repetition level \(levels.repetition[index]) at slot \(index) exceeds the column's maximum \(maxRepetition)"
                )
            }
        }
        var present = 0
        for (index, level) in levels.definition.enumerated() {
            guard Int(level) <= maxDefinition else {
                throw violation(
                    "definition level \(level) at slot \(index) exceeds the column's maximum \(maxDefinition)")
            }
            present += Int(level) == maxDefinition ? 1 : 0
        }
        return present
    }

    private static func checkOffsets(_ arrays: ParquetByteArrays, _ violation: (String) -> ParquetError) throws {
        let offsets = arrays.offsets
        guard let first = offsets.first, first == 0, Int(offsets[offsets.count - 1]) == arrays.bytes.count else {
            throw violation("byte-array offsets must start at 0 and end at the buffer's size (\(arrays.bytes.count))")
        }
        try offsets.withUnsafeBufferPointer { offsets in
            for index in 1..<offsets.count where offsets[index] < offsets[index - 1] {
                throw violation("byte-array offsets decrease at value \(index - 1)")
            }
        }
    }

    /// STRING values must be UTF-8; ASCII, the common case, is checked eight bytes at a time.
    private static func checkUTF8(_ arrays: ParquetByteArrays, _ violation: (String) -> ParquetError) throws {
        let isASCII = arrays.bytes.withUnsafeBytes { bytes -> Bool in
            var index = 0
            var accumulated: UInt64 = 0
            while index + 8 <= bytes.count {
                accumulated |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                index += 8
            }
            while index < bytes.count {
                accumulated |= UInt64(bytes[index])
                index += 1
            }
            return accumulated & 0x8080_8080_8080_8080 == 0
        }
        guard !isASCII else { return }
        for index in 0..<arrays.count {
            let value = arrays.bytes[Int(arrays.offsets[index])..<Int(arrays.offsets[index + 1])]
            var decoder = UTF8()
            var iterator = value.makeIterator()
            decoding: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: break decoding
                case .error: throw violation("value \(index) is not valid UTF-8, which a STRING column requires")
                }
            }
        }
    }

    /// Integers must fit their logical type: INT(8/16) and unsigned INT(8/16) ranges, and
    /// decimals within their precision.
    private static func checkRange<Values: Sequence<Int64>>(
        _ values: Values, of column: ParquetColumn, _ violation: (String) -> ParquetError
    ) throws {
        let range: ClosedRange<Int64>
        switch column.logicalType {
        case .integer(let bitWidth, let isSigned) where bitWidth < 32:
            range = isSigned ? -(1 << (bitWidth - 1))...((1 << (bitWidth - 1)) - 1) : 0...((1 << bitWidth) - 1)
        case .decimal(let precision, _) where precision <= 18:
            var limit: Int64 = 1
            for _ in 0..<precision { limit *= 10 }
            range = -(limit - 1)...(limit - 1)
        default: return
        }
        for (index, value) in values.enumerated() where !range.contains(value) {
            throw violation(
                "value \(index) (\(value)) is outside \(range.lowerBound)...\(range.upperBound) that the column's \(column.logicalType.map { "\($0)" } ?? "") allows"
            )
        }
    }
}
