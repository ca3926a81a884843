extension S3ObjectSummary {
    /// ``lastModified`` in milliseconds since 1970, or `nil` when S3 sent something other than
    /// `YYYY-MM-DDTHH:MM:SS[.fff]Z` (what S3 and its emulators send in listings).
    public var lastModifiedMilliseconds: Int64? { Self.milliseconds(iso8601: lastModified) }

    /// `text` (`2026-12-07T04:30:00.000Z`, fractions optional, UTC) in milliseconds since 1970.
    static func milliseconds(iso8601 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int64(bytes[index] - 48)
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        guard separators.allSatisfy({ bytes[$0.0] == $0.1.asciiValue }),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var millis: Int64 = 0
        if bytes.count > 20 {
            // `.` and 1 to 9 digits of a second; milliseconds kept.
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21, let fraction = number(20..<(bytes.count - 1))
            else { return nil }
            let digits = bytes.count - 21
            millis = digits >= 3 ? fraction / Int64(pow10(digits - 3)) : fraction * Int64(pow10(3 - digits))
        } else if bytes[19] != UInt8(ascii: "Z") {
            return nil
        }
        // Days from 1970-01-01 of the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
    }

    private static func pow10(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}
