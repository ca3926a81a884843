import AWSLite
import LakehouseCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Writes `text` to a fresh temporary `.env` file and returns its path; the caller deletes it.
private func temporaryDotEnv(_ text: String) throws -> String {
    let path = "/tmp/lakehouse-config-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).env"
    let file = try #require(fopen(path, "w"))
    fputs(text, file)
    fclose(file)
    return path
}

@Suite("Configuration")
struct LakehouseConfigurationTests {
    @Test("defaults apply when nothing is set")
    func defaults() throws {
        let configuration = try LakehouseConfiguration.load(environment: [:], dotEnvPath: nil)
        #expect(configuration.buckets.bronze == "lakehouse-bronze")
        #expect(configuration.buckets.silver == "lakehouse-silver")
        #expect(configuration.buckets.gold == "lakehouse-gold")
        #expect(configuration.kinesisStream == "lakehouse-sales")
        #expect(configuration.aws.endpointURL == nil)
        #expect(configuration.aws.region == nil)
        #expect(configuration.database.settings["host"] == "127.0.0.1")
        #expect(configuration.database.settings["port"] == "5432")
        #expect(configuration.database.settings["user"] == "postgres")
    }

    @Test("flags beat the environment, which beats the .env file")
    func precedence() throws {
        let path = try temporaryDotEnv(
            "S3_BUCKET_BRONZE=from-file\nS3_BUCKET_SILVER=from-file\nS3_BUCKET_GOLD=from-file\nUNRELATED=x\n")
        defer { unlink(path) }
        let configuration = try LakehouseConfiguration.load(
            environment: ["S3_BUCKET_SILVER": "from-env", "S3_BUCKET_GOLD": "from-env"],
            dotEnvPath: path,
            overrides: ["S3_BUCKET_GOLD": "from-flag"])
        #expect(configuration.buckets.bronze == "from-file")
        #expect(configuration.buckets.silver == "from-env")
        #expect(configuration.buckets.gold == "from-flag")
    }

    @Test("AWS_REGION wins over AWS_DEFAULT_REGION; empty values count as unset")
    func region() throws {
        let both = try LakehouseConfiguration.load(
            environment: ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"], dotEnvPath: nil)
        #expect(both.aws.region == "eu-west-1")
        let fallback = try LakehouseConfiguration.load(
            environment: ["AWS_REGION": "", "AWS_DEFAULT_REGION": "us-east-2"], dotEnvPath: nil)
        #expect(fallback.aws.region == "us-east-2")
    }

    @Test("POSTGRES_* settings build a URL, percent-encoding what needs it")
    func postgresSettings() throws {
        let configuration = try LakehouseConfiguration.load(
            environment: [
                "POSTGRES_HOST": "db.internal", "POSTGRES_PORT": "6432", "POSTGRES_USER": "etl user",
                "POSTGRES_PASSWORD": "p@ss:w/rd#1", "POSTGRES_DB": "sales",
            ],
            dotEnvPath: nil)
        let settings = configuration.database.settings
        #expect(settings["host"] == "db.internal")
        #expect(settings["port"] == "6432")
        #expect(settings["user"] == "etl user")
        #expect(settings["dbname"] == "sales")
        #expect(configuration.database.hasPassword)
    }

    @Test("DATABASE_URL wins over POSTGRES_*")
    func databaseURL() throws {
        let configuration = try LakehouseConfiguration.load(
            environment: ["DATABASE_URL": "postgres://a@h1:1111/d1", "POSTGRES_HOST": "h2"], dotEnvPath: nil)
        #expect(configuration.database.settings["host"] == "h1")
        #expect(configuration.database.settings["port"] == "1111")
    }

    @Test("the description never shows a secret")
    func redaction() throws {
        let configuration = try LakehouseConfiguration.load(
            environment: [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG",
                "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLETOKEN", "DATABASE_URL": "postgres://u:dbpassword42@h/d",
            ],
            dotEnvPath: nil)
        let text = configuration.description
        #expect(text.contains("AKIDEXAMPLE"))
        for secret in ["wJalrXUtnFEMI", "FwoGZXIvYXdzEXAMPLETOKEN", "dbpassword42"] {
            #expect(!text.contains(secret), "description shows \(secret)")
        }
        #expect(text.contains("AWS_SECRET_ACCESS_KEY=***"))
    }

    @Test(
        "invalid values are errors naming the variable and where it came from",
        arguments: [
            ("S3_BUCKET_BRONZE", "Bad_Bucket"), ("S3_BUCKET_GOLD", "-edge"), ("S3_BUCKET_SILVER", "ab"),
            ("KINESIS_STREAM", "has space"), ("POSTGRES_PORT", "99999"), ("POSTGRES_PORT", "abc"),
            ("AWS_ENDPOINT_URL", "127.0.0.1:4566"), ("DATABASE_URL", "postgres://[broken"),
        ])
    func invalidValues(name: String, value: String) throws {
        let path = try temporaryDotEnv("# settings\n\(name)=\(value)\n")
        defer { unlink(path) }
        let error = try #require(throws: LakehouseError.self) {
            try LakehouseConfiguration.load(environment: [:], dotEnvPath: path)
        }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.hasPrefix(name), "\(error.message)")
        #expect(error.message.contains("\(path) line 2"), "\(error.message)")
    }

    @Test("an override that is not a setting is an error listing the settings")
    func unknownOverride() throws {
        let error = try #require(throws: LakehouseError.self) {
            try LakehouseConfiguration.load(environment: [:], dotEnvPath: nil, overrides: ["S3_BUCKET": "x"])
        }
        #expect(error.message.contains("S3_BUCKET_BRONZE"))
    }

    @Test("a service's own endpoint variable wins over AWS_ENDPOINT_URL, as in the AWS SDKs")
    func serviceEndpoints() throws {
        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_KINESIS": "http://127.0.0.1:4567",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1",
        ]
        let configuration = try LakehouseConfiguration.load(environment: environment, dotEnvPath: nil)
        let kinesis = try configuration.awsClientConfiguration(.kinesis, environment: environment)
        let s3 = try configuration.awsClientConfiguration(.s3, environment: environment)
        #expect(kinesis.endpoint == "http://127.0.0.1:4567")
        #expect(s3.endpoint == "http://127.0.0.1:4566")
        #expect(s3.region == "eu-west-1")
    }
}
