import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite

/// What an ingest test owns: a stream, a bronze bucket and a database schema with the
/// pipeline's migrations (unique names, so tests run in any order), and the `ingest`
/// executable's environment pointing at them.
struct IngestFixture {
    let stream: String
    let bucket: String
    let schema: String
    let environment: [String: String]
    let kinesis: KinesisClient
    let s3: S3Client
    let database: PGConnection

    /// - Parameter kinesisEndpoint: where the stream lives, when not in moto (a ``KinesisDouble``).
    /// - Parameter databaseURL: the PostgreSQL server to use, when not the shared one.
    static func make(
        _ name: String, shards: Int = 2, kinesisEndpoint: String? = nil, databaseURL: String? = nil
    ) async throws -> IngestFixture {
        let services = try TestServices.require()
        let logs = CapturedLogs()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let stream = "\(name)-\(suffix)"
        let bucket = "\(name)-bronze-\(suffix)"
        let schema = "\(name.replacingOccurrences(of: "-", with: "_"))_\(suffix)"
        var kinesisConfiguration = services.awsConfiguration
        if let kinesisEndpoint { kinesisConfiguration.endpoint = kinesisEndpoint }
        let kinesis = KinesisClient(configuration: kinesisConfiguration, logger: logs.logger())
        let s3 = S3Client(configuration: services.awsConfiguration, logger: logs.logger())
        try await kinesis.createStream(stream, shardCount: shards)
        try await kinesis.waitUntilActive(stream)
        try await s3.createBucket(bucket)
        let database = try await PGConnection.connect(
            configuration: .init(databaseURL ?? services.databaseURL), logger: logs.logger())
        try await database.execute("CREATE SCHEMA \(schema)")
        try await database.execute("SET search_path TO \(schema)")
        try await PGMigrator(migrations: DatabaseSchema.migrations).migrate(on: database)
        var environment = services.values
        environment["KINESIS_STREAM"] = stream
        environment["S3_BUCKET_BRONZE"] = bucket
        environment["PGOPTIONS"] = "-c search_path=\(schema)"
        if let databaseURL { environment["DATABASE_URL"] = databaseURL }
        return IngestFixture(
            stream: stream, bucket: bucket, schema: schema, environment: environment, kinesis: kinesis, s3: s3,
            database: database)
    }

    func ingest(_ arguments: [String], outputPath: String? = nil) throws -> ChildProcess {
        try ChildProcess(
            executable: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("ingest").path,
            arguments: arguments + ["--env-file", ""], environment: environment, outputPath: outputPath)
    }

    func bronze() async throws -> (lines: [BronzeBatch.Line], keys: [String]) {
        var lines: [BronzeBatch.Line] = []
        var keys: [String] = []
        for try await page in s3.listObjectsV2(bucket: bucket, prefix: "sales_data/") {
            for object in page.objects {
                keys.append(object.key)
                lines += try BronzeBatch.decode(try await s3.getObject(bucket: bucket, key: object.key).body)
            }
        }
        return (lines, keys)
    }

    /// - Parameter dropSchema: `false` when the database went away with its server (a private
    ///   cluster the test removes).
    func tearDown(keys: [String], dropSchema: Bool = true) async throws {
        try await kinesis.deleteStream(stream)
        for key in keys { try await s3.deleteObject(bucket: bucket, key: key) }
        try await s3.deleteBucket(bucket)
        if dropSchema { try await database.execute("DROP SCHEMA \(schema) CASCADE") }
        await database.close()
    }
}
