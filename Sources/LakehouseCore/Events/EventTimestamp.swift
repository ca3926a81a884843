/// RFC 3339 timestamps of events, to and from microseconds since 1970-01-01 UTC.
public enum EventTimestamp {
    /// `micros` as `YYYY-MM-DDTHH:MM:SS.ffffff` in the time zone `offsetMinutes` east of UTC,
    /// ending with `Z` for UTC or `±HH:MM` otherwise.
    public static func format(micros: Int64, offsetMinutes: Int = 0) -> String {
        let local = micros + Int64(offsetMinutes) * 60_000_000
        let day = floorDivide(local, 86_400_000_000)
        let inDay = local - day * 86_400_000_000
        let (year, month, dayOfMonth) = civil(day)
        let seconds = inDay / 1_000_000
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))T"
        text +=
            "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(inDay % 1_000_000, 6))"
        if offsetMinutes == 0 { return text + "Z" }
        let magnitude = abs(offsetMinutes)
        return text + (offsetMinutes < 0 ? "-" : "+")
            + "\(pad(Int64(magnitude / 60), 2)):\(pad(Int64(magnitude % 60), 2))"
    }

    /// Microseconds since 1970 UTC of an RFC 3339 timestamp (`2026-01-01T08:30:00Z`,
    /// `2026-01-01 08:30:00.5+02:00`; `T` or a space; up to 9 fraction digits, truncated to
    /// microseconds; an offset is required). `nil` for anything else, or an impossible date.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// As ``parse(_:)``, on the text's UTF-8 bytes (no copy, nothing allocated).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var position = 0
        func number(_ width: Int) -> Int64? {
            guard position + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for index in position..<(position + width) {
                let digit = bytes[index] &- 48
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            position += width
            return value
        }
        func take(_ allowed: (UInt8) -> Bool) -> UInt8? {
            guard position < bytes.count, allowed(bytes[position]) else { return nil }
            position += 1
            return bytes[position - 1]
        }
        guard let year = number(4), take({ $0 == 45 }) != nil, let month = number(2), take({ $0 == 45 }) != nil,
            let day = number(2), take({ $0 == 84 || $0 == 116 || $0 == 32 }) != nil, let hour = number(2),
            take({ $0 == 58 }) != nil, let minute = number(2), take({ $0 == 58 }) != nil, let second = number(2)
        else { return nil }
        var micros: Int64 = 0
        if take({ $0 == 46 }) != nil {
            var digits = 0
            while position < bytes.count, bytes[position] &- 48 < 10 {
                if digits < 6 { micros = micros * 10 + Int64(bytes[position] - 48) }
                digits += 1
                position += 1
            }
            guard (1...9).contains(digits) else { return nil }
            if digits < 6 { for _ in digits..<6 { micros *= 10 } }
        }
        var offset: Int64 = 0
        if take({ $0 == 90 || $0 == 122 }) == nil {
            guard let sign = take({ $0 == 43 || $0 == 45 }), let hours = number(2), take({ $0 == 58 }) != nil,
                let minutes = number(2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * (sign == 45 ? -1 : 1)
        }
        guard position == bytes.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute - offset) * 60_000_000 + second * 1_000_000 + micros
    }

    /// The UTC offset of an RFC 3339 timestamp, in minutes east of UTC (0 for `Z`); `nil` when
    /// it has none.
    public static func offsetMinutes(of text: String) -> Int? {
        let bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "Z") || bytes.last == UInt8(ascii: "z") { return 0 }
        guard bytes.count >= 6, bytes[bytes.count - 3] == UInt8(ascii: ":"),
            bytes[bytes.count - 6] == UInt8(ascii: "+") || bytes[bytes.count - 6] == UInt8(ascii: "-"),
            let hours = Int(String(decoding: bytes[(bytes.count - 5)..<(bytes.count - 3)], as: UTF8.self)),
            let minutes = Int(String(decoding: bytes[(bytes.count - 2)...], as: UTF8.self))
        else { return nil }
        return (hours * 60 + minutes) * (bytes[bytes.count - 6] == UInt8(ascii: "-") ? -1 : 1)
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
