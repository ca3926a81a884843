/// How ``PGCopyWriter/writeRow(_:)`` formats rows; it must match the `FORMAT` of the COPY.
public enum PGCopyRowFormat: Sendable {
    /// PostgreSQL's text format (the COPY default): tab-separated, `\N` for NULL, backslash escapes.
    case text
    /// CSV (`FORMAT csv`): comma-separated, quoted when needed, an unquoted empty field for NULL.
    case csv
}

/// Streams the data of a `COPY … FROM STDIN` to the server in chunks, so that memory holds one
/// chunk (256 KiB), never the whole payload. Made by ``PGConnection/copyIn(_:format:_:)``.
///
/// Safety (`@unchecked Sendable`): a writer may be handed to other functions and tasks, but
/// must be used by one at a time, within the `copyIn` block that made it (as a file handle).
public final class PGCopyWriter: @unchecked Sendable {
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
        // Work on a local array: one exclusivity check per row instead of one per byte.
        var bytes = buffer
        buffer = []
        switch format {
        case .text: Self.appendTextRow(values, to: &bytes)
        case .csv: Self.appendCSVRow(values, to: &bytes)
        }
        buffer = bytes
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

    private static func appendTextRow(_ values: [(any PGEncodable)?], to buffer: inout [UInt8]) {
        var first = true
        for value in values {
            if !first { buffer.append(9) }
            first = false
            guard let value else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            let start = buffer.count
            value.appendPGText(to: &buffer)
            escapeText(&buffer, from: start)
        }
        buffer.append(10)
    }

    /// Escapes backslash, tab, newline and carriage return in `buffer[start...]`, in place.
    private static func escapeText(_ buffer: inout [UInt8], from start: Int) {
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

    private static func appendCSVRow(_ values: [(any PGEncodable)?], to buffer: inout [UInt8]) {
        var first = true
        for value in values {
            if !first { buffer.append(UInt8(ascii: ",")) }
            first = false
            guard let value else { continue }
            let start = buffer.count
            value.appendPGText(to: &buffer)
            quoteCSV(&buffer, from: start)
        }
        buffer.append(10)
    }

    /// Quotes `buffer[start...]` when it is empty (else it would read as NULL) or holds a comma,
    /// quote, line break or backslash; inner quotes are doubled.
    private static func quoteCSV(_ buffer: inout [UInt8], from start: Int) {
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
