import Foundation
import LakehouseTestSupport
import PGLite
import Testing

/// Transactions, advisory locks and COPY against the test PostgreSQL.
@Suite("PGLite transactions, locks and COPY")
struct PGLiteBlockTests {
    let services: TestServices
    let logs = CapturedLogs()

    init() throws { services = try TestServices.require() }

    func connect() async throws -> PGConnection {
        try await PGConnection.connect(configuration: .init(services.databaseURL), logger: logs.logger())
    }

    struct Planned: Error {}

    func count(_ table: String, on connection: PGConnection) async throws -> Int {
        try await connection.query("SELECT count(*) FROM \(table)").rows[0].decode(Int.self, at: 0)
    }

    @Test("a transaction commits on return, rolls back on throw, and reports a COMMIT that rolled back")
    func transactions() async throws {
        let connection = try await connect()
        let table = uniqueName("pgtx")
        try await connection.execute("CREATE TABLE \(table) (id bigint PRIMARY KEY)")
        let value = try await connection.withTransaction(isolation: .serializable) { transaction in
            try await transaction.query("INSERT INTO \(table) VALUES ($1)", [Int64(1)])
            return 42
        }
        #expect(value == 42)
        await #expect(throws: Planned.self) {
            try await connection.withTransaction { transaction in
                try await transaction.query("INSERT INTO \(table) VALUES ($1)", [Int64(2)])
                throw Planned()
            }
        }
        #expect(try await count(table, on: connection) == 1, "the second insert was rolled back")
        let swallowed = await #expect(throws: PGError.self) {
            try await connection.withTransaction { transaction in
                try await transaction.query("INSERT INTO \(table) VALUES ($1)", [Int64(3)])
                _ = try? await transaction.query("INSERT INTO \(table) VALUES ($1)", [Int64(1)])  // duplicate
            }
        }
        #expect(swallowed?.message.contains("rolled back at COMMIT") == true)
        #expect(try await count(table, on: connection) == 1)
        try await connection.execute("DROP TABLE \(table)")
        await connection.close()
    }

    @Test("a transaction holds its connection: another task's statement waits until it ends")
    func transactionIsExclusive() async throws {
        let connection = try await connect()
        let table = uniqueName("pgex")
        try await connection.execute("CREATE TABLE \(table) (id bigint)")
        let began = Flag()
        let inside = Task {
            try await connection.withTransaction { transaction in
                try await transaction.query("INSERT INTO \(table) VALUES (1)")
                began.set()
                // Held a while, so that the statement below comes while it is open.
                try await Task.sleep(for: .milliseconds(300))
                throw Planned()
            }
        }
        try await eventually("the transaction has inserted its row", poll: .milliseconds(5)) { began.isSet }
        // Waits for the transaction, so it sees its rollback, not its uncommitted row.
        let seen = try await count(table, on: connection)
        await #expect(throws: Planned.self) { try await inside.value }
        #expect(seen == 0)
        try await connection.execute("DROP TABLE \(table)")
        await connection.close()
    }

    @Test("advisory locks exclude other sessions for the block, at session and at transaction scope")
    func advisoryLocks() async throws {
        let holder = try await connect()
        let other = try await connect()
        let key = Int64.random(in: 1...Int64.max)
        func otherCanLock() async throws -> Bool {
            let got = try await other.query("SELECT pg_try_advisory_lock($1)", [key]).rows[0].decode(Bool.self, at: 0)
            if got { try await other.query("SELECT pg_advisory_unlock($1)", [key]) }
            return got
        }
        for scope in [PGAdvisoryLockScope.session, .transaction] {
            let during = try await holder.withAdvisoryLock(key, scope: scope) { _ in try await otherCanLock() }
            #expect(!during, "\(scope): held during the block")
            #expect(try await otherCanLock(), "\(scope): released after the block")
        }
        await #expect(throws: Planned.self) {
            try await holder.withAdvisoryLock(key) { _ in throw Planned() }
        }
        #expect(try await otherCanLock(), "released after a throwing block")
        await holder.close()
        await other.close()
    }

    @Test("COPY of 1,000,000 rows (200,000 in make test) streams in chunks and lands complete", .tags(.scale))
    func copyMillion() async throws {
        let total = TestServices.fullScale ? 1_000_000 : 200_000
        let connection = try await connect()
        let table = uniqueName("pgcopy")
        try await connection.execute(
            "CREATE TABLE \(table) (id bigint, store text, quantity integer, price numeric, at timestamptz, note text)")
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        let stores = (0..<50).map { "STORE_\($0)" }
        let prices = (0..<997).map { Decimal($0 + 50) / 100 }
        let copied = try await connection.copyIn("COPY \(table) FROM STDIN") { writer in
            for id in 0..<total {
                try await writer.writeRow([
                    Int64(id), stores[id % 50], Int32(id % 5 + 1), prices[id % 997],
                    start.addingTimeInterval(Double(id) / 4), id % 10 == 0 ? nil : id == 7 ? "tab\there \\ 7" : "n",
                ])
            }
        }
        #expect(copied == total)
        let summary = try await connection.query(
            "SELECT count(*), sum(id), sum(quantity), count(note), max(at) FROM \(table)"
        ).rows[0]
        #expect(try summary.decode(Int.self, at: 0) == total)
        #expect(try summary.decode(Decimal.self, at: 1) == Decimal(total - 1) * Decimal(total) / 2)
        #expect(try summary.decode(Int.self, at: 2) == total * 3)
        #expect(try summary.decode(Int.self, at: 3) == total / 10 * 9)
        #expect(try summary.decode(Date.self, at: 4) == start.addingTimeInterval(Double(total - 1) / 4))
        let note = try await connection.query("SELECT note FROM \(table) WHERE id = 7").rows[0][0]
        #expect(note == "tab\there \\ 7", "escapes survive")
        try await connection.execute("DROP TABLE \(table)")
        await connection.close()
    }

    @Test("a COPY rejected at row 500,000 leaves the table as it was and the connection usable")
    func copyFailsMidStream() async throws {
        let connection = try await connect()
        let table = uniqueName("pgbad")
        try await connection.execute(
            "CREATE TABLE \(table) (id bigint, label text); INSERT INTO \(table) VALUES (-1, 'kept')")
        let error = await #expect(throws: PGError.self) {
            try await connection.copyIn("COPY \(table) FROM STDIN (FORMAT csv)") { writer in
                for id in 1...1_000_000 {
                    let line = id == 500_000 ? "not-a-number,bad\n" : "\(id),row \(id)\n"
                    try await writer.write(Array(line.utf8))
                }
            }
        }
        #expect(error?.code == .statementFailed)
        #expect(error?.sqlState == "22P02", "invalid input syntax: \(String(describing: error))")
        #expect(try await count(table, on: connection) == 1, "nothing of the failed COPY remains")
        #expect(try await connection.query("SELECT 1").rows[0].decode(Int.self, at: 0) == 1)

        await #expect(throws: Planned.self) {
            try await connection.copyIn("COPY \(table) FROM STDIN") { writer in
                try await writer.writeRow([Int64(5), "half"])
                throw Planned()
            }
        }
        #expect(try await count(table, on: connection) == 1, "a client abort leaves nothing either")
        let notCopy = await #expect(throws: PGError.self) { try await connection.copyIn("SELECT 1") { _ in } }
        #expect(notCopy?.code == .invalidConfiguration)
        #expect(try await connection.query("SELECT 2").rows[0].decode(Int.self, at: 0) == 2)
        try await connection.execute("DROP TABLE \(table)")
        await connection.close()
    }

    @Test("CSV rows, an AsyncSequence of rows and one of raw chunks go in; COPY TO STDOUT brings them back out")
    func csvAndExport() async throws {
        let connection = try await connect()
        let table = uniqueName("pgcsv")
        try await connection.execute("CREATE TABLE \(table) (id bigint, label text)")
        let labels: [String?] = ["plain", "", nil, "comma, \"quote\"", "line\nbreak", "\\.", "ü 🛒"]
        let rows = AsyncStream<[(any PGEncodable)?]> { continuation in
            for (id, label) in labels.enumerated() { continuation.yield([Int64(id), label]) }
            continuation.finish()
        }
        let copied = try await connection.copyIn("COPY \(table) FROM STDIN (FORMAT csv)", format: .csv, rows: rows)
        #expect(copied == labels.count)
        let back = try await connection.query("SELECT label FROM \(table) ORDER BY id").rows.map { $0[0] }
        #expect(back == labels)

        // Raw chunks whose boundaries fall inside rows.
        let chunks = AsyncStream<[UInt8]> { continuation in
            for piece in ["100,sp", "lit\n101,\"a,", "b\"\n"] { continuation.yield(Array(piece.utf8)) }
            continuation.finish()
        }
        #expect(try await connection.copyIn("COPY \(table) FROM STDIN (FORMAT csv)", chunks: chunks) == 2)
        let fromChunks = try await connection.query("SELECT label FROM \(table) WHERE id >= 100 ORDER BY id").rows
        #expect(fromChunks.map { $0[0] } == ["split", "a,b"])
        try await connection.query("DELETE FROM \(table) WHERE id >= 100")

        var exported: [UInt8] = []
        let rowsOut = try await connection.copyOut("COPY (SELECT id, label FROM \(table) ORDER BY id) TO STDOUT") {
            exported += $0
        }
        #expect(rowsOut == labels.count)
        let lines = String(decoding: exported, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "0\tplain")
        #expect(lines[2] == "2\t\\N")
        #expect(lines[4] == "4\tline\\nbreak")

        await #expect(throws: Planned.self) {
            try await connection.copyOut("COPY \(table) TO STDOUT") { _ in throw Planned() }
        }
        #expect(try await count(table, on: connection) == labels.count, "usable after an abandoned export")
        try await connection.execute("DROP TABLE \(table)")
        await connection.close()
    }

    @Test("binary COPY rows of every type land exactly as the same rows in text format")
    func binaryRows() async throws {
        let connection = try await connect()
        let schema = uniqueName("pgbin")
        let columns =
            "i8 bigint, i4 integer, i2 smallint, f8 double precision, f4 real, b boolean, s text, ts timestamptz, "
            + "n numeric, u uuid, by bytea, ai bigint[], at text[]"
        try await connection.execute(
            "CREATE SCHEMA \(schema); CREATE TABLE \(schema).bin (\(columns)); CREATE TABLE \(schema).txt (\(columns))")
        let numerics =
            [
                "0", "1", "-1", "0.5", "12345678901234567890.123456789", "-0.000000000000000000000000000001", "10000",
                "99990000.0001", "1234567890123456789012345.67891",
            ].map { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX"))! } + [Decimal.nan]
        var rows: [[(any PGEncodable)?]] = []
        for (index, numeric) in numerics.enumerated() {
            let integers: [(any PGEncodable)?] = [Int64.max - Int64(index), Int32.min + Int32(index), Int16(index)]
            let floats: [(any PGEncodable)?] = [Double(index) / 3, Float(index) * 1.5, index % 2 == 0]
            let moment = Date(timeIntervalSince1970: -86_400.5 + Double(index) * 1e6)
            let others: [(any PGEncodable)?] = [
                "row \(index) ü", moment, numeric, UUID(), PGBytes([0, UInt8(index), 255]),
            ]
            let arrays: [(any PGEncodable)?] = [[Int64(index), -1], ["a \(index)", ""]]
            rows.append(integers + floats + others + arrays)
        }
        rows.append(Array(repeating: nil, count: 13))
        for (table, format) in [("bin", PGCopyRowFormat.binary), ("txt", .text)] {
            let copied = try await connection.copyIn(
                "COPY \(schema).\(table) FROM STDIN\(format == .binary ? " (FORMAT binary)" : "")", format: format
            ) { writer in
                for row in rows { try await writer.writeRow(row) }
            }
            #expect(copied == rows.count)
        }
        let differences = try await connection.query(
            "SELECT count(*) FROM ((SELECT * FROM \(schema).bin EXCEPT ALL SELECT * FROM \(schema).txt) "
                + "UNION ALL (SELECT * FROM \(schema).txt EXCEPT ALL SELECT * FROM \(schema).bin)) d"
        ).rows[0].decode(Int.self, at: 0)
        #expect(differences == 0, "binary and text COPY stored the same values")
        let numericText = try await connection.query("SELECT n::text FROM \(schema).bin ORDER BY i2 NULLS LAST").rows
            .map { $0[0] }
        #expect(numericText.prefix(4) == ["0", "1", "-1", "0.5"])
        #expect(numericText[8] == "1234567890123456789012345.67891")
        #expect(numericText[9] == "NaN")
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }

    @Test("columns written with writeColumns land exactly as rows from writeRow, in binary, text and CSV")
    func columnRows() async throws {
        let connection = try await connect()
        let schema = uniqueName("pgcols")
        let columns =
            "i8 bigint, i4 integer, f8 double precision, b boolean, s text, ts timestamptz, n numeric, u uuid, by bytea"
        try await connection.execute(
            "CREATE SCHEMA \(schema); CREATE TABLE \(schema).expected (\(columns)); "
                + "CREATE TABLE \(schema).bin (\(columns)); CREATE TABLE \(schema).txt (\(columns)); "
                + "CREATE TABLE \(schema).csv (\(columns))")
        // 3,000 rows: three blocks of 1,024 and more than one 256 KiB chunk; awkward text and NULLs.
        let count = 3000
        let texts = ["", "tab\there", "line\nbreak", "back\\slash", "comma, \"quoted\"", "ü 日本", "\\N", "plain"]
        let int64s: [Int64?] = (0..<count).map { $0 % 7 == 0 ? nil : Int64.max - Int64($0) }
        let int32s: [Int32] = (0..<count).map { Int32.min + Int32($0) }
        let doubles: [Double?] = (0..<count).map { (row: Int) -> Double? in
            if row % 11 == 0 { return nil }
            return row == 1 ? Double.nan : Double(row) / 7
        }
        let booleans: [Bool] = (0..<count).map { $0 % 2 == 0 }
        let strings: [String?] = (0..<count).map { (row: Int) -> String? in
            row % 13 == 0 ? nil : texts[row % texts.count] + String(repeating: "x", count: row % 90)
        }
        let moments: [Date] = (0..<count).map { Date(timeIntervalSince1970: -86_400.5 + Double($0) * 1234.000_001) }
        let numerics: [Decimal?] = (0..<count).map { $0 % 5 == 0 ? nil : Decimal($0) / 8 }
        let uuids: [UUID] = (0..<count).map { _ in UUID() }
        let bytes: [PGBytes?] = (0..<count).map { $0 % 17 == 0 ? nil : PGBytes([0, UInt8($0 % 256), 255]) }
        try await connection.copyIn("COPY \(schema).expected FROM STDIN") { writer in
            for row in 0..<count {
                try await writer.writeRow([
                    int64s[row], int32s[row], doubles[row], booleans[row], strings[row], moments[row], numerics[row],
                    uuids[row], bytes[row],
                ])
            }
        }
        let columnValues = [
            PGCopyColumn(int64s), PGCopyColumn(int32s), PGCopyColumn(doubles), PGCopyColumn(booleans),
            PGCopyColumn(strings), PGCopyColumn(moments), PGCopyColumn(numerics), PGCopyColumn(uuids),
            PGCopyColumn(bytes),
        ]
        for (table, format, clause) in [
            ("bin", PGCopyRowFormat.binary, " (FORMAT binary)"), ("txt", .text, ""), ("csv", .csv, " (FORMAT csv)"),
        ] {
            let copied = try await connection.copyIn("COPY \(schema).\(table) FROM STDIN\(clause)", format: format) {
                try await $0.writeColumns(columnValues)
            }
            #expect(copied == count)
            let differences = try await connection.query(
                "SELECT count(*) FROM ((SELECT * FROM \(schema).\(table) EXCEPT ALL SELECT * FROM \(schema).expected) "
                    + "UNION ALL (SELECT * FROM \(schema).expected EXCEPT ALL SELECT * FROM \(schema).\(table))) d"
            ).rows[0].decode(Int.self, at: 0)
            #expect(differences == 0, "\(format) columns stored what writeRow stored")
        }

        // No rows at all: in every format, a COPY of nothing, not an error.
        for (table, format, clause) in [
            ("bin", PGCopyRowFormat.binary, " (FORMAT binary)"), ("txt", .text, ""), ("csv", .csv, " (FORMAT csv)"),
        ] {
            let copied = try await connection.copyIn("COPY \(schema).\(table) FROM STDIN\(clause)", format: format) {
                try await $0.writeColumns([PGCopyColumn([Int64]()), PGCopyColumn([Int32]())])
            }
            #expect(copied == 0, "\(format)")
        }

        // Columns of different lengths: nothing is sent, the COPY is aborted, the table unchanged.
        let error = await #expect(throws: PGError.self) {
            try await connection.copyIn("COPY \(schema).bin FROM STDIN (FORMAT binary)", format: .binary) {
                try await $0.writeColumns([PGCopyColumn([Int64(1), 2]), PGCopyColumn([Int32(1)])])
            }
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("2 and 1 rows") == true)
        let rows = try await connection.query("SELECT count(*) FROM \(schema).bin").rows[0].decode(Int.self, at: 0)
        #expect(rows == count)
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }
}
