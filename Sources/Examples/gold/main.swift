// Applies silver to gold in PostgreSQL and reports on it.
//
//   gold [refresh] [--every SECONDS]    apply the silver batches loaded since the last refresh:
//                                       star schema, stock positions, daily snapshots, demand
//                                       forecasts, order proposals and alerts (once, or every SECONDS until
//                                       SIGINT or SIGTERM)
//   gold proposal [--store ID] [--limit 50]
//                                       each store's newest order proposal: what to order and why
//   gold alerts [--limit 15]            the open alerts (what needs a person), most urgent first;
//                                       a store's mark-downs are one list
//   gold markdowns [--store ID] [--limit 50]
//                                       the perishables to mark down, most value to spoil first
//   gold summary                        events by type, quarantined by reason, duplicates, alerts
//   gold stock import FILE.csv          counts (store_id, product_id, quantity, counted_at) sent as
//                                       stock_count events through the stream: opening stock for
//                                       a chain whose stream carries sales only
//
// Settings (DATABASE_URL…) come from the environment and .env.
import AWSLite
import ArgumentParser
import CommandSupport
import Foundation
import LakehouseCore
import Logging

@main
struct Gold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gold",
        abstract: "Apply silver to gold (star schema, stock, forecasts, order proposals, alerts) and report on it.",
        subcommands: [Refresh.self, Proposal.self, Alerts.self, Markdowns.self, Summary.self, Stock.self],
        defaultSubcommand: Refresh.self)
}

struct Connection: ParsableArguments {
    @OptionGroup var settingsOption: SettingsOption

    /// Connects, runs `body` with a gold job, and closes.
    func withGold<T>(_ body: (GoldJob, Logger) async throws -> T) async throws -> T {
        let logger = Logger(label: "gold")
        let settings = try settingsOption.load(program: "gold")
        let database = try await settings.connectDatabase(applicationName: "gold", logger: logger)
        do {
            let result = try await body(GoldJob(connection: database, logger: logger), logger)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}

struct Refresh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the silver batches loaded since the last refresh (once, or every N seconds).")

    @Option(help: "Refresh every this many seconds until interrupted (default: once).") var every: Double?
    @OptionGroup var connection: Connection

    func validate() throws {
        if let every { try CheckedValues.seconds(every, "--every", 0.1...86_400) }
    }

    func run() async throws {
        try await connection.withGold { job, logger in
            let notice = "gold: stopping after the current refresh"
            if let every {
                let service = job.service(every: CheckedValues.duration(every), onRefresh: { print($0) })
                try await GracefulRun.run(service, notice: notice, logger: logger)
            } else {
                let service = JobService({ _ in try await job.refresh() }, finished: { print($0) })
                try await GracefulRun.run(service, notice: notice, logger: logger)
            }
        }
    }
}

/// The options of the per-store listings (`proposal`, `markdowns`): one store or all, how many
/// lines.
struct StoreLines: ParsableArguments {
    @Option(help: "Only this store (its store_id).") var store: String?
    @Option(help: "How many lines to print.") var limit = 50
    @OptionGroup var connection: Connection

    func validate() throws { try CheckedValues.count(limit, "--limit", 1...1_000_000) }

    /// The reviews of the store asked for (all without `--store`).
    ///
    /// - Throws: a usage error when gold has no review of that store (a wrong id, or gold has
    ///   not refreshed since its events).
    func storesShown(_ reviews: [(store: String, day: Int64, status: String, items: Int64, lines: Int64, units: Int64)])
        throws -> [(store: String, day: Int64, status: String, items: Int64, lines: Int64, units: Int64)]
    {
        let shown = reviews.filter { store == nil || $0.store == store }
        if let store, shown.isEmpty {
            throw CommandFailure.usage(
                "gold",
                "no store \(TerminalText.escaped(store)) in gold: is the store_id right, and has gold refreshed since its events?"
            )
        }
        return shown
    }
}

struct Proposal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each store's newest order proposal: what to order and why.",
        discussion: """
            Gold drafts one proposal per store at each refresh, for the store's newest event day, until the \
            store orders it (status ordered). The lines are the items to order, in whole cases where the case \
            size is known; v_order_proposal holds the same, with the reason for each line.
            """)

    @OptionGroup var options: StoreLines

    func run() async throws {
        let (lines, reviews) = try await options.connection.withGold { job, _ in
            (try await job.orderProposal(store: options.store, limit: options.limit), try await job.reviews())
        }
        let shown = try options.storesShown(reviews)
        print(
            TerminalText.table(
                ["store", "day", "status", "items planned", "lines", "units"],
                shown.map {
                    [
                        $0.store, SilverEvent.dateText(Int32($0.day)), $0.status, String($0.items), String($0.lines),
                        String($0.units),
                    ]
                }, alignments: [.left, .left, .left, .right, .right, .right]))
        print()
        print(GoldText.proposal(lines))
    }
}

