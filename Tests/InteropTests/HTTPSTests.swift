import AWSLite
import Foundation
import LakehouseTestSupport
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// HTTPS against local servers: TLS verification (a self-signed `openssl s_server`) and proxies
/// from the environment. The tests change `HTTPS_PROXY`/`NO_PROXY`, which only https:// requests
/// read; they run one at a time, and no other suite sends https:// requests over the network.
@Suite("HTTPS: TLS verification and proxies", .serialized)
struct HTTPSTests {
    /// Runs `body` with the variables set, restoring the previous values afterwards.
    func withEnvironment(_ values: [String: String], _ body: () async throws -> Void) async rethrows {
        let previous = values.keys.map { ($0, getenv($0).map { String(cString: $0) }) }
        for (name, value) in values { setenv(name, value, 1) }
        defer {
            for (name, value) in previous {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        try await body()
    }

    @Test("an https request goes through HTTPS_PROXY with CONNECT, unless NO_PROXY names the host")
    func httpsProxy() async throws {
        let proxy = try FaultServer(script: [.respond(status: 403, headers: [], body: "no tunnels here")])
        let target = try LoopbackSockets.closedPort()
        let client = HTTPClient(
            configuration: .init(connectTimeout: .seconds(2), requestTimeout: .seconds(5)),
            logger: Logger(label: "proxy-test"))
        let request = HTTPRequest(method: "GET", url: "https://127.0.0.1:\(target)/bucket/key")

        await withEnvironment(["HTTPS_PROXY": proxy.endpoint, "NO_PROXY": ""]) {
            await #expect(throws: AWSError.self) { try await client.execute(request) }
        }
        #expect(proxy.requests.first?.line == "CONNECT 127.0.0.1:\(target) HTTP/1.1")

        await withEnvironment(["HTTPS_PROXY": proxy.endpoint, "NO_PROXY": "127.0.0.1"]) {
            let error = await #expect(throws: AWSError.self) { try await client.execute(request) }
            #expect(error?.code == .networkFailure, "a direct connection to a closed port is refused")
        }
        #expect(proxy.requests.count == 1, "NO_PROXY kept the second request away from the proxy")
    }

    @Test("a self-signed certificate is refused by default and accepted only with verifyTLS off")
    func selfSigned() async throws {
        // Whatever proxy the machine is set up with, this loopback server is reached directly.
        try await withEnvironment(["NO_PROXY": "127.0.0.1"]) { try await selfSignedServer() }
    }

    func selfSignedServer() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "awslite-tls-\(UInt64.random(in: 0 ... .max))"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try await ChildProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out",
                directory + "/cert.pem",
            ])
        #expect(made == 0, "openssl req made the certificate")

        let port = try LoopbackSockets.closedPort()
        let server = try ChildProcess(
            executable: "/usr/bin/openssl",
            arguments: [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", directory + "/cert.pem", "-key",
                directory + "/key.pem", "-www", "-quiet",
            ])
        let url = "https://127.0.0.1:\(port)/"
        let lenient = HTTPClient(
            configuration: .init(connectTimeout: .seconds(2), requestTimeout: .seconds(5), verifyTLS: false),
            logger: Logger(label: "tls"))
        // The server answers once openssl has started.
        var answered: HTTPResponse?
        try await eventually("openssl s_server answers on \(url)", timeout: .seconds(30), poll: .milliseconds(50)) {
            answered = try? await lenient.execute(HTTPRequest(method: "GET", url: url))
            return answered != nil
        }
        #expect(answered?.status == 200, "with verification off the self-signed server answers")

        let strict = HTTPClient(
            configuration: .init(connectTimeout: .seconds(2), requestTimeout: .seconds(5)), logger: Logger(label: "tls")
        )
        #expect(strict.configuration.verifyTLS, "verification is on by default")
        let error = await #expect(throws: AWSError.self) {
            try await strict.execute(HTTPRequest(method: "GET", url: url))
        }
        #expect(error?.code == .tlsVerificationFailed, "\(String(describing: error))")
        #expect(error?.message.contains("verifyTLS") == true)
        #expect(RetryPolicy().isRetryable(error!) == false, "a certificate problem is not retried")
        #expect(await server.stop())
    }
}
