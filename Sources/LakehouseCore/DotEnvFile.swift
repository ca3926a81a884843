#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The variables of a `.env` file, in the format docker compose and python-dotenv read.
///
/// One `KEY=VALUE` per line; blank lines and lines starting with `#` are ignored; an optional
/// `export ` prefix is allowed. Values may be unquoted (trimmed, and a ` #` starts a comment),
/// single-quoted (taken literally) or double-quoted (with `\n`, `\t`, `\"` and `\\` escapes).
/// Variables are not expanded.
public struct DotEnvFile: Sendable, Hashable {
    /// One variable and the line it was read from.
    public struct Entry: Sendable, Hashable {
        /// The variable's name.
        public var key: String
        /// The value, unquoted and unescaped.
        public var value: String
        /// The 1-based line number in the file.
        public var line: Int
    }

    /// The variables in file order; a key that appears twice is listed twice (the last wins).
    public let entries: [Entry]

    /// The value of each key; the last occurrence wins.
    public var values: [String: String] {
        Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Parses the text of a `.env` file.
    ///
    /// - Parameter source: a name for the text used in error messages (usually its path).
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidDotEnvFile`` naming the
    ///   line that is not `KEY=VALUE` or has an unterminated quote.
    public init(parsing text: String, source: String = ".env") throws {
        var entries: [Entry] = []
        // "\r\n" is a single Character in Swift, so both line ends are matched explicitly.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            var line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.first == "#" { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).drop { $0 == " " } }
            guard let equals = line.firstIndex(of: "=") else {
                throw Self.error(source, lineNumber, "expected KEY=VALUE")
            }
            let key = String(line[..<equals]).trimmingSpaces()
            guard Self.isValidKey(key) else {
                throw Self.error(
                    source, lineNumber,
                    "\"\(key)\" is not a variable name (letters, digits, _; not starting with a digit)")
            }
            let value = try Self.parseValue(line[line.index(after: equals)...], source: source, line: lineNumber)
            entries.append(Entry(key: key, value: value, line: lineNumber))
        }
        self.entries = entries
    }

    /// Reads and parses the file at `path`.
    ///
    /// - Returns: the parsed file, or `nil` when no file exists at `path`.
    /// - Throws: ``LakehouseError`` with ``LakehouseError/Code/invalidDotEnvFile`` when the file
    ///   exists but cannot be read or parsed.
    public static func load(path: String) throws -> DotEnvFile? {
        guard let file = fopen(path, "rb") else {
            if errno == ENOENT { return nil }
            throw LakehouseError(
                code: .invalidDotEnvFile, message: "\(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            bytes.append(contentsOf: chunk[0..<count])
            if count < chunk.count { break }
        }
        if ferror(file) != 0 {
            throw LakehouseError(code: .invalidDotEnvFile, message: "\(path) could not be read to the end")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LakehouseError(code: .invalidDotEnvFile, message: "\(path) is not valid UTF-8 text")
        }
        return try DotEnvFile(parsing: text, source: path)
    }

    private static func parseValue(_ raw: Substring, source: String, line: Int) throws -> String {
        let value = raw.drop { $0 == " " || $0 == "\t" }
        guard let quote = value.first, quote == "\"" || quote == "'" else {
            // Unquoted: a `#` after white space starts a comment.
            // `KEY= #note` is an empty value with a comment; `KEY=#1` is the value `#1`.
            var previous: Character = raw.first ?? "="
            let end = value.firstIndex { character in
                defer { previous = character }
                return character == "#" && (previous == " " || previous == "\t")
            }
            return value[..<(end ?? value.endIndex)].trimmingSpaces()
        }
        var result = ""
        var escaped = false
        var index = value.index(after: value.startIndex)
        while index < value.endIndex {
            let character = value[index]
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" && quote == "\"" {
                escaped = true
            } else if character == quote {
                let rest = value[value.index(after: index)...].trimmingSpaces()
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    // The text is not shown: it may be part of a secret.
                    throw error(
                        source, line,
                        "unexpected text (\(rest.count) characters) after the closing quote; quote the whole value")
                }
                return result
            } else {
                result.append(character)
            }
            index = value.index(after: index)
        }
        throw error(source, line, "the value's opening \(quote) has no closing \(quote)")
    }

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    private static func error(_ source: String, _ line: Int, _ reason: String) -> LakehouseError {
        LakehouseError(code: .invalidDotEnvFile, message: "\(source) line \(line): \(reason)")
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
