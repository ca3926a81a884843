import CLibPQ

/// A libpq connection string, validated, with a description that never shows the password.
///
/// Accepts everything libpq does: a URL (`postgres://user:pass@host:5432/db?sslmode=disable`),
/// key-value pairs (`host=127.0.0.1 port=5432 dbname=app`), or the empty string, which lets
/// libpq take every setting from the standard `PG*` environment variables.
public struct PGConnectionString: Sendable, Hashable, CustomStringConvertible {
    /// The string as given; it may hold a password, so never log it.
    let rawValue: String
    /// The settings the string names, as libpq parsed them; the password is left out.
    public let settings: [String: String]

    /// Parses and validates a connection string.
    ///
    /// - Throws: ``PGError`` with ``PGError/Code/invalidConfiguration`` naming what libpq
    ///   could not parse; quoted fragments of the string are masked in the message, since they
    ///   may be the password.
    public init(_ string: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(string, &errorMessage) else {
            var reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
            while reason.last?.isNewline == true { reason.removeLast() }
            PQfreemem(errorMessage)
            throw PGError(
                code: .invalidConfiguration,
                message: "the PostgreSQL connection string could not be parsed: \(Self.maskQuoted(reason)); "
                    + "expected postgres://user:password@host:port/database or key=value pairs"
            )
        }
        defer { PQconninfoFree(options) }
        var settings: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            let name = String(cString: keyword)
            if let value = option.pointee.val, name != "password" {
                settings[name] = String(cString: value)
            }
            option += 1
        }
        self.rawValue = string
        self.settings = settings
    }

    /// The settings as `key=value` pairs in key order, with the password shown as `***`
    /// when the string has one.
    public var description: String {
        var pairs = settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if hasPassword { pairs.append("password=***") }
        return pairs.isEmpty ? "(from PG* environment)" : pairs.joined(separator: " ")
    }

    /// Whether the string carries a password (which ``settings`` never shows).
    public var hasPassword: Bool {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(rawValue, &errorMessage) else {
            PQfreemem(errorMessage)
            return false
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", option.pointee.val != nil { return true }
            option += 1
        }
        return false
    }

    /// Replaces every double-quoted fragment of a libpq message by `"***"`: libpq quotes the
    /// token it could not parse, and that token may be a password.
    static func maskQuoted(_ message: String) -> String {
        var result = ""
        var inQuote = false
        for character in message {
            if character == "\"" {
                result.append(character)
                if !inQuote { result += "***" }
                inQuote.toggle()
            } else if !inQuote {
                result.append(character)
            }
        }
        return result
    }
}
