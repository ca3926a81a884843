/// How ``PGCopyWriter/writeRow(_:)`` formats rows; it must match the `FORMAT` of the COPY.
public enum PGCopyRowFormat: Sendable {
    /// PostgreSQL's text format (the COPY default): tab-separated, `\N` for NULL, backslash escapes.
    case text
    /// CSV (`FORMAT csv`): comma-separated, quoted when needed, an unquoted empty field for NULL.
    case csv
}

/// Streams the data of a `COPY … FROM STDIN` to the server in chunks, so that memory holds one
/// chunk (256 KiB), never the whole payload. Made by ``PGConnection/copyIn(_:format:_:)``.
public final class PGCopyWriter {
    private let connection: PGConnection
    private let format: PGCopyRowFormat
    private var buffer: [UInt8] = []
    private let chunkSize = 256 << 10
    /// Rows written with ``writeRow(_:)`` so far.
    public private(set) var rowsWritten = 0

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

    /// Writes one row, each value in its text form (`nil` is NULL), escaped for the format.
    ///
    /// - Complexity: O(size of the values); a call sends data only when a chunk fills.
    public func writeRow(_ values: [(any PGEncodable)?]) async throws {
        switch format {
        case .text: appendTextRow(values)
        case .csv: appendCSVRow(values)
        }
        rowsWritten += 1
        if buffer.count >= chunkSize { try await flush() }
    }

    /// Sends what is buffered.
    func flush() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        try await connection.putCopyData(chunk)
    }

    private func appendTextRow(_ values: [(any PGEncodable)?]) {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(9) }
            guard let value else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            let start = buffer.count
            value.appendPGText(to: &buffer)
            escapeText(from: start)
        }
        buffer.append(10)
    }

    /// Escapes backslash, tab, newline and carriage return in `buffer[start...]`, in place.
    private func escapeText(from start: Int) {
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

    private func appendCSVRow(_ values: [(any PGEncodable)?]) {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            guard let value else { continue }
            let start = buffer.count
            value.appendPGText(to: &buffer)
            quoteCSV(from: start)
        }
        buffer.append(10)
    }

    /// Quotes `buffer[start...]` when it is empty (else it would read as NULL) or holds a comma,
    /// quote, line break or backslash-dot; inner quotes are doubled.
    private func quoteCSV(from start: Int) {
        var needsQuotes = buffer.count == start
        for index in start..<buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13
                || byte == UInt8(ascii: "\\")
            {
                needsQuotes = true
                break
            }
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
