import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

@Suite("LakehouseCore configuration against the running services")
struct ConfigurationServicesTests {
    @Test("the services' env file is a .env file that LakehouseCore loads and can connect with")
    func loadsServicesEnvFile() async throws {
        let services = try TestServices.require()
        let configuration = try LakehouseConfiguration.load(environment: [:], dotEnvPath: TestServices.envFilePath)
        #expect(configuration.aws.endpointURL == services.awsEndpoint)
        #expect(configuration.aws.region == "us-east-1")
        let connection = try await PGConnection.connect(
            configuration: .init(connectionString: configuration.database), logger: CapturedLogs().logger())
        #expect(try await connection.query("SELECT current_database()").rows[0][0] == "lakehouse")
        await connection.close()
    }
}
