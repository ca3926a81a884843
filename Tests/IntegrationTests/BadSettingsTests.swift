import Foundation
import LakehouseCore
import LakehouseTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The example executables run with bad flags and settings, as a user with a typo would: none
/// crashes or hangs, each says what is wrong and names the flag or setting, and none prints a
/// secret it was given.
///
/// Serialized: the cases launch a process each, and dozens of launches at once beside the
/// pipeline suites stalled a 2-core machine for over a minute; one at a time, each takes well
/// under a second.
@Suite("Bad settings fail fast and clearly, and never print a secret", .serialized)
struct BadSettingsTests {
    /// Secrets the cases hand over; none may appear in any output.
    static let secrets = ["Sup3rS3cretPGpw", "AwsS3cretKeyXYZ", "EndpointPw123", "SessTok999"]

    struct Case: Sendable, CustomTestStringConvertible {
        var program: String
        var arguments: [String]
        var environment: [String: String] = [:]
        /// The exit status expected; `nil`: any failure (not 0, not a crash).
        var status: Int32? = 64
        /// Text the output must hold (the flag or setting named).
        var mentions: String
        var testDescription: String { "\(program) \(arguments.joined(separator: " ")) \(environment)" }
    }

    static let secretEnvironment = [
        "AWS_SECRET_ACCESS_KEY": "AwsS3cretKeyXYZ", "AWS_SESSION_TOKEN": "SessTok999",
        "POSTGRES_PASSWORD": "Sup3rS3cretPGpw",
    ]

    static let flags: [Case] = [
        .init(program: "lakehouse", arguments: ["run", "--flush-seconds", "1e308"], mentions: "--flush-seconds"),
        .init(program: "lakehouse", arguments: ["run", "--poll-seconds", "inf"], mentions: "--poll-seconds"),
        .init(program: "lakehouse", arguments: ["run", "--failover-seconds", "1e308"], mentions: "--failover-seconds"),
        .init(program: "lakehouse", arguments: ["run", "--failover-seconds", "nan"], mentions: "--failover-seconds"),
        .init(program: "lakehouse", arguments: ["run", "--failover-seconds", "0.5"], mentions: "--failover-seconds"),
        .init(program: "lakehouse", arguments: ["run", "--flush-seconds", "-1"], mentions: "--flush-seconds"),
        .init(program: "lakehouse", arguments: ["run", "--objects-per-batch", "0"], mentions: "--objects-per-batch"),
        .init(program: "lakehouse", arguments: ["run", "--worker", ""], mentions: "--worker"),
        .init(program: "lakehouse", arguments: ["run", "--bogus"], mentions: "--bogus"),
        .init(program: "lakehouse", arguments: ["demo", "--live", "--every", "inf"], mentions: "--every"),
        .init(program: "lakehouse", arguments: ["demo", "--live", "--rate", "nan"], mentions: "--rate"),
        .init(program: "lakehouse", arguments: ["demo", "--live", "--rate", "0"], mentions: "--rate"),
        .init(program: "lakehouse", arguments: ["demo", "--live", "--shards", "0"], mentions: "--shards"),
        .init(program: "lakehouse", arguments: ["demo", "--live", "--stores", "-1"], mentions: "--stores"),
        .init(program: "lakehouse", arguments: ["status", "--runs", "0"], mentions: "--runs"),
        .init(
            program: "lakehouse", arguments: ["backfill", "--from", "2026-13-01", "--to", "2026-01-02"],
            mentions: "2026-13-01"),
        .init(
            program: "lakehouse", arguments: ["backfill", "--from", "2026-01-03", "--to", "2026-01-02"],
            mentions: "--to"),
        .init(program: "ingest", arguments: ["--flush-seconds", "inf"], mentions: "--flush-seconds"),
        .init(program: "ingest", arguments: ["--flush-seconds", "abc"], mentions: "--flush-seconds"),
        .init(program: "ingest", arguments: ["--flush-records", "0"], mentions: "--flush-records"),
        .init(program: "ingest", arguments: ["--flush-records", "99999999"], mentions: "--flush-records"),
        .init(program: "ingest", arguments: ["--flush-mib", "0"], mentions: "--flush-mib"),
        .init(program: "silver", arguments: ["--poll-seconds", "nan"], mentions: "--poll-seconds"),
        .init(program: "silver", arguments: ["--objects-per-batch", "-3"], mentions: "--objects-per-batch"),
        .init(program: "gold", arguments: ["refresh", "--every", "inf"], mentions: "--every"),
        .init(program: "gold", arguments: ["refresh", "--every", "0"], mentions: "--every"),
        .init(program: "gold", arguments: ["alerts", "--limit", "0"], mentions: "--limit"),
        .init(program: "producer", arguments: ["--dirty-rate", "0.9"], mentions: "--dirty-rate"),
        .init(program: "producer", arguments: ["--dirty-rate", "nan"], mentions: "--dirty-rate"),
        .init(program: "producer", arguments: ["--rate", "inf"], mentions: "--rate"),
        .init(program: "producer", arguments: ["--seconds", "-3"], mentions: "--seconds"),
        .init(program: "producer", arguments: ["--days", "0"], mentions: "--days"),
        .init(program: "producer", arguments: ["--stores", "0"], mentions: "--stores"),
        .init(program: "producer", arguments: ["--truth", ""], mentions: "--truth"),
        .init(program: "provision", arguments: ["apply", "--shards", "0"], mentions: "--shards"),
        .init(program: "provision", arguments: ["plan", "--shards", "-1"], mentions: "--shards"),
        .init(program: "provision", arguments: ["plan", "--shards", "100000"], mentions: "--shards"),
    ]

