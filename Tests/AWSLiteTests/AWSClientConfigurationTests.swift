import AWSLite
import Foundation
import Testing

/// A temporary home with `.aws/credentials` and `.aws/config`, removed by the test.
struct TemporaryAWSHome {
    let path = NSTemporaryDirectory() + "/aws-home-\(UUID().uuidString)"

    init(credentials: String? = nil, config: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        if let credentials {
            try credentials.write(toFile: path + "/.aws/credentials", atomically: true, encoding: .utf8)
        }
        if let config { try config.write(toFile: path + "/.aws/config", atomically: true, encoding: .utf8) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Credential chain and configuration")
struct AWSClientConfigurationTests {
    static let credentialsFile = """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret

        [etl]
        aws_access_key_id=AKIDETL
        aws_secret_access_key=etl-secret
        aws_session_token=etl-token
        """
    static let configFile = """
        [default]
        region = eu-west-1
        # a comment
        [profile etl]
        region = ap-southeast-2
        endpoint_url = http://127.0.0.1:4566
        s3 =
          addressing_style = path
        [sso-session corp]
        region = us-west-2
        """

    @Test("explicit values beat the environment, which beats the shared files")
    func precedence() throws {
        let home = try TemporaryAWSHome(credentials: Self.credentialsFile, config: Self.configFile)
        defer { home.remove() }
        let environment = [
            "HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret",
            "AWS_REGION": "us-east-2",
        ]
        let explicit = try AWSClientConfiguration.resolve(
            service: .s3, credentials: AWSCredentials(accessKeyID: "AKIDEXPLICIT", secretAccessKey: "x"),
            region: "sa-east-1", environment: environment)
        #expect(explicit.credentials.accessKeyID == "AKIDEXPLICIT")
        #expect(explicit.region == "sa-east-1")

        let fromEnvironment = try AWSClientConfiguration.resolve(service: .s3, environment: environment)
        #expect(fromEnvironment.credentials.accessKeyID == "AKIDENV")
        #expect(fromEnvironment.region == "us-east-2")

        let fromFiles = try AWSClientConfiguration.resolve(service: .s3, environment: ["HOME": home.path])
        #expect(fromFiles.credentials.accessKeyID == "AKIDDEFAULT")
        #expect(fromFiles.credentials.sessionToken == nil)
        #expect(fromFiles.region == "eu-west-1")
        #expect(fromFiles.endpoint == nil)
    }

    @Test("AWS_PROFILE selects a profile: credentials, token, region and endpoint from it")
    func namedProfile() throws {
        let home = try TemporaryAWSHome(credentials: Self.credentialsFile, config: Self.configFile)
        defer { home.remove() }
        let configuration = try AWSClientConfiguration.resolve(
            service: .kinesis, environment: ["HOME": home.path, "AWS_PROFILE": "etl"])
        #expect(
            configuration.credentials
                == AWSCredentials(accessKeyID: "AKIDETL", secretAccessKey: "etl-secret", sessionToken: "etl-token"))
        #expect(configuration.region == "ap-southeast-2")
        #expect(configuration.endpoint == "http://127.0.0.1:4566")
    }

    @Test("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files")
    func fileLocations() throws {
        let home = try TemporaryAWSHome()
        defer { home.remove() }
        try Self.credentialsFile.write(toFile: home.path + "/creds", atomically: true, encoding: .utf8)
        try Self.configFile.write(toFile: home.path + "/conf", atomically: true, encoding: .utf8)
        let configuration = try AWSClientConfiguration.resolve(
            service: .s3,
            environment: [
                "HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": home.path + "/creds",
                "AWS_CONFIG_FILE": home.path + "/conf",
            ])
        #expect(configuration.credentials.accessKeyID == "AKIDDEFAULT")
        #expect(configuration.region == "eu-west-1")
    }

    @Test("AWS_REGION beats AWS_DEFAULT_REGION; per-service endpoints beat AWS_ENDPOINT_URL")
    func regionAndEndpoints() throws {
        let environment = [
            "HOME": "/nonexistent", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B", "AWS_REGION": "eu-north-1",
            "AWS_DEFAULT_REGION": "us-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000/",
            "AWS_ENDPOINT_URL_KINESIS": "http://127.0.0.1:4567",
        ]
        let s3 = try AWSClientConfiguration.resolve(service: .s3, environment: environment)
        #expect(s3.region == "eu-north-1")
        #expect(s3.endpoint == "http://127.0.0.1:5000")
        let kinesis = try AWSClientConfiguration.resolve(service: .kinesis, environment: environment)
        #expect(kinesis.endpoint == "http://127.0.0.1:4567")
        var fallback = environment
        fallback["AWS_REGION"] = nil
        #expect(try AWSClientConfiguration.resolve(service: .s3, environment: fallback).region == "us-west-1")
    }

    @Test("missing credentials or region are errors naming where they looked")
    func missing() throws {
        let home = try TemporaryAWSHome()
        defer { home.remove() }
        let noCredentials = try #require(throws: AWSError.self) {
            try AWSClientConfiguration.resolve(
                service: .s3, environment: ["HOME": home.path, "AWS_REGION": "us-east-1"])
        }
        #expect(noCredentials.code == .invalidConfiguration)
        for place in ["AWS_ACCESS_KEY_ID", "\(home.path)/.aws/credentials", "\(home.path)/.aws/config", "[default]"] {
            #expect(noCredentials.message.contains(place), "\(noCredentials.message) should name \(place)")
        }
        let noRegion = try #require(throws: AWSError.self) {
            try AWSClientConfiguration.resolve(
                service: .s3, environment: ["HOME": home.path, "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B"])
        }
        #expect(noRegion.message.contains("AWS_REGION") && noRegion.message.contains("AWS_DEFAULT_REGION"))
        let noProfile = try #require(throws: AWSError.self) {
            try AWSClientConfiguration.resolve(service: .s3, environment: ["HOME": home.path, "AWS_PROFILE": "ghost"])
        }
        #expect(noProfile.message.contains("\"ghost\""))
    }

    @Test("S3 addressing: path style for custom endpoints, virtual-hosted on AWS for DNS-compatible names")
    func addressing() async throws {
        let credentials = AWSCredentials(accessKeyID: "A", secretAccessKey: "B")
        let aws = S3Client(
            configuration: .init(credentials: credentials, region: "eu-west-1"), logger: .init(label: "t"))
        #expect(
            aws.objectURL(bucket: "my-bucket", key: "a b/c") == "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c")
        #expect(
            aws.objectURL(bucket: "my.dotted.bucket", key: "k")
                == "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k")
        let local = S3Client(
            configuration: .init(credentials: credentials, region: "us-east-1", endpoint: "http://127.0.0.1:5000"),
            logger: .init(label: "t"))
        #expect(local.objectURL(bucket: "my-bucket", key: "k") == "http://127.0.0.1:5000/my-bucket/k")
    }
}
