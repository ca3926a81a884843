import AWSLite
import Foundation
import LakehouseCore
import LakehouseTestSupport
import PGLite
import Testing

/// The `silver` executable killed with SIGKILL at each point of a batch (LAKEHOUSE_CRASH_AT),
/// rerun, and compared with a run that never crashed over the same bronze.
@Suite("Silver survives kill -9 at each point of a batch, exactly once")
struct SilverCrashTests {
    static var simulation: SimulationConfiguration {
        TestServices.fullScale
            ? SimulationConfiguration(stores: 4, products: 40, days: 4, seed: 11, dirtyRate: 0.02)
            : SimulationConfiguration(stores: 2, products: 15, days: 2, seed: 11, dirtyRate: 0.02)
    }

    @Test(
        "kill -9 after the Parquet files, after the Delta commit and inside the PostgreSQL transaction; reruns equal a run without crashes"
    )
    func crashAtEachPoint() async throws {
        let objects = SilverFixture.bronzeObjects(Self.simulation, perObject: TestServices.fullScale ? 400 : 60)
        try #require(objects.count >= 6, "the simulation gives \(objects.count) bronze objects")
        let reference = try await SilverFixture.make("silver-ref")
        let crashed = try await SilverFixture.make("silver-crash")
        try await reference.putBronze(objects)
        try await crashed.putBronze(objects)
        let arguments = ["--once", "--objects-per-batch", "2"]

        #expect(try await reference.runSilver(arguments) == 0)
        let expected = try await reference.state()
        #expect(expected.batches.count == (objects.count + 1) / 2)

        let points: [(SilverJob.FaultPoint, Int64)] = [
            (.afterDataFiles, 1), (.afterDeltaCommit, 2), (.insidePostgresTransaction, 3),
        ]
        for (point, batch) in points {
            let status = try await crashed.runSilver(
                arguments, environment: ["LAKEHOUSE_CRASH_AT": "\(point.rawValue):\(batch)"])
            #expect(status == 128 + SIGKILL, "silver should have been killed at \(point.rawValue) of batch \(batch)")
            // The crash left the batch half done, where the point says.
            #expect(try await crashed.batchCount() == batch - 1)
            let sales = try await crashed.log(SilverTable.root).snapshot()
            let committed = sales?.transactions["silver"] ?? 0
            switch point {
            case .afterDataFiles:
                #expect(committed == batch - 1)
                var files = 0
                for try await page in crashed.base.s3.listObjectsV2(
                    bucket: crashed.silverBucket, prefix: SilverTable.root)
                {
                    files += page.objects.count { $0.key.contains("part-\(batch)") }
                }
                #expect(files > 0, "the Parquet files of batch \(batch) should be on S3")
            case .afterDeltaCommit, .insidePostgresTransaction:
                #expect(committed == batch)
            }
        }
        #expect(try await crashed.runSilver(arguments) == 0)
        let recovered = try await crashed.state()
        #expect(recovered == expected, "after the crashes: \(recovered); without: \(expected)")
        #expect(recovered.silver == expected.silver)
        #expect(recovered.quarantine == expected.quarantine)
        #expect(recovered.batches == expected.batches)

        // delta-rs reads the same rows from both tables.
        let services = try TestServices.require()
        let left = try await DeltaRS.read(endpoint: services.awsEndpoint, uri: "s3://\(reference.silverBucket)/sales")
        let right = try await DeltaRS.read(endpoint: services.awsEndpoint, uri: "s3://\(crashed.silverBucket)/sales")
        let leftRows = (left["rows"] as? [[String: Any]]) ?? []
        let rightRows = (right["rows"] as? [[String: Any]]) ?? []
        #expect(leftRows.count == expected.silver.count)
        #expect(NSArray(array: leftRows).isEqual(to: rightRows))

        // Reprocessing the same bronze changes nothing.
        #expect(try await crashed.runSilver(arguments) == 0)
        #expect(try await crashed.state() == expected)

        try await reference.tearDown()
        try await crashed.tearDown()
    }
}