    static let envFiles: [Case] = [
        .init(program: "ingest", arguments: ["--env-file", "/nonexistent/.env"], mentions: "/nonexistent/.env"),
        .init(program: "lakehouse", arguments: ["status", "--env-file", "missing.env"], mentions: "missing.env"),
        .init(program: "gold", arguments: ["summary", "--env-file", "nowhere/.env"], mentions: "nowhere/.env"),
    ]

    /// Settings from the environment, each with the secrets beside it; `status` as given.
    static let settings: [Case] = {
        var cases: [Case] = []
        func add(_ program: String, _ arguments: [String], _ name: String, _ value: String, status: Int32? = 64) {
            var environment = secretEnvironment
            environment[name] = value
            cases.append(
                Case(program: program, arguments: arguments, environment: environment, status: status, mentions: name))
        }
        for url in [
            "postgres//postgres:Sup3rS3cretPGpw@@@:::/", "postgresql://u:Sup3r%ZZS3cretPGpw@h/db",
            "postgresql://u:Sup3rS3cretPGpw@[::1/db", "host=h password='Sup3rS3cretPGpw",
            "mysql://root:Sup3rS3cretPGpw@h/db", "", "   ",
        ] {
            add("lakehouse", ["status"], "DATABASE_URL", url)
        }
        // libpq parses these and refuses them when connecting: an ordinary failure, no secret.
        add("gold", ["summary"], "DATABASE_URL", "postgresql://u:Sup3rS3cretPGpw@127.0.0.1:99999/db", status: nil)
        add("gold", ["summary"], "DATABASE_URL", "postgresql://u:Sup3rS3cretPGpw@127.0.0.1:1/db", status: nil)
        for (name, value) in [
            ("POSTGRES_PORT", "abc"), ("POSTGRES_PORT", "70000"), ("POSTGRES_HOST", ""), ("KINESIS_STREAM", ""),
            ("KINESIS_STREAM", "bad name!"), ("KINESIS_STREAM", "a\nb"), ("S3_BUCKET_BRONZE", ""),
            ("S3_BUCKET_BRONZE", "UPPER"), ("S3_BUCKET_SILVER", "a\r\nX-Injected: yes"), ("S3_BUCKET_GOLD", "ab"),
            ("AWS_ENDPOINT_URL", "http://user:EndpointPw123@127.0.0.1:1"), ("AWS_ENDPOINT_URL", "ftp://host"),
            ("AWS_ENDPOINT_URL", "http://AKIA:EndpointPw123/x@127.0.0.1:1"),
            ("AWS_ENDPOINT_URL", "user:EndpointPw123@127.0.0.1:9000"),
            ("AWS_ENDPOINT_URL", "http://host\r\nX-Injected: yes"), ("AWS_ENDPOINT_URL", "http://"),
            ("AWS_REGION", "us-east-1\r\nX-Injected: yes"), ("AWS_REGION", "US East"),
            ("AWS_DEFAULT_REGION", "eu west"), ("LAKEHOUSE_AWS_TIMEOUT", "inf"), ("LAKEHOUSE_AWS_TIMEOUT", "0"),
            ("LAKEHOUSE_AWS_CONNECT_TIMEOUT", "nan"), ("LAKEHOUSE_AWS_STALL_TIMEOUT", "-1"),
        ] {
            for (program, arguments) in [("ingest", []), ("provision", ["plan"]), ("lakehouse", ["run"])] {
                add(program, arguments, name, value)
            }
        }
        // The per-service endpoint is read when the client is made: a failure, never the password.
        add("provision", ["plan"], "AWS_ENDPOINT_URL_S3", "http://u:EndpointPw123@127.0.0.1:1", status: nil)
        cases[cases.count - 1].mentions = "endpoint"
        return cases
    }()

