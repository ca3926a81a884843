extension ParquetFileMetadata {
    /// The schema in Parquet's message syntax (as parquet-mr prints it):
    /// `message schema { optional binary name (STRING); … }`, one field per line.
    public var schemaMessage: String {
        var text = ""
        var index = 0
        func walk(depth: Int) {
            guard index < schema.count else { return }
            let element = schema[index]
            index += 1
            let indent = String(repeating: "  ", count: depth)
            let annotation = Self.annotation(element).map { " (\($0))" } ?? ""
            if depth == 0 {
                text += "message \(element.name) {\n"
            } else {
                let repetition = element.repetition.map { "\($0)" } ?? "required"
                if let type = element.physicalType {
                    let name =
                        type == .fixedLenByteArray
                        ? "fixed_len_byte_array(\(element.typeLength ?? 0))" : "\(type)".lowercased()
                    text +=
                        "\(indent)\(repetition) \(name == "byte_array" ? "binary" : name) \(element.name)\(annotation);\n"
                    return
                }
                text += "\(indent)\(repetition) group \(element.name)\(annotation) {\n"
            }
            for _ in 0..<(element.childCount ?? 0) { walk(depth: depth + 1) }
            text += "\(indent)}\n"
        }
        walk(depth: 0)
        return text
    }

    private static func annotation(_ element: ParquetSchemaElement) -> String? {
        switch element.groupAnnotation {
        case .list: return "LIST"
        case .map: return "MAP"
        case nil: break
        }
        switch element.effectiveLogicalType {
        case .string: return "STRING"
        case .date: return "DATE"
        case .timestamp(let unit, let utc):
            let name = unit == .milliseconds ? "MILLIS" : unit == .microseconds ? "MICROS" : "NANOS"
            return "TIMESTAMP(\(name),\(utc))"
        case .decimal(let precision, let scale): return "DECIMAL(\(precision),\(scale))"
        case .integer(let bits, let signed): return "INTEGER(\(bits),\(signed))"
        case .uuid: return "UUID"
        case nil: return nil
        }
    }

    /// The footer as one JSON object: the file's version, writer, row count and key-value
    /// metadata, and per row group its rows and sizes and per column chunk its path, type,
    /// codec, encodings, value count, sizes, offsets and statistics (bounds typed by the column,
    /// in the representation of ``ParquetValue/json``).
    public var json: String {
        var text = "{\"version\": \(version), \"created_by\": "
        JSONText.appendString(createdBy ?? "", to: &text)
        text += ", \"num_rows\": \(rowCount), \"key_value_metadata\": {"
        for (index, pair) in keyValueMetadata.enumerated() {
            if index > 0 { text += ", " }
            JSONText.appendString(pair.key, to: &text)
            text += ": "
            if let value = pair.value { JSONText.appendString(value, to: &text) } else { text += "null" }
        }
        text += "}, \"row_groups\": ["
        let leaves = self.leaves
        for (groupIndex, group) in rowGroups.enumerated() {
            if groupIndex > 0 { text += ", " }
            text += "{\"num_rows\": \(group.rowCount), \"total_byte_size\": \(group.totalByteSize), \"columns\": ["
            for (chunkIndex, chunk) in group.columns.enumerated() {
                if chunkIndex > 0 { text += ", " }
                text += "{\"path\": "
                JSONText.appendString(chunk.path.joined(separator: "."), to: &text)
                text +=
                    ", \"type\": \"\(chunk.physicalType)\", \"codec\": \"\(CompressionCodec.name(thriftValue: chunk.codec))\""
                text +=
                    ", \"encodings\": [" + chunk.encodings.map { "\"\(EncodingID.name($0))\"" }.joined(separator: ", ")
                text +=
                    "], \"num_values\": \(chunk.valueCount), \"total_compressed_size\": \(chunk.totalCompressedSize)"
                text += ", \"total_uncompressed_size\": \(chunk.totalUncompressedSize)"
                text += ", \"data_page_offset\": \(chunk.dataPageOffset)"
                text += ", \"dictionary_page_offset\": \(chunk.dictionaryPageOffset.map(String.init) ?? "null")"
                text += ", \"statistics\": "
                if let statistics = chunk.statistics {
                    let element = chunkIndex < leaves.count ? leaves[chunkIndex].element : nil
                    func bound(_ bytes: [UInt8]?) -> String {
                        guard let bytes else { return "null" }
                        return element?.value(ofStatisticsBound: bytes)?.json ?? "null"
                    }
                    text += "{\"null_count\": \(statistics.nullCount.map(String.init) ?? "null")"
                    text += ", \"distinct_count\": \(statistics.distinctCount.map(String.init) ?? "null")"
                    text += ", \"min\": \(bound(statistics.minValue ?? statistics.legacyMin))"
                    text += ", \"max\": \(bound(statistics.maxValue ?? statistics.legacyMax))}"
                } else {
                    text += "null"
                }
                text += "}"
            }
            text += "]}"
        }
        return text + "]}"
    }
}
