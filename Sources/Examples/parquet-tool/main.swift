// Inspects Parquet files with ParquetLite: the schema, the footer's metadata, and the rows as
// JSON lines (the representation of the parquet-testing conformance files).
//
//   parquet-tool schema FILE
//   parquet-tool meta FILE
//   parquet-tool cat FILE [--columns a,b] [--limit N]
//
// A corrupt file makes it exit with status 1 and the error on standard error.
import ArgumentParser
import ParquetLite

#if canImport(Glibc)
    import Glibc
#endif

@main
struct ParquetTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet-tool", abstract: "Inspect Parquet files with ParquetLite.",
        subcommands: [Schema.self, Meta.self, Cat.self])
}

/// `text` with control characters other than line breaks shown as `\u{1B}`: what a file holds
/// must not drive the terminal.
func terminalSafe(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        if scalar != "\n", scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
            out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// Runs `body`, turning a ParquetError into the message on standard error and exit status 1.
func reporting(_ path: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ParquetError {
        let message = Array("parquet-tool: \(terminalSafe(path)): \(terminalSafe("\(error)"))\n".utf8)
        _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        throw ExitCode.failure
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the schema as Parquet's message text.")

    @Argument(help: "The Parquet file.") var file: String

    func run() throws {
        try reporting(file) {
            let reader = try ParquetReader(path: file)
            // Column names come from the file: control characters are shown, not sent.
            print(terminalSafe(reader.metadata.schemaMessage), terminator: "")
        }
    }
}

struct Meta: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Print the footer as JSON: rows, row groups, and per column chunk its type, codec, encodings, sizes and statistics."
    )

    @Argument(help: "The Parquet file.") var file: String

    func run() throws {
        try reporting(file) {
            let reader = try ParquetReader(path: file)
            print(reader.metadata.json)
        }
    }
}

struct Cat: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print rows as JSON objects, one per line.")

    @Argument(help: "The Parquet file.") var file: String
    @Option(help: "Comma-separated top-level columns to print (all by default).") var columns: String?
    @Option(help: "Print at most this many rows.") var limit: Int?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func run() throws {
        try reporting(file) {
            let reader = try ParquetReader(path: file)
            let selected = columns.map { $0.split(separator: ",").map { String($0) } }
            var remaining = limit ?? Int.max
            var batches = reader.rowGroupBatches(columns: selected)
            while remaining > 0, let (_, batch) = try batches.next() {
                for row in batch.rows.prefix(remaining) { print(row.json) }
                remaining -= min(remaining, batch.rowCount)
            }
        }
    }
}
