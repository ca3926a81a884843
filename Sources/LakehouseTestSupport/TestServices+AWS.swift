import AWSLite

extension TestServices {
    /// An AWSLite configuration for moto: its endpoint, moto's usual test credentials.
    public var awsConfiguration: AWSClientConfiguration {
        AWSClientConfiguration(
            credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"), region: "us-east-1",
            endpoint: awsEndpoint)
    }
}
