import Testing

@testable import LakehouseCore

@Suite("Terminal text: control characters escaped, tables aligned by screen width")
struct TerminalTextTests {
    @Test("escape sequences, bells, C1 controls and bidi overrides are shown, not sent")
    func escaping() {
        #expect(TerminalText.escaped("Milk \u{1B}]0;pwned\u{07}\u{1B}[2J") == "Milk \\u{1B}]0;pwned\\u{7}\\u{1B}[2J")
        #expect(TerminalText.escaped("a\r\nb\u{0}c\u{9B}d\u{202E}e") == "a\\u{D}\\u{A}b\\u{0}c\\u{9B}d\\u{202E}e")
        #expect(TerminalText.escaped("Crème brûlée 日本 🙂") == "Crème brûlée 日本 🙂")
    }

    @Test("every column is as wide as its widest cell, wide characters counted twice")
    func alignment() {
        let table = TerminalText.table(
            ["kind", "store", "on hand", "name"],
            [
                ["UNEXPECTED_STOCKOUT", "STORE_000000000000001", "-3", "Milk"],
                ["STOCKOUT_RISK", "S1", "12345", "日本茶 \u{1B}[2J"],
            ],
            alignments: [.left, .left, .right, .left])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        // The last column starts at the same screen column on every line.
        let starts = lines.map { line -> Int in
            let name = ["name", "Milk", "日本茶"].first { line.contains($0) }!
            return TerminalText.width(String(line[..<line.range(of: name)!.lowerBound]))
        }
        #expect(Set(starts).count == 1, "\(lines)")
        #expect(lines[1].contains("STORE_000000000000001  "))
        #expect(lines[2].contains("     12345  ") || lines[2].contains("  12345  "))
        #expect(lines[2].hasSuffix("日本茶 \\u{1B}[2J"))
        #expect(TerminalText.width("日本🙂a") == 7)
        let empty = TerminalText.table(["a", "b"], [["x", ""], ["yyy", "z"]], alignments: [.left])
        #expect(!empty.split(separator: "\n").contains { $0.hasSuffix(" ") }, "\(empty)")
    }
}
