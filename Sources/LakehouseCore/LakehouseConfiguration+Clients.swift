import AWSLite
import Foundation
import Logging
import PGLite

extension LakehouseConfiguration {
    /// The AWSLite configuration for `service`: the service's own endpoint variable
    /// (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_KINESIS`), then this configuration's endpoint,
    /// region, profile and explicit credentials, then AWSLite's chain (environment, shared files)
    /// for what it leaves open.
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
        // A service's own endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_KINESIS) wins over the
        // general one, as in the AWS SDKs.
        let own = environment["AWS_ENDPOINT_URL_\(service.endpointID)"].flatMap { $0.isEmpty ? nil : $0 }
        var configuration = try AWSClientConfiguration.resolve(
            service: service, credentials: credentials, region: aws.region, endpoint: own ?? aws.endpointURL,
            profile: aws.profile, environment: environment)
        configuration.http.connectTimeout = aws.connectTimeout
        configuration.http.stallTimeout = aws.stallTimeout
        configuration.http.requestTimeout = aws.timeout
        configuration.retry.maximumElapsed = aws.timeout
        return configuration
    }

    /// A connection to the pipeline's database.
    ///
    /// - Throws: ``PGError`` when it cannot connect.
    public func connectDatabase(applicationName: String, logger: Logger) async throws -> PGConnection {
        do {
            return try await PGConnection.connect(
                configuration: .init(connectionString: database, applicationName: applicationName), logger: logger)
        } catch var error as PGError where error.code == .connectionFailed {
            error.message += "; check DATABASE_URL (or POSTGRES_*) and that the server runs"
            throw error
        }
    }
}
