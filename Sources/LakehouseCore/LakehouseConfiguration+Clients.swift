import AWSLite
import Foundation
import Logging
import PGLite

extension LakehouseConfiguration {
    /// The AWSLite configuration for `service`: this configuration's endpoint, region, profile
    /// and explicit credentials first, then AWSLite's chain (environment, shared files) for what
    /// it leaves open.
    ///
    /// - Throws: ``AWSError`` with ``AWSError/Code/invalidConfiguration`` when no credentials or
    ///   region can be found.
    public func awsClientConfiguration(
        _ service: AWSClientConfiguration.Service,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AWSClientConfiguration {
        var credentials: AWSCredentials?
        if let key = aws.accessKeyID, let secret = aws.secretAccessKey {
            credentials = AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: aws.sessionToken)
        }
        return try AWSClientConfiguration.resolve(
            service: service, credentials: credentials, region: aws.region, endpoint: aws.endpointURL,
            profile: aws.profile, environment: environment)
    }

    /// A connection to the pipeline's database.
    ///
    /// - Throws: ``PGError`` when it cannot connect.
    public func connectDatabase(applicationName: String, logger: Logger) async throws -> PGConnection {
        try await PGConnection.connect(
            configuration: .init(connectionString: database, applicationName: applicationName), logger: logger)
    }
}
