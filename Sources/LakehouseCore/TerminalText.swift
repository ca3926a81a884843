/// Text made safe and tidy for a terminal: what the executables print of data (product names,
/// ids, error messages) can hold escape sequences that would clear the screen or retitle the
/// window, so control characters are shown as escapes; and tables are laid out by the width
/// each character takes on screen.
package enum TerminalText {
    /// `text` with every control character (C0, DEL, C1) and bidirectional override shown as
    /// `\u{1B}`; anything else unchanged.
    ///
    /// - Complexity: O(length).
    package static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// How many terminal columns `text` takes: two for East Asian wide characters and emoji,
    /// none for combining marks, one for the rest.
    package static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            switch scalar.value {
            case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: total
            case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
                total + 2
            default: total + 1
            }
        }
    }

    /// How a column's cells line up.
    package enum Alignment: Sendable {
        case left, right
    }

    /// A table: a header row and rows of cells, each column as wide as its widest cell, two
    /// spaces between columns, cells escaped; no line ends in spaces (empty last cells included).
    package static func table(_ header: [String], _ rows: [[String]], alignments: [Alignment]) -> String {
        let all = ([header] + rows).map { $0.map(escaped) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], width(cell))
            }
        }
        return all.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                let gap = String(repeating: " ", count: max(0, widths[column] - width(cell)))
                let last = column == row.count - 1
                if column > 0 { line += "  " }
                switch alignments[min(column, alignments.count - 1)] {
                case .left: line += last ? cell : cell + gap
                case .right: line += gap + cell
                }
            }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
