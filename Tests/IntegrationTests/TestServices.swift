import AWSLite
import LakehouseCore
import LakehouseTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The addresses of the services that `make services` starts, from the environment
/// (`LAKEHOUSE_TEST_DATABASE_URL`, `LAKEHOUSE_TEST_AWS_ENDPOINT`) or else from `.services/env`.
/// A test that needs them fails, never skips, when they are absent.
struct TestServices {
    let databaseURL: String
    let awsEndpoint: String
    let values: [String: String]

    /// The repository's root.
    static let repositoryRoot = RepositoryPaths.root

    static let envFilePath = repositoryRoot + "/.services/env"

    static func require() throws -> TestServices {
        let environment = ProcessEnvironment.current
        let file = (try? DotEnvFile.load(path: envFilePath))?.values ?? [:]
        let values = file.merging(environment) { _, fromEnvironment in fromEnvironment }
        let databaseURL = try #require(
            values["LAKEHOUSE_TEST_DATABASE_URL"],
            "LAKEHOUSE_TEST_DATABASE_URL is not set and \(envFilePath) is missing: run `make services` first")
        let awsEndpoint = try #require(
            values["LAKEHOUSE_TEST_AWS_ENDPOINT"],
            "LAKEHOUSE_TEST_AWS_ENDPOINT is not set and \(envFilePath) is missing: run `make services` first")
        return TestServices(databaseURL: databaseURL, awsEndpoint: awsEndpoint, values: values)
    }
}

/// The process environment as a dictionary, without Foundation.
enum ProcessEnvironment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }
}

extension TestServices {
    /// Whether scale tests run at full size (`make test-full` sets `LAKEHOUSE_TEST_SCALE=full`);
    /// `make test` runs them smaller, still crossing every boundary they test.
    static var fullScale: Bool { ProcessEnvironment.current["LAKEHOUSE_TEST_SCALE"] == "full" }

    /// An AWSLite configuration for moto: its endpoint, moto's usual test credentials.
    var awsConfiguration: AWSClientConfiguration {
        AWSClientConfiguration(
            credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"), region: "us-east-1",
            endpoint: awsEndpoint)
    }
}
