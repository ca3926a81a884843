import AWSLite
import Logging
import Testing

@Suite("S3 addressing")
struct S3AddressingTests {
    func client(endpoint: String?) -> S3Client {
        S3Client(
            configuration: AWSClientConfiguration(
                credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "s"), region: "eu-west-1",
                endpoint: endpoint),
            logger: Logger(label: "s3-addressing"))
    }

    @Test("virtual-hosted style only for amazonaws.com hosts and DNS-compatible names; path style otherwise")
    func urlStyles() {
        let aws = client(endpoint: nil)
        #expect(
            aws.objectURL(bucket: "sales-bronze", key: "a b/c.json")
                == "https://sales-bronze.s3.eu-west-1.amazonaws.com/a%20b/c.json")
        #expect(aws.objectURL(bucket: "sales.bronze", key: "k") == "https://s3.eu-west-1.amazonaws.com/sales.bronze/k")
        #expect(aws.objectURL(bucket: "Sales_Bronze", key: "k") == "https://s3.eu-west-1.amazonaws.com/Sales_Bronze/k")
        let regional = client(endpoint: "https://s3.eu-west-1.amazonaws.com")
        #expect(
            regional.objectURL(bucket: "sales-bronze", key: "k") == "https://sales-bronze.s3.eu-west-1.amazonaws.com/k")
        let local = client(endpoint: "http://127.0.0.1:5000")
        #expect(local.objectURL(bucket: "sales-bronze", key: "k") == "http://127.0.0.1:5000/sales-bronze/k")
    }
}
