/// How ``PGCopyWriter/writeRow(_:)`` formats rows; it must match the `FORMAT` of the COPY.
public enum PGCopyRowFormat: Sendable, Hashable {
    /// PostgreSQL's text format (the COPY default): tab-separated, `\N` for NULL, backslash escapes.
    case text
    /// CSV (`FORMAT csv`): comma-separated, quoted when needed, an unquoted empty field for NULL.
    case csv
    /// PostgreSQL's binary format (`FORMAT binary`): each value in the binary form of its
    /// Swift type (``PGEncodable/appendPGBinary(to:)``), which must match the column's type
    /// (`Int32` for `integer`, `Double` for `double precision`…). The cheapest for the server to read.
    case binary
}

/// Streams the data of a `COPY … FROM STDIN` to the server in chunks, so that memory holds one
/// chunk (256 KiB), never the whole payload. Made by ``PGConnection/copyIn(_:format:_:)``.
///
/// Safety (`@unchecked Sendable`): a writer may be handed to other functions and tasks, but
/// must be used by one at a time, within the `copyIn` block that made it (as a file handle).
public final class PGCopyWriter: @unchecked Sendable {
    private let connection: PGConnection
    let format: PGCopyRowFormat
    private var buffer: [UInt8] = []
    let chunkSize = 256 << 10
    /// Rows written with ``writeRow(_:)`` so far.
    public private(set) var rowsWritten = 0
    private var binaryHeaderWritten = false

