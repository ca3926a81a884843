import Foundation
import LakehouseTestSupport
import PGLite
import Testing

/// Every supported type through parameters and back, with edge values and NULLs.
@Suite("PGLite values against the test PostgreSQL")
struct PGLiteValueTests {
    let services: TestServices
    let logs = CapturedLogs()

    init() throws { services = try TestServices.require() }

    func connect() async throws -> PGConnection {
        try await PGConnection.connect(configuration: .init(services.databaseURL), logger: logs.logger())
    }

    /// Inserts `value` into a fresh column of `sqlType` and reads it back as `T`.
    func roundTrip<T: PGEncodable & PGDecodable>(
        _ value: T?, _ sqlType: String, on connection: PGConnection, table: String
    ) async throws -> T? {
        try await connection.execute("DROP TABLE IF EXISTS \(table); CREATE TABLE \(table) (v \(sqlType))")
        try await connection.query("INSERT INTO \(table) (v) VALUES ($1)", [value])
        return try await connection.query("SELECT v FROM \(table)").rows[0].decode(T?.self, "v")
    }

    @Test("integers, floats, booleans, strings, bytes, UUIDs, numerics and arrays round-trip exactly")
    func scalars() async throws {
        let connection = try await connect()
        let schema = uniqueName("pgv")
        try await connection.execute("CREATE SCHEMA \(schema)")
        let table = "\(schema).t"
        for value in [Int64.min, -1, 0, 1, Int64.max] {
            #expect(try await roundTrip(value, "bigint", on: connection, table: table) == value)
        }
        for value in [Int32.min, Int32.max] {
            #expect(try await roundTrip(value, "integer", on: connection, table: table) == value)
        }
        for value in [Int16.min, Int16.max] {
            #expect(try await roundTrip(value, "smallint", on: connection, table: table) == value)
        }
        for value in [0.1, -2.5e-308, Double.greatestFiniteMagnitude, .infinity, -.infinity, 1.0 / 3.0] {
            #expect(try await roundTrip(value, "double precision", on: connection, table: table) == value)
        }
        let nan = try await roundTrip(Double.nan, "double precision", on: connection, table: table)
        #expect(nan?.isNaN == true)
        for value in [Float(0.1), -Float.infinity, Float.leastNonzeroMagnitude] {
            #expect(try await roundTrip(value, "real", on: connection, table: table) == value)
        }
        for value in [true, false] {
            #expect(try await roundTrip(value, "boolean", on: connection, table: table) == value)
        }
        for value in ["", "Grüße 🛒 ✓ \u{1F600}", "tab\tnew\nline \\ back", "'; DROP TABLE \(table); --"] {
            #expect(try await roundTrip(value, "text", on: connection, table: table) == value)
        }
        var generator = SystemRandomNumberGenerator()
        let megabyte = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let bytes = try await roundTrip(PGBytes(megabyte), "bytea", on: connection, table: table)
        #expect(bytes?.bytes == megabyte, "1 MiB of bytea")
        #expect(try await roundTrip(PGBytes([]), "bytea", on: connection, table: table) == PGBytes([]))
        let uuid = UUID()
        #expect(try await roundTrip(uuid, "uuid", on: connection, table: table) == uuid)
        // 30 significant digits, a tiny negative, zero, NaN.
        for text in ["1234567890123456789012345.67891", "-0.000000000000000000000000000001", "0", "NaN"] {
            let value =
                text == "NaN"
                ? Decimal.nan : try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
            let back = try await roundTrip(value, "numeric", on: connection, table: table)
            #expect(back == value || (back?.isNaN == true && value.isNaN), "\(text)")
            let asText = try await connection.query("SELECT v::text FROM \(table)").rows[0][0]
            #expect(asText == text, "numeric stored exactly, no trip through Double")
        }
        #expect(
            try await roundTrip([Int64.min, 0, Int64.max], "bigint[]", on: connection, table: table) == [
                Int64.min, 0, Int64.max,
            ])
        let strings = ["", "NULL", "a,b", "quote\" back\\slash", "{braces}", "ü 🛒"]
        #expect(try await roundTrip(strings, "text[]", on: connection, table: table) == strings)
        #expect(try await roundTrip([Int64](), "bigint[]", on: connection, table: table) == [])
        let doubles = [0.0, -1.5, 1e-300, 2.220446049250313e-16, 0.1 + 0.2, 1.7976931348623157e308]
        #expect(try await roundTrip(doubles, "float8[]", on: connection, table: table) == doubles)
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }

    @Test("timestamps keep microseconds, before 1970 and BC included, whatever the session time zone")
    func timestamps() async throws {
        let connection = try await connect()
        try await connection.execute("SET TimeZone TO 'Asia/Kolkata'")  // output carries +05:30
        let schema = uniqueName("pgt")
        try await connection.execute("CREATE SCHEMA \(schema)")
        let dates = [
            Date(timeIntervalSince1970: 1_767_225_600.123456), Date(timeIntervalSince1970: -1),
            Date(timeIntervalSince1970: -0.000001), Date(timeIntervalSince1970: -2_208_988_800.5),
            Date(timeIntervalSince1970: -62_198_755_200),  // 0001-01-01 BC… roughly year 0
            Date(timeIntervalSince1970: 253_402_300_799.999999),  // 9999-12-31 23:59:59.999999
        ]
        for date in dates {
            let back = try await roundTrip(date, "timestamptz", on: connection, table: "\(schema).t")
            let expected = (date.timeIntervalSince1970 * 1_000_000).rounded()
            #expect(back.map { ($0.timeIntervalSince1970 * 1_000_000).rounded() } == expected, "\(date)")
        }
        let epoch = try await connection.query(
            "SELECT extract(epoch FROM $1::timestamptz)::text AS e", [Date(timeIntervalSince1970: 86_400.25)]
        ).rows[0].decode(String.self, "e")
        #expect(epoch == "86400.250000")
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }

    @Test("binary results read the same values as text results, and name the columns they cannot read")
    func binaryResults() async throws {
        let connection = try await connect()
        let sql = """
            SELECT v::smallint AS i2, v::integer AS i4, v::bigint * 1000000007 AS i8, (v + 3)::oid AS o,
                v / 7.0::float8 AS f8, (v / 3.0)::real AS f4, v % 2 = 0 AS b, 'é ' || v AS t,
                ('x' || v)::varchar(9) AS vc, TIMESTAMPTZ '2026-12-07 10:00:00.123456+00' + v * INTERVAL '1 day 1 us' AS ts,
                DATE '1999-12-30' + v AS d, NULLIF(v, 2)::float8 AS nullable, v::numeric / 3 AS n
            FROM generate_series(-3, 4) v
            UNION ALL SELECT 0, 0, 0, 0, 'NaN', '-Infinity', NULL, '', '', 'infinity', '-infinity', '-0', 0
            """
        let text = try await connection.query(sql)
        let binary = try await connection.query(sql, results: .binary)
        #expect(binary.rows.count == 9)
        #expect(binary.columnTypes == text.columnTypes)
        for (textRow, binaryRow) in zip(text.rows, binary.rows) {
            #expect(try binaryRow.decode(Int16.self, "i2") == textRow.decode(Int16.self, "i2"))
            #expect(try binaryRow.decode(Int32.self, "i4") == textRow.decode(Int32.self, "i4"))
            #expect(try binaryRow.decode(Int64.self, "i8") == textRow.decode(Int64.self, "i8"))
            #expect(try binaryRow.decode(Int.self, "o") == textRow.decode(Int.self, "o"))
            #expect(try binaryRow.decode(Double.self, "i8") == textRow.decode(Double.self, "i8"))
            let f8 = (try binaryRow.decode(Double.self, "f8"), try textRow.decode(Double.self, "f8"))
            #expect(f8.0.bitPattern == f8.1.bitPattern || (f8.0.isNaN && f8.1.isNaN))
            #expect(try binaryRow.decode(Float.self, "f4") == textRow.decode(Float.self, "f4"))
            #expect(try binaryRow.decode(Double.self, "f4") == Double(textRow.decode(Float.self, "f4")))
            #expect(try binaryRow.decode(Bool?.self, "b") == textRow.decode(Bool?.self, "b"))
            #expect(try binaryRow.decode(String.self, "t") == textRow.decode(String.self, "t"))
            #expect(try binaryRow.value("vc") == textRow.value("vc"))
            #expect(try binaryRow.decode(Date.self, "ts") == textRow.decode(Date.self, "ts"))
            #expect(try binaryRow.decode(Date.self, "d") == textRow.decode(Date.self, "d"))
            #expect(try binaryRow.decode(Double?.self, "nullable") == textRow.decode(Double?.self, "nullable"))
        }
        #expect(throws: PGError.self) { try binary.rows[0].decode(Int64.self, "f8") }
        do {
            _ = try binary.rows[0].decode(Decimal.self, "n")
            Issue.record("numeric read from binary")
        } catch let error as PGError {
            #expect(error.code == .decodingFailed)
            #expect(
                error.message.contains("\"n\" (numeric)") && error.message.contains("text result"), "\(error.message)")
        }
        #expect(try binary.rows[0].value("i4") == "\\xfffffffd", "a binary value shows as hex")
    }

    @Test("NULL comes back as nil in every type, and is an error naming the column when not optional")
    func nulls() async throws {
        let connection = try await connect()
        let row = try await connection.query(
            """
            SELECT $1::bigint AS i8, $2::integer AS i4, $3::smallint AS i2, $4::float8 AS f8, $5::real AS f4,
                   $6::boolean AS b, $7::text AS s, $8::timestamptz AS ts, $9::numeric AS n, $10::uuid AS u,
                   $11::bytea AS by, $12::bigint[] AS ai, $13::text[] AS at
            """, Array(repeating: nil, count: 13)
        ).rows[0]
        #expect(try row.decode(Int64?.self, "i8") == nil)
        #expect(try row.decode(Int32?.self, "i4") == nil)
        #expect(try row.decode(Int16?.self, "i2") == nil)
        #expect(try row.decode(Double?.self, "f8") == nil)
        #expect(try row.decode(Float?.self, "f4") == nil)
        #expect(try row.decode(Bool?.self, "b") == nil)
        #expect(try row.decode(String?.self, "s") == nil)
        #expect(try row.decode(Date?.self, "ts") == nil)
        #expect(try row.decode(Decimal?.self, "n") == nil)
        #expect(try row.decode(UUID?.self, "u") == nil)
        #expect(try row.decode(PGBytes?.self, "by") == nil)
        #expect(try row.decode([Int64]?.self, "ai") == nil)
        #expect(try row.decode([String]?.self, "at") == nil)
        let error = #expect(throws: PGError.self) { try row.decode(Int64.self, "i8") }
        #expect(error?.code == .decodingFailed)
        #expect(error?.message.contains("\"i8\" is NULL") == true, "\(String(describing: error))")
        await connection.close()
    }

    @Test("a value that does not fit the Swift type is an error naming the column and its type")
    func mismatches() async throws {
        let connection = try await connect()
        let row = try await connection.query(
            "SELECT 'abc'::text AS word, 3000000000::bigint AS big, now() AS at, 1.5::float8 AS x"
        ).rows[0]
        let word = #expect(throws: PGError.self) { try row.decode(Int.self, "word") }
        #expect(word?.message == "column \"word\" (text) cannot be read as Int: \"abc\"")
        let big = #expect(throws: PGError.self) { try row.decode(Int32.self, "big") }
        #expect(big?.message.contains("column \"big\" (bigint) cannot be read as Int32") == true)
        let at = #expect(throws: PGError.self) { try row.decode(UUID.self, "at") }
        #expect(at?.message.contains("(timestamptz)") == true)
        let missing = #expect(throws: PGError.self) { try row.decode(Double.self, "y") }
        #expect(missing?.message.contains("no column \"y\"; it has word, big, at, x") == true)
        #expect(try row.decode(Double.self, "x") == 1.5)
        #expect(try row.decode(String.self, "x") == "1.5")
        await connection.close()
    }

    @Test("identifiers are quoted; prepared statements are named once per connection and reused")
    func identifiersAndPreparedStatements() async throws {
        let connection = try await connect()
        let schema = uniqueName("pgp")
        let table = PGConnection.quoteIdentifier(schema) + "." + PGConnection.quoteIdentifier("odd \"name\"; --")
        try await connection.execute("CREATE SCHEMA \(schema); CREATE TABLE \(table) (id bigint, label text)")
        let insert = try await connection.prepare("INSERT INTO \(table) VALUES ($1, $2)")
        #expect(try await connection.prepare("INSERT INTO \(table) VALUES ($1, $2)") == insert)
        for id in 0..<50 { try await connection.query(insert, [Int64(id), "row \(id)"]) }
        #expect(try await connection.query("SELECT count(*) FROM \(table)").rows[0].decode(Int.self, at: 0) == 50)
        let prepared = try await connection.query(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO%'"
        ).rows[0].decode(Int.self, at: 0)
        #expect(prepared == 1)

        let other = try await connect()
        try await other.query(insert, [Int64(50), "from another connection"])
        #expect(try await other.query("SELECT count(*) FROM \(table)").rows[0].decode(Int.self, at: 0) == 51)
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
        await other.close()
    }
}
