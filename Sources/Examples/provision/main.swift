// Provisions the pipeline's infrastructure — buckets, Kinesis stream, PostgreSQL schema — from
// LakehouseCore's declarative description (our replacement for the original's Terraform).
//
//   provision plan  [--shards N] [--bronze-expiration-days D]   print what would change
//   provision apply [--shards N] [--bronze-expiration-days D]   make it so (idempotent: a second run changes nothing)
//
// Settings come from the environment and .env (AWS_ENDPOINT_URL, AWS_REGION, S3_BUCKET_*,
// KINESIS_STREAM, DATABASE_URL…); see the README.
import AWSLite
import ArgumentParser
import CommandSupport
import Foundation
import LakehouseCore
import Logging

@main
struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision", abstract: "Create the pipeline's buckets, stream and database schema.",
        subcommands: [Plan.self, Apply.self])
}

struct Options: ParsableArguments {
    @Option(help: "Open shards the stream must have.") var shards = 4
    @Option(help: "Days after which bronze objects expire (0: never).") var bronzeExpirationDays = 400
    @Option(help: "Days after which bronze objects move to --bronze-storage-class (0: never).")
    var bronzeTransitionDays = 0
    @Option(help: "The storage class bronze objects move to.") var bronzeStorageClass = "GLACIER_IR"
    @OptionGroup var settings: SettingsOption

    func validate() throws {
        try CheckedValues.count(shards, "--shards", 1...1000)
        try CheckedValues.count(bronzeExpirationDays, "--bronze-expiration-days", 0...36_500)
        try CheckedValues.count(bronzeTransitionDays, "--bronze-transition-days", 0...36_500)
        if bronzeExpirationDays > 0, bronzeTransitionDays >= bronzeExpirationDays {
            throw ValidationError("--bronze-transition-days must be fewer than --bronze-expiration-days")
        }
    }

    func provisioner() async throws -> (Provisioner, Infrastructure, () async -> Void) {
        let logger = Logger(label: "provision")
        let configuration = try settings.load(program: "provision")
        let database = try await configuration.connectDatabase(applicationName: "provision", logger: logger)
        let provisioner = Provisioner(
            s3: S3Client(configuration: try configuration.awsClientConfiguration(.s3), logger: logger),
            kinesis: KinesisClient(configuration: try configuration.awsClientConfiguration(.kinesis), logger: logger),
            database: database, logger: logger)
        let lifecycle = Infrastructure.bronzeLifecycle(
            expirationDays: bronzeExpirationDays > 0 ? bronzeExpirationDays : nil,
            transitionDays: bronzeTransitionDays > 0 ? bronzeTransitionDays : nil, storageClass: bronzeStorageClass)
        let rule = lifecycle.expirationDays == nil && lifecycle.transitionDays == nil ? nil : lifecycle
        return (
            provisioner, .standard(configuration, shardCount: shards, bronzeLifecycle: rule),
            { await database.close() }
        )
    }
}

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print what apply would change.")
    @OptionGroup var options: Options

    func run() async throws {
        let (provisioner, infrastructure, close) = try await options.provisioner()
        let changes = try await provisioner.plan(infrastructure)
        await close()
        print(changes.isEmpty ? "no changes: the infrastructure is up to date" : "\(changes.count) changes:")
        for change in changes { print("  + \(change)") }
    }
}

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update what differs.")
    @OptionGroup var options: Options

    func run() async throws {
        let (provisioner, infrastructure, close) = try await options.provisioner()
        let changes = try await provisioner.apply(infrastructure)
        await close()
        print(changes.isEmpty ? "no changes: the infrastructure is up to date" : "applied \(changes.count) changes:")
        for change in changes { print("  + \(change)") }
    }
}
