extension ParquetSchemaElement {
    /// A statistics bound (`min_value`/`max_value`, stored PLAIN without a length prefix) as a
    /// value of this leaf column, typed by its logical type; `nil` when the bytes do not fit
    /// the column's physical type or the element is a group.
    public func value(ofStatisticsBound bytes: [UInt8]) -> ParquetValue? {
        guard let physicalType else { return nil }
        let values: ParquetColumnBatch.Values
        switch physicalType {
        case .boolean:
            guard bytes.count == 1 else { return nil }
            values = .boolean([bytes[0] != 0])
        case .int32, .float:
            guard bytes.count == 4 else { return nil }
            let bits = bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            values = physicalType == .int32 ? .int32([Int32(bitPattern: bits)]) : .float([Float(bitPattern: bits)])
        case .int64, .double:
            guard bytes.count == 8 else { return nil }
            let bits = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            values = physicalType == .int64 ? .int64([Int64(bitPattern: bits)]) : .double([Double(bitPattern: bits)])
        case .int96:
            guard bytes.count == 12 else { return nil }
            return .timestamp(
                ParquetReader.int96Nanoseconds(bytes)[0], unit: .nanoseconds, isAdjustedToUTC: false)
        case .byteArray:
            values = .byteArray(ParquetByteArrays(values: [bytes]))
        case .fixedLenByteArray:
            values = .fixedLenByteArray(bytes: bytes, width: bytes.count)
        }
        return ValueAccessor.primitive(values, effectiveLogicalType, physicalType, ranks: nil).value(at: 0)
    }
}
