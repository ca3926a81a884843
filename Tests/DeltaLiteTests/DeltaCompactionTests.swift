import Testing

@testable import DeltaLite

/// Which files compaction packs together, and tombstones leaving checkpoints.
@Suite struct DeltaCompactionTests {
    static func file(_ path: String, date: String?, size: Int64, time: Int64) -> DeltaAddFile {
        DeltaAddFile(
            path: path, partitionValues: date.map { ["event_date": $0] } ?? [:], size: size, modificationTime: time,
            dataChange: true, stats: nil)
    }

    static func snapshot(_ files: [DeltaAddFile]) -> DeltaSnapshot {
        DeltaSnapshot(
            version: 3, protocol: .supported,
            metadata: DeltaMetadata(id: "t", schemaString: "{}", partitionColumns: ["event_date"]),
            files: Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0) }), transactions: [:])
    }

    @Test("bins stay within a partition and the target size, oldest first; big files and lone files are left alone")
    func bins() {
        let files = [
            Self.file("a1", date: "2026-01-01", size: 40, time: 1),
            Self.file("a2", date: "2026-01-01", size: 40, time: 2),
            Self.file("a3", date: "2026-01-01", size: 40, time: 3),
            Self.file("a4", date: "2026-01-01", size: 500, time: 4),
            Self.file("b1", date: "2026-01-02", size: 10, time: 1),
            Self.file("c1", date: "2026-01-03", size: 10, time: 1),
            Self.file("c2", date: "2026-01-03", size: 10, time: 2),
        ]
        let bins = Self.snapshot(files).compactionBins(targetSize: 100)
        #expect(bins.map { $0.files.map(\.path) } == [["a1", "a2"], ["c1", "c2"]])
        #expect(bins[0].bytes == 80)
        #expect(bins[1].partitionValues == ["event_date": "2026-01-03"])
        // a3 is alone in its bin; b1 alone in its partition; a4 is big enough.
        let excluding = Self.snapshot(files).compactionBins(targetSize: 100) { $0.path != "a1" }
        #expect(excluding.map { $0.files.map(\.path) } == [["a2", "a3"], ["c1", "c2"]])
    }

    @Test("tombstones older than the retention leave the snapshot; newer ones stay")
    func tombstones() {
        var snapshot = Self.snapshot([])
        snapshot.tombstones = [
            "old": DeltaRemoveFile(path: "old", deletionTimestamp: 1_000, dataChange: false),
            "new": DeltaRemoveFile(path: "new", deletionTimestamp: 5_000, dataChange: false),
        ]
        snapshot.expireTombstones(before: 2_000)
        #expect(Array(snapshot.tombstones.keys) == ["new"])
    }

    @Test("durations in milliseconds; paths decoded")
    func times() {
        #expect(Duration.seconds(7 * 86_400).milliseconds == 604_800_000)
        #expect(DeltaLog.decodedPath("event_date%3D2026-01-01/a.parquet") == "event_date=2026-01-01/a.parquet")
    }
}