struct Alerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the open alerts (what needs a person), most urgent first.")

    @Option(help: "How many to print.") var limit = 15

    func validate() throws { try CheckedValues.count(limit, "--limit", 1...100_000) }
    @OptionGroup var connection: Connection

    func run() async throws {
        let alerts = try await connection.withGold { job, _ in try await job.openAlerts(limit: limit) }
        print(GoldText.alerts(alerts))
    }
}

struct Markdowns: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the perishables to mark down, per store, most value to spoil first.",
        discussion: """
            An item joins its store's mark-down list (an open PERISHABLE_OVERSTOCK alert) when its review \
            expects two cases or more, and half its stock, to spoil before they sell, and stays until none \
            is expected to; v_markdown_list holds the same.
            """)

    @OptionGroup var options: StoreLines

    func run() async throws {
        let (lines, reviews) = try await options.connection.withGold { job, _ in
            (try await job.markdowns(store: options.store, limit: options.limit), try await job.reviews())
        }
        _ = try options.storesShown(reviews)
        print(GoldText.markdowns(lines))
    }
}

struct Summary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print events by type, quarantined records by reason, duplicates and open alerts by kind.")

    @OptionGroup var connection: Connection

    func run() async throws {
        print(GoldText.summary(try await connection.withGold { job, _ in try await job.summary() }))
    }
}

struct Stock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stock counts from outside the stream.", subcommands: [StockImport.self])
}

struct StockImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Send the counts of a CSV file (store_id, product_id, quantity, counted_at) as stock_count events.",
        discussion: """
            Each row becomes a stock_count event on the stream, so the counts reach silver and gold like any \
            other event (run the pipeline afterwards). product_name and category columns are optional for \
            products gold already knows. Importing the same file twice adds nothing.
            """)

    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Check the file and print what would be sent, without sending.") var dryRun = false
    @OptionGroup var connection: Connection

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
        else {
            throw CommandFailure.usage("gold", "cannot read \(TerminalText.escaped(file)) as UTF-8 text")
        }
        let parsed = StockCountImport.parse(text)
        let (events, problems) = try await connection.withGold { job, _ in
            try await StockCountImport.events(parsed.rows, connection: job.connection)
        }
        let all = parsed.problems + problems
        guard all.isEmpty else {
            for problem in all.sorted(by: { $0.line < $1.line }) {
                FileHandle.standardError.write(Data("\(TerminalText.escaped(file)):\(problem)\n".utf8))
            }
            FileHandle.standardError.write(
                Data(
                    "gold: nothing sent: \(all.count) of the file's rows cannot be imported; fix them and import again\n"
                        .utf8))
            throw ExitCode(65)
        }
        let settings = try connection.settingsOption.load(program: "gold")
        if dryRun {
            print("\(events.count) counts would be sent to \(settings.kinesisStream) (--dry-run: nothing sent)")
            return
        }
        let kinesis = KinesisClient(
            configuration: try settings.awsClientConfiguration(.kinesis), logger: Logger(label: "gold"))
        try await StockCountImport.send(events, stream: settings.kinesisStream, kinesis: kinesis)
        print(
            "sent \(events.count) counts to \(settings.kinesisStream) as stock_count events; "
                + "they reach gold with the pipeline's next silver batch and gold refresh")
    }
}
