import Foundation
import Testing

@testable import ParquetLite

/// The `parquet-tool` executable (built next to the test bundle), run on the conformance files:
/// `cat` prints what pyarrow reads, `schema` and `meta` describe the file, and a corrupt file
/// exits non-zero with the error.
@Suite("parquet-tool prints schema, metadata and rows, and fails cleanly on corrupt files")
struct ParquetToolTests {
    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs parquet-tool with `arguments`.
    static func run(_ arguments: [String]) throws -> Output {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var executable = directory.appendingPathComponent("parquet-tool")
        // `swift test` runs the bundle from inside the build directory's .xctest on some layouts.
        while !FileManager.default.isExecutableFile(atPath: executable.path), executable.pathComponents.count > 2 {
            executable = executable.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("parquet-tool")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: scratch.path + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: scratch.path + ".out")
            try? FileManager.default.removeItem(atPath: scratch.path + ".err")
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path + ".err"))
        try process.run()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            standardOutput: try String(contentsOfFile: scratch.path + ".out", encoding: .utf8),
            standardError: try String(contentsOfFile: scratch.path + ".err", encoding: .utf8))
    }

    /// Whether two parsed JSON values are equal: numbers (booleans included) by value, strings,
    /// nulls, arrays and objects recursively.
    static func same(_ one: Any, _ other: Any) -> Bool {
        switch (one, other) {
        case (is NSNull, is NSNull): return true
        case (let one as String, let other as String): return one == other
        case (let one as NSNumber, let other as NSNumber):
            return one.doubleValue == other.doubleValue && one.description == other.description
                || one.int64Value == other.int64Value && one.doubleValue == other.doubleValue
        case (let one as [Any], let other as [Any]):
            return one.count == other.count && zip(one, other).allSatisfy { same($0, $1) }
        case (let one as [String: Any], let other as [String: Any]):
            return one.count == other.count
                && one.allSatisfy { key, value in other[key].map { same(value, $0) } ?? false }
        default: return false
        }
    }

    /// The JSON lines of `text`, parsed.
    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("cat prints every conformance file's rows as its expected JSON")
    func catEveryFile() throws {
        let directory = ParquetMetadataTests.conformanceDirectory
        var rowsCompared = 0
        for name in try ConformanceValueTests.files(directory) {
            let output = try Self.run(["cat", "\(directory)/\(name)"])
            #expect(output.status == 0, "\(name): \(output.standardError)")
            let ours = try Self.lines(output.standardOutput)
            let expectedData = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/expected/\(name).json"))
            let expected = try #require(
                (try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])?["rows"] as? [[String: Any]])
            #expect(ours.count == expected.count, "\(name)")
            for (row, (mine, theirs)) in zip(ours, expected).enumerated() {
                #expect(Self.same(mine, theirs), "\(name) row \(row): \(mine) vs \(theirs)")
                rowsCompared += 1
            }
        }
        #expect(rowsCompared > 7000)
    }

    @Test("cat --columns picks and orders columns; --limit stops early")
    func catOptions() throws {
        let path = ParquetMetadataTests.conformanceDirectory + "/alltypes_plain.parquet"
        let output = try Self.run(["cat", path, "--columns", "string_col,id", "--limit", "3"])
        #expect(output.status == 0)
        let rows = try Self.lines(output.standardOutput)
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { Set($0.keys) == ["string_col", "id"] })
        #expect(output.standardOutput.hasPrefix("{\"string_col\": "))
        #expect(rows.first?["id"] as? Int == 4)
        let unknown = try Self.run(["cat", path, "--columns", "nope"])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("no column 'nope'"))
    }

    @Test("schema prints the message; meta prints the footer as JSON")
    func schemaAndMeta() throws {
        let path = ParquetMetadataTests.conformanceDirectory + "/datapage_v2.snappy.parquet"
        let schema = try Self.run(["schema", path])
        #expect(schema.status == 0)
        #expect(schema.standardOutput.contains("optional binary a (STRING);"))
        #expect(schema.standardOutput.contains("optional group e (LIST) {"))
        let meta = try Self.run(["meta", path])
        #expect(meta.status == 0)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(meta.standardOutput.utf8)) as? [String: Any])
        #expect(document["num_rows"] as? Int == 5)
        let groups = try #require(document["row_groups"] as? [[String: Any]])
        let columns = try #require(groups.first?["columns"] as? [[String: Any]])
        #expect(columns.map { $0["path"] as? String } == ["a", "b", "c", "d", "e.list.element"])
        #expect(columns.allSatisfy { $0["codec"] as? String == "SNAPPY" })
        #expect((columns[1]["encodings"] as? [String])?.contains("DELTA_BINARY_PACKED") == true)
        let statistics = try #require(columns[1]["statistics"] as? [String: Any])
        #expect(statistics["min"] as? Int == 1)
        #expect(statistics["max"] as? Int == 5)
    }

    @Test("every bad file exits with status 1 and the ParquetError on standard error")
    func corruptFiles() throws {
        let directory = ParquetMetadataTests.conformanceDirectory + "/bad_data"
        for name in try ConformanceValueTests.files(directory) {
            for command in ["cat", "meta"] {
                let output = try Self.run([command, "\(directory)/\(name)"])
                if command == "meta" && output.status == 0 { continue }  // a footer that decodes, pages that do not
                #expect(output.status == 1, "\(command) \(name)")
                #expect(output.standardError.contains("ParquetError."), "\(command) \(name): \(output.standardError)")
            }
        }
        let missing = try Self.run(["cat", directory + "/does-not-exist.parquet"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("cannot open"))
    }

    @Test("schema shows a column name's escape sequence as text, never sends it to the terminal")
    func controlCharactersInNames() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString).parquet")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try ParquetWriter(
            schema: try ParquetSchema([.int64("evil\u{1B}]0;title\u{07}\u{1B}[2J")]),
            sink: try ParquetFileSink(path: path))
        try await writer.write([.int64s([1, 2])])
        try await writer.close()
        let output = try Self.run(["schema", path])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("evil\\u{1B}]0;title\\u{7}\\u{1B}[2J"), "\(output.standardOutput)")
        #expect(!output.standardOutput.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }
}