    /// The binary COPY signature, flags and header extension length.
    private static let binaryHeader: [UInt8] =
        Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0, 0, 0, 0, 0]

    init(connection: PGConnection, format: PGCopyRowFormat) {
        self.connection = connection
        self.format = format
        buffer.reserveCapacity(chunkSize + (16 << 10))
    }

    /// Writes raw COPY data in whatever format the COPY names (text, CSV or binary); rows may
    /// span calls.
    public func write(_ bytes: [UInt8]) async throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunkSize { try await flush() }
    }

    /// Writes one row of values of any types, each in the writer's format (`nil` is NULL).
    ///
    /// - Complexity: O(size of the values); a call sends data only when a chunk fills.
    public func writeRow(_ values: [(any PGEncodable)?]) async throws {
        var bytes = startRow(fieldCount: values.count)
        let format = self.format
        values.withUnsafeBufferPointer { fields in
            for index in 0..<fields.count {
                let start = Self.beginField(format: format, index: index, to: &bytes)
                // Optional chaining calls the value in place, without copying the existential out.
                let written: Void? =
                    format == .binary
                    ? fields[index]?.appendPGBinary(to: &bytes) : fields[index]?.appendPGText(to: &bytes)
                if written == nil {
                    Self.markNull(format: format, start: start, to: &bytes)
                } else {
                    Self.endField(format: format, start: start, to: &bytes)
                }
            }
        }
        try await endRow(&bytes)
    }

    // MARK: Row assembly

    /// The bytes waiting to be sent.
    var bufferedByteCount: Int { buffer.count }

    /// Appends `count` rows whose fields are in `fields`, column after column (all of column 0's
    /// rows, then column 1's…), field `i` ending at `ends[i]`.
    func appendRows(count: Int, columnCount: Int, fields: [UInt8], ends: [Int]) {
        var bytes = buffer
        buffer = []
        if format == .binary && !binaryHeaderWritten {
            bytes.append(contentsOf: Self.binaryHeader)
            binaryHeaderWritten = true
        }
        let separator: UInt8 = format == .csv ? UInt8(ascii: ",") : 9
        let binary = format == .binary
        // Each row adds its field count (binary) or separators and a newline (text, CSV).
        let base = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: fields.count + count * (binary ? 2 : columnCount)))
        fields.withUnsafeBytes { fields in
            ends.withUnsafeBufferPointer { ends in
                bytes.withUnsafeMutableBytes { output in
                    var position = base
                    for row in 0..<count {
                        if binary {
                            output.storeBytes(
                                of: UInt16(columnCount).bigEndian, toByteOffset: position, as: UInt16.self)
                            position += 2
                        }
                        for column in 0..<columnCount {
                            if column > 0 && !binary {
                                output[position] = separator
                                position += 1
                            }
                            let field = column * count + row
                            let start = field == 0 ? 0 : ends[field - 1]
                            let length = ends[field] - start
                            if length > 0 {
                                (output.baseAddress! + position).copyMemory(
                                    from: fields.baseAddress! + start, byteCount: length)
                            }
                            position += length
                        }
                        if !binary {
                            output[position] = 10
                            position += 1
                        }
                    }
                }
            }
        }
        buffer = bytes
        rowsWritten += count
    }

    /// Takes the buffer (so that appends need no exclusivity check per byte) and begins a row.
    private func startRow(fieldCount: Int) -> [UInt8] {
        var bytes = buffer
        buffer = []
        if format == .binary {
            if !binaryHeaderWritten {
                bytes.append(contentsOf: Self.binaryHeader)
                binaryHeaderWritten = true
            }
            appendBigEndian(Int16(fieldCount), to: &bytes)
        }
        return bytes
    }

    /// Ends a row, gives the buffer back (moved, never copied), and sends a full chunk.
    private func endRow(_ bytes: inout [UInt8]) async throws {
        if format != .binary { bytes.append(10) }
        swap(&buffer, &bytes)
        rowsWritten += 1
        if buffer.count >= chunkSize { try await flush() }
    }

    /// Writes the separator (text, CSV) or a length placeholder (binary); returns where the
    /// value starts.
    @inlinable
    static func beginField(format: PGCopyRowFormat, index: Int, to bytes: inout [UInt8]) -> Int {
        switch format {
        case .text: if index > 0 { bytes.append(9) }
        case .csv: if index > 0 { bytes.append(UInt8(ascii: ",")) }
        case .binary: for _ in 0..<4 { bytes.append(0) }
        }
        return bytes.count
    }

    /// Escapes (text), quotes (CSV) or records the length (binary) of the value at `start`.
    @inlinable
    static func endField(format: PGCopyRowFormat, start: Int, to bytes: inout [UInt8]) {
        switch format {
        case .text: escapeText(&bytes, from: start)
        case .csv: quoteCSV(&bytes, from: start)
        case .binary:
            let length = UInt32(bytes.count - start)
            bytes[start - 4] = UInt8(truncatingIfNeeded: length >> 24)
            bytes[start - 3] = UInt8(truncatingIfNeeded: length >> 16)
            bytes[start - 2] = UInt8(truncatingIfNeeded: length >> 8)
            bytes[start - 1] = UInt8(truncatingIfNeeded: length)
        }
    }

    /// Turns the field begun at `start` into a NULL.
    @inlinable
    static func markNull(format: PGCopyRowFormat, start: Int, to bytes: inout [UInt8]) {
        switch format {
        case .text:
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
        case .csv: break  // an unquoted empty field
        case .binary: for offset in 1...4 { bytes[start - offset] = 0xFF }  // length -1
        }
    }

    /// Ends the data (in binary, the trailer, after the header even when no row was written:
    /// the server reads an empty stream as a file without its signature) and sends the rest.
    func finish() async throws {
        if format == .binary {
            if !binaryHeaderWritten { buffer.append(contentsOf: Self.binaryHeader) }
            buffer.append(contentsOf: [0xFF, 0xFF])
        }
        try await flush()
    }

    /// Sends what is buffered.
    func flush() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        try await connection.putCopyData(chunk)
    }

    /// Escapes backslash, tab, newline and carriage return in `buffer[start...]`, in place.
    @usableFromInline
    static func escapeText(_ buffer: inout [UInt8], from start: Int) {
        let needsEscape = buffer.withUnsafeBufferPointer { bytes in
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") || byte < 14 && (byte == 9 || byte == 10 || byte == 13) { return true }
                index += 1
            }
            return false
        }
        guard needsEscape else { return }
        let raw = buffer[start...]
        var escaped: [UInt8] = []
        escaped.reserveCapacity(raw.count + 8)
        for byte in raw {
            switch byte {
            case UInt8(ascii: "\\"): escaped.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 9: escaped.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 10: escaped.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 13: escaped.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: escaped.append(byte)
            }
        }
        buffer.replaceSubrange(start..., with: escaped)
    }

    /// Quotes `buffer[start...]` when it is empty (else it would read as NULL) or holds a comma,
    /// quote, line break or backslash; inner quotes are doubled.
    @usableFromInline
    static func quoteCSV(_ buffer: inout [UInt8], from start: Int) {
        let needsQuotes = buffer.withUnsafeBufferPointer { bytes in
            if bytes.count == start { return true }
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
                    || byte < 14 && (byte == 10 || byte == 13)
                {
                    return true
                }
                index += 1
            }
            return false
        }
        guard needsQuotes else { return }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in buffer[start...] {
            if byte == UInt8(ascii: "\"") { quoted.append(byte) }
            quoted.append(byte)
        }
        quoted.append(UInt8(ascii: "\""))
        buffer.replaceSubrange(start..., with: quoted)
    }
}
