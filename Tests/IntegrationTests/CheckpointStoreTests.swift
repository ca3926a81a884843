import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

@Suite("Ingest checkpoints in PostgreSQL")
struct CheckpointStoreTests {
    @Test("a saved checkpoint loads back; saving again replaces it; streams are kept apart")
    func saveAndLoad() async throws {
        let services = try TestServices.require()
        let logs = CapturedLogs()
        let connection = try await PGConnection.connect(
            configuration: .init(services.databaseURL), logger: logs.logger())
        let schema = "ckpt_\(UUID().uuidString.prefix(8).lowercased())"
        try await connection.execute("CREATE SCHEMA \(schema)")
        try await connection.execute("SET search_path TO \(schema)")
        try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: connection)
        let store = CheckpointStore(connection: connection)
        #expect(try await store.load(stream: "a").isEmpty)
        var first = IngestCheckpoint(
            stream: "a", shardID: "shardId-000000000000", sequenceNumber: "49600000000000000000012",
            bronzeKey: "sales_data/year=2026/month=01/day=01/x.jsonl", records: 500, shardEnded: false)
        try await store.save(first)
        try await store.save(
            IngestCheckpoint(
                stream: "b", shardID: "shardId-000000000000", sequenceNumber: "1", bronzeKey: "k", records: 1,
                shardEnded: false))
        #expect(try await store.load(stream: "a") == ["shardId-000000000000": first])
        first.sequenceNumber = "49600000000000000000999"
        first.shardEnded = true
        try await store.save(first)
        #expect(try await store.load(stream: "a") == ["shardId-000000000000": first])
        #expect(try await store.load(stream: "b").count == 1)
        try await connection.execute("DROP SCHEMA \(schema) CASCADE")
        await connection.close()
    }
}
