#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A signing time in UTC, as SigV4 formats it.
public struct AWSDate: Sendable, Hashable {
    /// `YYYYMMDD'T'HHMMSS'Z'`, for `X-Amz-Date`.
    public let timestamp: String
    /// `YYYYMMDD`, for the credential scope.
    public var day: String { String(timestamp.prefix(8)) }

    /// The time `secondsSince1970` seconds after 1970-01-01T00:00:00Z.
    public init(secondsSince1970: Int) {
        var time = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        timestamp =
            "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// Parses `YYYYMMDD'T'HHMMSS'Z'`; `nil` for anything else.
    public init?(timestamp: String) {
        let bytes = Array(timestamp.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z"),
            bytes.enumerated().allSatisfy({ $0.offset == 8 || $0.offset == 15 || (48...57).contains($0.element) })
        else { return nil }
        self.timestamp = timestamp
    }

    /// The current time.
    public static var now: AWSDate {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return AWSDate(secondsSince1970: Int(now.tv_sec))
    }
}
