import Testing

@testable import AWSLite

/// A listing's `LastModified` as milliseconds, parsed without a date formatter (VACUUM reads one
/// per data file).
@Suite struct S3ObjectTimeTests {
    static func summary(_ lastModified: String) -> S3ObjectSummary {
        S3ObjectSummary(key: "k", size: 1, eTag: "\"e\"", lastModified: lastModified)
    }

    @Test("with and without fractions; before 1970 and leap days; anything else is nil")
    func parses() {
        #expect(Self.summary("2026-01-01T00:00:01.250Z").lastModifiedMilliseconds == 1_767_225_601_250)
        #expect(Self.summary("2026-01-01T00:00:01Z").lastModifiedMilliseconds == 1_767_225_601_000)
        #expect(Self.summary("2026-01-01T00:00:01.5Z").lastModifiedMilliseconds == 1_767_225_601_500)
        #expect(Self.summary("2026-01-01T00:00:01.123456Z").lastModifiedMilliseconds == 1_767_225_601_123)
        #expect(Self.summary("2024-02-29T12:00:00.000Z").lastModifiedMilliseconds == 1_709_208_000_000)
        #expect(Self.summary("1969-12-31T23:59:59.000Z").lastModifiedMilliseconds == -1000)
        for bad in [
            "yesterday", "2026-01-01 00:00:01Z", "2026-13-01T00:00:01Z", "2026-01-01T00:00:01.Z",
            "2026-01-01T00:00:01", "",
        ] {
            #expect(Self.summary(bad).lastModifiedMilliseconds == nil, "\(bad)")
        }
    }
}
