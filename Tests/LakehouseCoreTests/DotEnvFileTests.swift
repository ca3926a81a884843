import LakehouseCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(".env files")
struct DotEnvFileTests {
    @Test("the formats docker compose and python-dotenv accept")
    func formats() throws {
        let file = try DotEnvFile(
            parsing: """
                # a comment
                PLAIN=value
                  SPACED = padded value   \r
                export EXPORTED=yes
                SINGLE='literal \\n $HOME # not a comment'
                DOUBLE="line1\\nline2 \\"quoted\\" back\\\\slash"
                COMMENTED=value # a note
                HASH=#1
                EMPTY=
                EMPTY_COMMENT= # nothing
                PLAIN=overridden

                """)
        let values = file.values
        #expect(values["PLAIN"] == "overridden")
        #expect(values["SPACED"] == "padded value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SINGLE"] == "literal \\n $HOME # not a comment")
        #expect(values["DOUBLE"] == "line1\nline2 \"quoted\" back\\slash")
        #expect(values["COMMENTED"] == "value")
        #expect(values["HASH"] == "#1")
        #expect(values["EMPTY"] == "")
        #expect(values["EMPTY_COMMENT"] == "")
        #expect(file.entries.first { $0.key == "EXPORTED" }?.line == 4)
        #expect(file.entries.count(where: { $0.key == "PLAIN" }) == 2)
    }

    @Test(
        "malformed lines are errors naming the line",
        arguments: [
            ("OK=1\nno equals sign\n", 2),
            ("1BAD=x", 1),
            ("A=1\n\nB=\"unterminated\n", 3),
            ("C='closed' trailing", 1),
        ])
    func malformed(text: String, line: Int) throws {
        let error = try #require(throws: LakehouseError.self) { try DotEnvFile(parsing: text, source: "my.env") }
        #expect(error.code == .invalidDotEnvFile)
        #expect(error.message.hasPrefix("my.env line \(line):"), "\(error.message)")
    }

    @Test("a missing file is no file; an existing one is read")
    func loading() throws {
        #expect(try DotEnvFile.load(path: "/nonexistent/dir/.env") == nil)
        let path = "/tmp/lakehouse-dotenv-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).env"
        let file = try #require(fopen(path, "w"))
        fputs("KEY=from file\n", file)
        fclose(file)
        defer { unlink(path) }
        #expect(try DotEnvFile.load(path: path)?.values["KEY"] == "from file")
    }
}
