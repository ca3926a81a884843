// Compares PGLite's bulk paths with their peers in one run, alternating the sides each round,
// on the DATASET.md table (1,000,000 rows by default):
//   1. pg-copy: COPY into an unindexed table — PGLite's copyIn (CSV, from `writeColumns`)
//      vs `psql \copy` of the same rows from a CSV file in /dev/shm (the ceiling);
//   2. pg-staged-upsert: in one transaction, COPY into a temporary table, then
//      INSERT … ON CONFLICT DO UPDATE into a keyed table — PGLite vs psycopg 3, both with binary
//      COPY from their fastest path (PGLite: `writeColumns`; psycopg: `write_row` with set types).
// Ends with one `bench …` line per comparison; ratio = ours / peer in rows per second.
//
// Usage: pg-compare [--database-url URL] [--python PATH] [--rows N] [--rounds N]

import BenchmarkSupport
import Foundation
import Logging
import PGLite

let repository = CommandOptions.repository
let options = CommandOptions.parse(
    defaults: [
        "--database-url": ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "", "--python": CommandOptions.python,
        "--rows": "1000000", "--rounds": "7",
    ],
    usage: "pg-compare [--database-url URL] [--python PATH] [--rows N] [--rounds N]")
guard let rowCount = Int(options["--rows"]!), rowCount > 0, let rounds = Int(options["--rounds"]!), rounds >= 5,
    !options["--database-url"]!.isEmpty
else { CommandOptions.fail("pg-compare: needs --database-url (or DATABASE_URL), --rows > 0, --rounds ≥ 5") }
let databaseURL = options["--database-url"]!

let columns =
    "transaction_id text, product_id text, product_name text, product_category text, store_id text, "
    + "quantity integer, unit_price double precision, total_price double precision, sale_timestamp timestamptz, "
    + "payment_method text, client_type text, loyalty_id bigint"
let upsertSQL = """
    INSERT INTO bench_upsert
    SELECT DISTINCT ON (transaction_id, product_id) * FROM bench_staging ORDER BY transaction_id, product_id
    ON CONFLICT (transaction_id, product_id) DO UPDATE SET
        product_name = EXCLUDED.product_name, product_category = EXCLUDED.product_category,
        store_id = EXCLUDED.store_id, quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price,
        total_price = EXCLUDED.total_price, sale_timestamp = EXCLUDED.sale_timestamp,
        payment_method = EXCLUDED.payment_method, client_type = EXCLUDED.client_type, loyalty_id = EXCLUDED.loyalty_id
    """

print("pg-compare: building \(rowCount) rows of the DATASET.md table (not timed)")
let table = DatasetTable(count: rowCount)
try table.verify()
let timestamps = table.saleTimestamp.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }

/// The table as COPY columns (built once, not timed, as the peer builds its rows).
let copyColumns = [
    PGCopyColumn(table.transactionID), PGCopyColumn(table.productID), PGCopyColumn(table.productName),
    PGCopyColumn(table.productCategory), PGCopyColumn(table.storeID), PGCopyColumn(table.quantity),
    PGCopyColumn(table.unitPrice), PGCopyColumn(table.totalPrice), PGCopyColumn(timestamps),
    PGCopyColumn(table.paymentMethod), PGCopyColumn(table.clientType), PGCopyColumn(table.loyaltyID),
]

/// Writes every row of the table: PGLite's columnar COPY path.
func writeRows(_ writer: PGCopyWriter) async throws { try await writer.writeColumns(copyColumns) }

let logger = Logger(label: "pg-compare", factory: { _ in SwiftLogNoOpLogHandler() })
/// Set-up, settling and checks; the timed PGLite work runs on `worker`, a session of its own as
/// the peer's is.
let connection = try await PGConnection.connect(configuration: .init(databaseURL), logger: logger)
let worker = try await PGConnection.connect(configuration: .init(databaseURL), logger: logger)
try await connection.execute(
    """
    DROP TABLE IF EXISTS bench_copy, bench_upsert;
    CREATE TABLE bench_copy (\(columns)) WITH (autovacuum_enabled = off);
    CREATE TABLE bench_upsert (\(columns), PRIMARY KEY (transaction_id, product_id)) WITH (autovacuum_enabled = off)
    """)

// The CSV file psql reads: the same rows, as the server writes them in CSV.
let csvPath = "/dev/shm/lakehouse-pg-compare-\(getpid()).csv"
defer { unlink(csvPath) }
try await connection.copyIn("COPY bench_copy FROM STDIN (FORMAT csv)", format: .csv) { try await writeRows($0) }
_ = FileManager.default.createFile(atPath: csvPath, contents: nil)
let csvFile = try FileHandle(forWritingTo: URL(fileURLWithPath: csvPath))
try await connection.copyOut("COPY bench_copy TO STDOUT (FORMAT csv)") { csvFile.write(Data($0)) }
try csvFile.close()
// The keyed table starts full, so that every upsert updates.
try await connection.execute(
    "INSERT INTO bench_upsert SELECT DISTINCT ON (transaction_id, product_id) * FROM bench_copy")
