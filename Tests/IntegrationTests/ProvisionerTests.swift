import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

@Suite("Provisioning against moto and PostgreSQL: plan, apply, and a second apply that changes nothing")
struct ProvisionerTests {
    @Test("plan lists every change; apply makes them; a second apply and a plan find nothing; shards follow")
    func provisionTwice() async throws {
        let services = try TestServices.require()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let configuration = try LakehouseConfiguration.load(
            environment: [:], dotEnvPath: TestServices.envFilePath,
            overrides: [
                "S3_BUCKET_BRONZE": "prov-bronze-\(suffix)", "S3_BUCKET_SILVER": "prov-silver-\(suffix)",
                "S3_BUCKET_GOLD": "prov-gold-\(suffix)", "KINESIS_STREAM": "prov-stream-\(suffix)",
            ])
        let logs = CapturedLogs()
        let database = try await configuration.connectDatabase(applicationName: "provision-test", logger: logs.logger())
        // The schema this test owns: migrations and their record land in it.
        let schema = "prov_\(suffix)"
        try await database.execute("CREATE SCHEMA \(schema)")
        try await database.execute("SET search_path TO \(schema)")
        let s3 = S3Client(
            configuration: try configuration.awsClientConfiguration(.s3, environment: [:]), logger: logs.logger())
        let kinesis = KinesisClient(
            configuration: try configuration.awsClientConfiguration(.kinesis, environment: [:]), logger: logs.logger())
        #expect(configuration.aws.endpointURL == services.awsEndpoint)
        let provisioner = Provisioner(s3: s3, kinesis: kinesis, database: database, logger: logs.logger())
        var infrastructure = Infrastructure.standard(configuration, shardCount: 2)
        let everything: [ProvisionChange] = [
            .createBucket("prov-bronze-\(suffix)"), .createBucket("prov-silver-\(suffix)"),
            .createBucket("prov-gold-\(suffix)"), .createStream("prov-stream-\(suffix)", shardCount: 2),
            .applyMigration("0001_ingest_checkpoints"), .applyMigration("0002_silver"), .applyMigration("0003_gold"),
            .applyMigration("0004_inventory_snapshot"), .applyMigration("0005_stock_model"),
            .applyMigration("0006_fact_keys_unchecked"), .applyMigration("0007_pipeline"),
            .applyMigration("0008_unknown_stock"), .applyMigration("0009_demand_tsb"),
            .applyMigration("0010_order_proposal"), .applyMigration("0011_markdown_list"),
            .applyMigration("0012_category_day_sales"), .applyMigration("0013_pipeline_run_maintenance"),
            .applyMigration("0014_bronze_object"), .applyMigration("0015_monthly_partitions"),
            .applyMigration("0016_position_indexes"), .applyMigration("0017_store_newest_event"),
            .applyMigration("0018_room_for_updates"), .applyMigration("0019_open_alert_ids"),
            .applyMigration("0020_reader_role"), .applyMigration("0021_webhooks"),
            .setLifecycle("prov-bronze-\(suffix)", Infrastructure.bronzeLifecycle()),
        ]
        #expect(try await provisioner.plan(infrastructure) == everything)
        #expect(try await provisioner.apply(infrastructure) == everything)
        #expect(try await provisioner.apply(infrastructure) == [])
        #expect(try await provisioner.plan(infrastructure) == [])
        try await s3.headBucket("prov-gold-\(suffix)")
        #expect(try await kinesis.describeStreamSummary("prov-stream-\(suffix)").openShardCount == 2)
        let columns = try await database.query(
            "SELECT count(*)::int FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'ingest_checkpoints'",
            [schema])
        #expect(try columns.rows[0].decode(Int32.self, at: 0) == 7)

        infrastructure.shardCount = 4
        let reshard = ProvisionChange.reshardStream("prov-stream-\(suffix)", from: 2, to: 4)
        #expect(try await provisioner.plan(infrastructure) == [reshard])
        #expect(try await provisioner.apply(infrastructure) == [reshard])
        #expect(try await kinesis.describeStreamSummary("prov-stream-\(suffix)").openShardCount == 4)
        #expect(try await provisioner.apply(infrastructure) == [])

        // The bronze lifecycle: S3 holds the rule; a changed rule is set again, other rules kept.
        #expect(try await s3.bucketLifecycle(bucket: "prov-bronze-\(suffix)") == [Infrastructure.bronzeLifecycle()])
        let other = S3LifecycleRule(id: "theirs", prefix: "exports/", expirationDays: 7)
        try await s3.putBucketLifecycle(
            bucket: "prov-bronze-\(suffix)", rules: [other, Infrastructure.bronzeLifecycle()])
        let colder = Infrastructure.bronzeLifecycle(expirationDays: 365, transitionDays: 30, storageClass: "GLACIER")
        infrastructure.lifecycle = ["prov-bronze-\(suffix)": colder]
        #expect(try await provisioner.apply(infrastructure) == [.setLifecycle("prov-bronze-\(suffix)", colder)])
        #expect(Set(try await s3.bucketLifecycle(bucket: "prov-bronze-\(suffix)")) == [other, colder])
        #expect(try await provisioner.plan(infrastructure) == [])

        try await kinesis.deleteStream("prov-stream-\(suffix)")
        for bucket in infrastructure.buckets { try await s3.deleteBucket(bucket) }
        try await database.execute("DROP SCHEMA \(schema) CASCADE")
        await database.close()
    }

