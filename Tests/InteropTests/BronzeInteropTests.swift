import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import Testing

/// Bronze objects as other tools read them.
@Suite("Bronze objects read by pyarrow and DuckDB")
struct BronzeInteropTests {
    @Test("pyarrow's and DuckDB's JSON readers read a bronze object: every line, text payloads and base64 ones")
    func readableByOthers() async throws {
        var simulator = StoreSimulator(
            configuration: SimulationConfiguration(stores: 1, products: 5, days: 1, seed: 3, dirtyRate: 0))
        let day = simulator.nextDay() ?? []
        let first = try #require(day.first)
        // A simulated event first, then a line cut short (text) and one that is not UTF-8 (base64).
        let payloads =
            [first.payload, Array("{\"transaction_id\": \"cut".utf8), [0xFF, 0xFE, 0x00, 0x7B, 0x22]]
            + day.dropFirst().prefix(20).map(\.payload)
        let records = payloads.enumerated().map { index, payload in
            KinesisRecord(
                data: payload, partitionKey: "STORE_001", sequenceNumber: String(format: "4960000000000000%04d", index),
                approximateArrivalTimestamp: 1_767_225_599.5 + Double(index))
        }
        let product = try #require(
            (try JSONSerialization.jsonObject(with: Data(first.payload)) as? [String: Any])?["product_id"] as? String)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bronze-\(UUID().uuidString).jsonl")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(BronzeBatch(stream: "s", shardID: "shardId-000000000001", records: records).encoded())
            .write(to: URL(fileURLWithPath: path))
        let script = """
            import sys, json, pyarrow.json as pj, duckdb
            path, count, sequence, product = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
            table = pj.read_json(path)
            assert table.num_rows == count, table.num_rows
            assert table.column("sequence_number")[0].as_py() == sequence
            rows = duckdb.sql(f"SELECT count(*), count(payload), count(payload_base64) FROM read_json_auto('{path}')").fetchall()[0]
            assert rows[0] == count, rows
            assert rows[1] + rows[2] == count and rows[2] >= 1, rows
            first = json.loads(duckdb.sql(f"SELECT payload FROM read_json_auto('{path}') LIMIT 1").fetchall()[0][0])
            assert first["product_id"] == product, first
            """
        let scriptPath = path + ".py"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: scriptPath) }
        let result = try await ChildProcess.output(
            RepositoryPaths.python, [scriptPath, path, String(records.count), records[0].sequenceNumber, product],
            timeout: .seconds(120))
        #expect(result.status == 0, "\(result.errors)")
    }
}