    static var executables: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    }

    /// Runs `program` with `arguments` (no `.env` unless the case names one) and `environment`.
    static func run(_ program: String, _ arguments: [String], _ environment: [String: String], timeout: Duration)
        async throws -> (status: Int32, output: String, seconds: Double)
    {
        var arguments = arguments.contains("--env-file") ? arguments : arguments + ["--env-file", ""]
        // The test's own DATABASE_URL would win over POSTGRES_* settings: leave it out for those.
        var executable = "\(executables)/\(program)"
        if environment.keys.contains(where: { $0.hasPrefix("POSTGRES_") && $0 != "POSTGRES_PASSWORD" }) {
            arguments = ["-u", "DATABASE_URL", executable] + arguments
            executable = "/usr/bin/env"
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await ChildProcess.output(executable, arguments, timeout: timeout, environment: environment)
        let took = (clock.now - start).components
        return (result.status, result.output + result.errors, Double(took.seconds) + Double(took.attoseconds) / 1e18)
    }

    static func expectNoSecret(_ output: String, _ what: String) {
        for secret in secrets { #expect(!output.contains(secret), "\(what) printed \(secret): \(output.prefix(500))") }
        // No raw control characters besides line breaks and tabs: bad values are shown escaped.
        #expect(
            !output.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" },
            "\(what) printed a control character")
    }

    @Test(
        "every bad flag, env file and setting: exit 64 (or a plain failure), the name in the message, no secret",
        arguments: flags + envFiles + settings)
    func badSetting(_ bad: Case) async throws {
        let result = try await Self.run(bad.program, bad.arguments, bad.environment, timeout: .seconds(300))
        if let status = bad.status {
            #expect(result.status == status, "\(result.output.prefix(800))")
        } else {
            #expect(result.status != 0 && result.status < 128, "status \(result.status): \(result.output.prefix(800))")
        }
        #expect(result.output.contains(bad.mentions), "\(result.output.prefix(800))")
        #expect(!result.output.contains("Fatal error"), "\(result.output.prefix(800))")
        Self.expectNoSecret(result.output, bad.testDescription)
    }

    @Test("a .env file whose quoting is broken: exit 64 naming the file and line, not a character of the value")
    func brokenDotEnv() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("env")).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "KINESIS_STREAM=s\nPOSTGRES_PASSWORD=\"pa\"Sup3rS3cretPGpw\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        for program in ["ingest", "gold", "lakehouse"] {
            let arguments = program == "lakehouse" ? ["status"] : program == "gold" ? ["summary"] : []
            let result = try await Self.run(program, arguments + ["--env-file", path], [:], timeout: .seconds(300))
            #expect(result.status == 64, "\(result.output)")
            #expect(result.output.contains("line 2"), "\(result.output)")
            Self.expectNoSecret(result.output, program)
        }
    }

    @Test("the cases cover about 75 kinds")
    func coverage() {
        #expect(Self.flags.count + Self.envFiles.count + Self.settings.count >= 75)
    }

    /// An endpoint that accepts connections and never answers.
    static func silentEndpoint(accepted: Tally? = nil) throws -> LoopbackAcceptor {
        try LoopbackAcceptor { connection in
            accepted?.add()
            var byte: UInt8 = 0
            while recv(connection, &byte, 1, 0) > 0 {}
            close(connection)
        }
    }

    @Test(
        "an endpoint that accepts connections and never answers: provision plan and ingest fail within the configured time"
    )
    func unresponsiveEndpoint() async throws {
        let silent = try Self.silentEndpoint()
        defer { silent.stop() }
        let fixture = try await IngestFixture.make("silent-endpoint", shards: 1)
        var environment = fixture.environment.merging(Self.secretEnvironment) { $1 }
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(silent.port)"
        environment["LAKEHOUSE_AWS_TIMEOUT"] = "3"
        environment["LAKEHOUSE_AWS_STALL_TIMEOUT"] = "1"
        let truth = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("truth") + ".json").path
        defer { try? FileManager.default.removeItem(atPath: truth) }
        for (program, arguments) in [
            ("provision", ["plan"]), ("ingest", []), ("producer", ["--days", "1", "--truth", truth]),
        ] {
            let result = try await Self.run(program, arguments, environment, timeout: .seconds(300))
            #expect(result.status != 0 && result.status < 128, "\(program): \(result.output.prefix(800))")
            #expect(result.seconds < 12, "\(program) took \(result.seconds) s with a 3 s limit")
            #expect(result.output.contains("timed out"), "\(program): \(result.output.prefix(800))")
            Self.expectNoSecret(result.output, program)
        }
        try await fixture.tearDown(keys: [])
    }

    @Test("SIGTERM while a request hangs: ingest and producer stop promptly; a second signal stops at once")
    func sigtermDuringHungRequest() async throws {
        let accepted = Tally()
        let silent = try Self.silentEndpoint(accepted: accepted)
        defer { silent.stop() }
        let fixture = try await IngestFixture.make("silent-sigterm", shards: 1)
        // Kinesis hangs; ingest first lists shards, the producer puts records.
        var environment = fixture.environment
        environment["AWS_ENDPOINT_URL_KINESIS"] = "http://127.0.0.1:\(silent.port)"
        environment["LAKEHOUSE_AWS_TIMEOUT"] = "600"
        environment["LAKEHOUSE_AWS_STALL_TIMEOUT"] = "600"
        let clock = ContinuousClock()
        let truth = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("truth") + ".json").path
        defer { try? FileManager.default.removeItem(atPath: truth) }
        // The producer abandons the hung call at the first signal.
        let producer = try ChildProcess(
            executable: "\(Self.executables)/producer",
            arguments: ["--days", "1", "--env-file", "", "--truth", truth],
            environment: environment)
        try await eventually("the producer's call reaches the silent endpoint") { accepted.count >= 1 }
        let first = clock.now
        producer.send(signal: SIGTERM)
        let producerStatus = await producer.waitForExit(timeout: .seconds(20))
        #expect(producerStatus != nil, "the producer did not stop")
        // Promptly: against the 600 s its call would otherwise hang. It takes about a second
        // alone; the bound leaves room for a loaded machine (5.1 s was seen beside other tests),
        // where this task is also scheduled late.
        #expect(clock.now - first < .seconds(15), "the producer took \(clock.now - first) to stop")
        // Ingest's listing is not abandoned, but a second signal ends the process at once.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("ingest") + ".out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let before = accepted.count
        let ingest = try ChildProcess(
            executable: "\(Self.executables)/ingest", arguments: ["--env-file", ""], environment: environment,
            outputPath: output)
        try await eventually("ingest's listing reaches the silent endpoint") { accepted.count > before }
        ingest.send(signal: SIGTERM)
        try await eventually("ingest says it is stopping") {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("ingest: stopping")
        }
        let second = clock.now
        ingest.send(signal: SIGTERM)
        let ingestStatus = await ingest.waitForExit(timeout: .seconds(20))
        #expect(ingestStatus == 128 + SIGTERM)
        #expect(clock.now - second < .seconds(3), "ingest took \(clock.now - second) after the second signal")
        try await fixture.tearDown(keys: [])
    }
}