    @Test("the provision executable: plan, apply, then apply again says there is nothing to change")
    func executable() async throws {
        let services = try TestServices.require()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let schema = "provexe_\(suffix)"
        let logs = CapturedLogs()
        let database = try await PGConnection.connect(configuration: .init(services.databaseURL), logger: logs.logger())
        try await database.execute("CREATE SCHEMA \(schema)")
        var environment = services.values
        environment["S3_BUCKET_BRONZE"] = "exe-bronze-\(suffix)"
        environment["S3_BUCKET_SILVER"] = "exe-silver-\(suffix)"
        environment["S3_BUCKET_GOLD"] = "exe-gold-\(suffix)"
        environment["KINESIS_STREAM"] = "exe-stream-\(suffix)"
        environment["PGOPTIONS"] = "-c search_path=\(schema)"
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        environment["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        func provision(_ arguments: [String]) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("provision")
            process.arguments = arguments + ["--env-file", ""]
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let plan = try provision(["plan", "--shards", "1"])
        #expect(plan.0 == 0)
        // 3 buckets, the stream, the migrations and the bronze lifecycle rule.
        #expect(plan.1.contains("\(5 + DatabaseSchema.migrations.count) changes:"))
        #expect(
            plan.1.contains(
                "set lifecycle rule lakehouse-bronze of bucket exe-bronze-\(suffix) (sales_data/: expire after 400 days)"
            ))
        #expect(plan.1.contains("create stream exe-stream-\(suffix) with 1 shards"))
        let first = try provision(["apply", "--shards", "1"])
        #expect(first.0 == 0)
        #expect(first.1.contains("applied \(5 + DatabaseSchema.migrations.count) changes:"))
        let second = try provision(["apply", "--shards", "1"])
        #expect(second.0 == 0)
        #expect(second.1.contains("no changes"))
        let recorded = try await database.query("SELECT name FROM \(schema).schema_migrations")
        #expect(recorded.rows.count == DatabaseSchema.migrations.count)

        let kinesis = KinesisClient(configuration: services.awsConfiguration, logger: logs.logger())
        let s3 = S3Client(configuration: services.awsConfiguration, logger: logs.logger())
        try await kinesis.deleteStream("exe-stream-\(suffix)")
        for layer in ["bronze", "silver", "gold"] { try await s3.deleteBucket("exe-\(layer)-\(suffix)") }
        try await database.execute("DROP SCHEMA \(schema) CASCADE")
        await database.close()
    }
}
