import ArgumentParser
import Foundation
import LakehouseCore
import Logging
import PGLite

/// `lakehouse webhooks`: the endpoints alerts are delivered to, their deliveries, and dead
/// letters sent again.
struct Webhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list and remove alert webhooks; deliver; send dead deliveries again.",
        discussion: """
            Gold writes a delivery for each alert it opens or resolves, per enabled endpoint whose \
            kinds and stores match, in the same transaction as the refresh. `lakehouse run` sends \
            them; so does `lakehouse webhooks deliver`. Each POST carries Idempotency-Key \
            (alert-<id>-opened or -resolved) and Lakehouse-Signature: t=<unix seconds>,v1=<hex \
            HMAC-SHA256 of "<t>.<body>" keyed with the endpoint's secret>.
            """,
        subcommands: [Add.self, List.self, Remove.self, Deliver.self, Retry.self])

    /// Opens the pipeline's database with the settings, runs `body`, and closes it.
    static func withDatabase<T>(
        _ settings: SettingsOption, _ body: (PGConnection) async throws -> T
    ) async throws -> T {
        let configuration = try settings.load(program: "lakehouse")
        let database = try await configuration.connectDatabase(
            applicationName: "lakehouse-webhooks", logger: Logger(label: "lakehouse"))
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch let error as LakehouseError where error.code == .invalidConfiguration {
            await database.close()
            throw CommandFailure.usage("lakehouse webhooks", error.message)
        } catch {
            await database.close()
            throw error
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an endpoint. The secret comes from LAKEHOUSE_WEBHOOK_SECRET, or is made and printed once.")

        @Argument(help: "A short unique name (letters, digits, _ . -).") var name: String
        @Argument(help: "The URL to POST to (http or https).") var url: String
        @Option(help: "Alert kinds to send, comma-separated (default: all).") var kinds: String?
        @Option(help: "Store ids to send, comma-separated (default: all).") var stores: String?
        @Option(help: "Message shape: json or slack.") var format = "json"
        @OptionGroup var settings: SettingsOption

        func validate() throws {
            guard WebhookEndpoint.Format(rawValue: format) != nil else {
                throw ValidationError("--format must be json or slack")
            }
            _ = try parsedKinds()
        }

        func parsedKinds() throws -> [StockAlertKind]? {
            try kinds.map { text in
                try text.split(separator: ",").map { name in
                    guard let kind = StockAlertKind(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                        throw ValidationError(
                            "--kinds: \(TerminalText.escaped(String(name))) is not an alert kind; use "
                                + StockAlertKind.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    return kind
                }
            }
        }

        func run() async throws {
            let given = ProcessInfo.processInfo.environment["LAKEHOUSE_WEBHOOK_SECRET"].flatMap {
                $0.isEmpty ? nil : $0
            }
            let secret = given ?? (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            let endpoint = WebhookEndpoint(
                name: name, url: url, kinds: try parsedKinds(),
                storeIDs: stores.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                format: WebhookEndpoint.Format(rawValue: format) ?? .json)
            try await Webhooks.withDatabase(settings) { try await WebhookEndpoints.add($0, endpoint, secret: secret) }
            print("webhook \(name) added: \(endpoint.origin), \(format)")
            if given == nil {
                print("its secret (shown once; receivers verify Lakehouse-Signature with it): \(secret)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the endpoints (origin only, never the path or secret) and their deliveries.")
        @OptionGroup var settings: SettingsOption

        func run() async throws {
            let listings = try await Webhooks.withDatabase(settings) { try await WebhookEndpoints.list($0) }
            guard !listings.isEmpty else {
                print("no webhook endpoints: add one with `lakehouse webhooks add NAME URL`")
                return
            }
            let rows = listings.map { listing -> [String] in
                let endpoint = listing.endpoint
                return [
                    endpoint.name, endpoint.origin, endpoint.format.rawValue, endpoint.enabled ? "yes" : "no",
                    endpoint.kinds.map { $0.map(\.rawValue).joined(separator: ",") } ?? "all",
                    endpoint.storeIDs?.joined(separator: ",") ?? "all", "\(listing.pending)", "\(listing.delivered)",
                    "\(listing.dead)", listing.lastError ?? "",
                ]
            }
            print(
                TerminalText.table(
                    [
                        "name", "origin", "format", "enabled", "kinds", "stores", "pending", "delivered", "dead",
                        "last error",
                    ],
                    rows,
                    alignments: [.left, .left, .left, .left, .left, .left, .right, .right, .right, .left]))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an endpoint and its deliveries.")
        @Argument(help: "The endpoint's name.") var name: String
        @OptionGroup var settings: SettingsOption

        func run() async throws {
            let removed = try await Webhooks.withDatabase(settings) {
                try await WebhookEndpoints.remove($0, name: name)
            }
            guard removed else {
                throw CommandFailure.usage(
                    "lakehouse webhooks", "no webhook endpoint is named \(name): see `lakehouse webhooks list`")
            }
            print("webhook \(name) removed")
        }
    }

    struct Deliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send pending deliveries: until interrupted, or until none is pending (--until-empty).")
        @Flag(help: "Stop when nothing is pending (waiting out retry delays), or after --timeout-seconds.")
        var untilEmpty = false
        @Option(help: "With --until-empty: give up after this long.") var timeoutSeconds = 300.0
        @Option(help: "Seconds before the first retry of a failed delivery (doubled per failure).")
        var firstRetrySeconds = 10.0
        @Option(help: "Attempts before a delivery is dead.") var maximumAttempts = 8
        @OptionGroup var settings: SettingsOption

        func validate() throws {
            try CheckedValues.seconds(timeoutSeconds, "--timeout-seconds", 0.1...86_400)
            try CheckedValues.seconds(firstRetrySeconds, "--first-retry-seconds", 0.01...86_400)
            try CheckedValues.count(maximumAttempts, "--maximum-attempts", 1...100)
        }

        func run() async throws {
            let logger = Logger(label: "lakehouse")
            let settings = try settings.load(program: "lakehouse")
            var configuration = WebhookDeliverer.Configuration()
            configuration.firstRetryDelay = CheckedValues.duration(firstRetrySeconds)
            configuration.maximumAttempts = maximumAttempts
            let deliverer = WebhookDeliverer(configuration: configuration, logger: logger) { name in
                try await settings.connectDatabase(applicationName: name, logger: logger)
            }
            guard untilEmpty else {
                try await GracefulRun.run(
                    deliverer.service(finished: { print(Webhooks.line($0, pending: nil)) }),
                    notice: "lakehouse webhooks: stopping after the deliveries in flight", logger: logger)
                return
            }
            let (report, pending) = try await deliverer.deliverAll(timeout: CheckedValues.duration(timeoutSeconds))
            print(Webhooks.line(report, pending: pending))
            if pending > 0 { throw ExitCode(75) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make dead deliveries pending again (of one endpoint, or all); `lakehouse run` sends them.")
        @Option(help: "Only this endpoint's.") var endpoint: String?
        @OptionGroup var settings: SettingsOption

        func run() async throws {
            let count = try await Webhooks.withDatabase(settings) {
                try await WebhookEndpoints.retryDead($0, endpoint: endpoint)
            }
            print("\(count) dead deliveries pending again")
        }
    }

    /// `webhooks: N delivered, N retried, N dead[, N still pending]`.
    static func line(_ report: WebhookDeliverer.Report, pending: Int?) -> String {
        "webhooks: \(report.delivered) delivered, \(report.failed) retried, \(report.dead) dead"
            + (pending.map { ", \($0) still pending" } ?? "")
    }
}