let keyedRows = try await connection.query("SELECT count(*) FROM bench_upsert").rows[0].decode(Int.self, at: 0)

let peer = try PeerProcess(
    executable: options["--python"]!,
    arguments: [repository.appendingPathComponent("Benchmarks/peers/pg_peer.py").path, databaseURL, String(rowCount)],
    environment: ["PG_COMPARE_UPSERT_SQL": upsertSQL])
let peerVersion = peer.greeting.split(separator: " ").first { $0.hasPrefix("psycopg=") }.map { $0.dropFirst(8) } ?? "?"

/// Puts the server in the same state before each timed run: the target emptied or vacuumed and
/// analysed, and a checkpoint, so that no run pays for the dirty pages of the one before it.
/// Autovacuum is off for both tables, so that it never starts inside a timed run.
func settle(_ sql: String) async throws {
    try await connection.execute(sql)
    _ = try? await connection.execute("CHECKPOINT")  // needs superuser or pg_checkpoint; best effort
}

func oursCopy() async throws -> Double {
    try await settle("TRUNCATE bench_copy")
    var copied = 0
    let elapsed = try await Timing.timed {
        copied = try await worker.copyIn("COPY bench_copy FROM STDIN (FORMAT csv)", format: .csv) {
            try await writeRows($0)
        }
    }
    guard copied == rowCount else { throw DatasetError(message: "PGLite copied \(copied) rows") }
    return elapsed
}

func psqlCopy() async throws -> Double {
    try await settle("TRUNCATE bench_copy")
    let elapsed = try await Timing.timed {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [
            databaseURL, "-q", "-v", "ON_ERROR_STOP=1", "-c", "\\copy bench_copy FROM '\(csvPath)' WITH (FORMAT csv)",
        ]
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(2)) }
        guard process.terminationStatus == 0 else { throw DatasetError(message: "psql \\copy failed") }
    }
    let copied = try await connection.query("SELECT count(*) FROM bench_copy").rows[0].decode(Int.self, at: 0)
    guard copied == rowCount else { throw DatasetError(message: "psql copied \(copied) rows") }
    return elapsed
}

func oursUpsert() async throws -> Double {
    try await settle("VACUUM ANALYZE bench_upsert")
    var affected = 0
    let elapsed = try await Timing.timed {
        try await worker.withTransaction { transaction in
            try await transaction.execute(
                "CREATE TEMP TABLE bench_staging (LIKE bench_upsert INCLUDING DEFAULTS) ON COMMIT DROP")
            try await transaction.copyIn("COPY bench_staging FROM STDIN (FORMAT binary)", format: .binary) {
                try await writeRows($0)
            }
            affected = try await transaction.execute(upsertSQL).affectedRows ?? 0
        }
    }
    guard affected == keyedRows else { throw DatasetError(message: "PGLite upserted \(affected) rows") }
    return elapsed
}

@MainActor func peerUpsert() async throws -> Double {
    try await settle("VACUUM ANALYZE bench_upsert")
    let answer = try peer.ask("upsert").split(separator: " ")
    guard answer.count == 2, let elapsed = Double(answer[0]), Int(answer[1]) == keyedRows else {
        throw DatasetError(message: "psycopg answered \(answer)")
    }
    return elapsed
}

var copies = Comparison(name: "pg-copy")
var upserts = Comparison(name: "pg-staged-upsert")
print("pg-compare: \(rounds) rounds of \(rowCount) rows; \(keyedRows) keys in the upsert target")
// One comparison at a time, so that one's writes do not weigh on the other's timings.
print("round  PGLite copy s  psql copy s")
for round in 1...rounds {
    copies.record(
        try await Comparison.alternate(round: round, ours: { try await oursCopy() }, peer: { try await psqlCopy() }))
    print(String(format: "%5d  %13.3f  %11.3f", round, copies.ours.last!, copies.peer.last!))
}
try await connection.execute("TRUNCATE bench_copy")
print("round  PGLite upsert s  psycopg upsert s")
for round in 1...rounds {
    upserts.record(
        try await Comparison.alternate(round: round, ours: { try await oursUpsert() }, peer: { try await peerUpsert() })
    )
    print(String(format: "%5d  %15.3f  %16.3f", round, upserts.ours.last!, upserts.peer.last!))
}
peer.finish()
try await connection.execute("DROP TABLE bench_copy, bench_upsert")
await worker.close()
await connection.close()

// Measurements are seconds per run; the lines report rows per second.
let rows = [("rows", String(rowCount))]
print(copies.summary(unit: "rows/s", digits: 0, peerName: "psql-\\copy", extra: rows) { Double(rowCount) / $0 })
print(
    upserts.summary(unit: "rows/s", digits: 0, peerName: "psycopg-\(peerVersion)", extra: rows) {
        Double(rowCount) / $0
    })
