/// A minimal XML tree for the documents S3 returns: elements, attributes and text, with the
/// five predefined entities, numeric character references and CDATA. No DTDs, no namespaces
/// (prefixes are kept in names).
struct XMLElement: Sendable {
    var name: String
    var attributes: [String: String] = [:]
    var children: [XMLElement] = []
    var text = ""

    /// The first child named `name`.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Every child named `name`.
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The text of the first child named `name`.
    func value(_ name: String) -> String? { child(name)?.text }

    /// The first element named `name` at any depth, this one included.
    func first(_ name: String) -> XMLElement? {
        if self.name == name { return self }
        for child in children { if let found = child.first(name) { return found } }
        return nil
    }

    /// Parses a document and returns its root element.
    ///
    /// - Throws: ``AWSError`` with ``AWSError/Code/invalidResponse`` saying where the text stops
    ///   being well-formed.
    static func parse(_ bytes: [UInt8]) throws -> XMLElement {
        var parser = XMLScanner(bytes: bytes)
        return try parser.document()
    }
}

private struct XMLScanner {
    let bytes: [UInt8]
    var index = 0

    mutating func document() throws -> XMLElement {
        while true {
            skipWhitespace()
            if starts(with: "<?") {
                try skip(past: "?>")
            } else if starts(with: "<!--") {
                try skip(past: "-->")
            } else if starts(with: "<!") {
                try skip(past: ">")
            } else {
                break
            }
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw failure("expected a root element") }
        return try element(depth: 0)
    }

    private mutating func element(depth: Int) throws -> XMLElement {
        guard depth < 64 else { throw failure("elements nested more than 64 deep") }
        index += 1  // "<"
        var node = XMLElement(name: name())
        guard !node.name.isEmpty else { throw failure("expected an element name") }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated start tag <\(node.name)>") }
            if starts(with: "/>") {
                index += 2
                return node
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            let attribute = name()
            skipWhitespace()
            guard !attribute.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw failure("malformed attribute in <\(node.name)>")
            }
            index += 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw failure("unquoted attribute value in <\(node.name)>")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count && bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw failure("unterminated attribute value") }
            node.attributes[attribute] = try decodeEntities(bytes[start..<index])
            index += 1
        }
        var text = ""
        while true {
            guard index < bytes.count else { throw failure("<\(node.name)> is not closed") }
            if starts(with: "</") {
                index += 2
                let closing = name()
                skipWhitespace()
                guard closing == node.name, index < bytes.count, bytes[index] == UInt8(ascii: ">") else {
                    throw failure("</\(closing)> does not close <\(node.name)>")
                }
                index += 1
                node.text = text
                return node
            } else if starts(with: "<![CDATA[") {
                index += 9
                let start = index
                try skip(past: "]]>")
                text += String(decoding: bytes[start..<(index - 3)], as: UTF8.self)  // literal
            } else if starts(with: "<!--") {
                try skip(past: "-->")
            } else if bytes[index] == UInt8(ascii: "<") {
                node.children.append(try element(depth: depth + 1))
            } else {
                let start = index
                while index < bytes.count && bytes[index] != UInt8(ascii: "<") { index += 1 }
                text += try decodeEntities(bytes[start..<index])
            }
        }
    }

    private mutating func name() -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            let isNameByte =
                byte >= 0x80 || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
            guard isNameByte else { break }
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func decodeEntities(_ slice: ArraySlice<UInt8>) throws -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var output: [UInt8] = []
        var position = slice.startIndex
        while position < slice.endIndex {
            guard slice[position] == UInt8(ascii: "&") else {
                output.append(slice[position])
                position += 1
                continue
            }
            guard let end = slice[position...].firstIndex(of: UInt8(ascii: ";")), end - position <= 10 else {
                throw failure("an unterminated entity")
            }
            let entity = String(decoding: slice[(position + 1)..<end], as: UTF8.self)
            switch entity {
            case "amp": output.append(UInt8(ascii: "&"))
            case "lt": output.append(UInt8(ascii: "<"))
            case "gt": output.append(UInt8(ascii: ">"))
            case "quot": output.append(UInt8(ascii: "\""))
            case "apos": output.append(UInt8(ascii: "'"))
            default:
                let isHex = entity.hasPrefix("#x") || entity.hasPrefix("#X")
                guard entity.hasPrefix("#"),
                    let code = UInt32(entity.dropFirst(isHex ? 2 : 1), radix: isHex ? 16 : 10),
                    let scalar = Unicode.Scalar(code)
                else { throw failure("unknown entity &\(entity);") }
                output.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            position = end + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private func starts(with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return prefix.withUTF8Buffer { buffer in buffer.elementsEqual(bytes[index..<(index + count)]) }
    }

    private mutating func skip(past terminator: StaticString) throws {
        while index < bytes.count {
            if starts(with: terminator) {
                index += terminator.utf8CodeUnitCount
                return
            }
            index += 1
        }
        throw failure("unterminated markup")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private func failure(_ reason: String) -> AWSError {
        AWSError(code: .invalidResponse, message: "malformed XML from the service at byte \(index): \(reason)")
    }
}