extension BadSettingsTests {
    @Test("SIGTERM while lakehouse run's first call hangs: it says it is draining; a second signal stops it at once")
    func lakehouseSecondSignal() async throws {
        let accepted = Tally()
        let silent = try Self.silentEndpoint(accepted: accepted)
        defer { silent.stop() }
        let fixture = try await IngestFixture.make("silent-lakehouse", shards: 1)
        var environment = fixture.environment
        environment["AWS_ENDPOINT_URL_KINESIS"] = "http://127.0.0.1:\(silent.port)"
        environment["LAKEHOUSE_AWS_TIMEOUT"] = "600"
        environment["LAKEHOUSE_AWS_STALL_TIMEOUT"] = "600"
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("run") + ".out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try ChildProcess(
            executable: "\(Self.executables)/lakehouse", arguments: ["run", "--env-file", ""],
            environment: environment, outputPath: output)
        // The shard listing at the start of the run hangs on the silent endpoint.
        try await eventually("lakehouse run's listing reaches the silent endpoint") { accepted.count >= 1 }
        run.send(signal: SIGTERM)
        try await eventually("lakehouse says it is draining") {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("lakehouse: draining")
        }
        run.send(signal: SIGTERM)
        let status = await run.waitForExit(timeout: .seconds(20))
        #expect(status == 128 + SIGTERM, "a second signal ends the run at once")
        try await fixture.tearDown(keys: [])
    }
}
