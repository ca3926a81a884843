import Foundation

/// Conversions between `Date` and PostgreSQL's ISO text form of `timestamptz`, at microsecond
/// precision, for any year the server accepts (years before 1 are written with ` BC`).
enum PGTimestamp {
    /// Microseconds from 1970-01-01 to 2000-01-01, where PostgreSQL's binary times count from.
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    /// Microseconds since 1970-01-01 00:00:00 UTC, rounded to the nearest microsecond.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00`.
    static func text(_ date: Date) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(32)
        append(date, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DD HH:MM:SS.ffffff+00` (with ` BC` for years before 1).
    static func append(_ date: Date, to output: inout [UInt8]) {
        let micros = microseconds(date)
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let displayYear = year > 0 ? year : 1 - year
        if displayYear > 9999 {
            appendDecimal(displayYear, to: &output)
        } else {
            appendFixed(displayYear, width: 4, to: &output)
        }
        let seconds = rest / 1_000_000
        // "-MM-DD HH:MM:SS.ffffff+00", written into fixed positions.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 25) { field in
            func two(_ value: Int64, at offset: Int) {
                field[offset] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10)
                field[offset + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
            }
            field[0] = UInt8(ascii: "-")
            two(month, at: 1)
            field[3] = UInt8(ascii: "-")
            two(day, at: 4)
            field[6] = UInt8(ascii: " ")
            two(seconds / 3600, at: 7)
            field[9] = UInt8(ascii: ":")
            two(seconds / 60 % 60, at: 10)
            field[12] = UInt8(ascii: ":")
            two(seconds % 60, at: 13)
            field[15] = UInt8(ascii: ".")
            var fraction = rest % 1_000_000
            for offset in stride(from: 21, through: 16, by: -1) {
                field[offset] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction % 10)
                fraction /= 10
            }
            field[22] = UInt8(ascii: "+")
            field[23] = UInt8(ascii: "0")
            field[24] = UInt8(ascii: "0")
            output.append(contentsOf: UnsafeBufferPointer(field))
        }
        if year <= 0 { output.append(contentsOf: " BC".utf8) }
    }

    /// Appends `value` (0...9999) as exactly `width` digits.
    private static func appendFixed(_ value: Int64, width: Int, to output: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            output.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
    }

    /// Parses the ISO output of `timestamptz` (`2026-01-31 23:59:59.5+05:30`, ` BC` suffix),
    /// `timestamp` (no offset: taken as UTC) and `date`; `infinity` and `-infinity` become
    /// `Date.distantFuture` and `Date.distantPast`.
    static func parse(_ text: String) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        var bytes = Array(text.utf8)
        var bc = false
        if bytes.count > 3, bytes.suffix(3).elementsEqual(" BC".utf8) {
            bc = true
            bytes.removeLast(3)
        }
        var index = 0
        func number(_ minimum: Int, _ maximum: Int) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while index < bytes.count, count < maximum, (48...57).contains(bytes[index]) {
                value = value * 10 + Int64(bytes[index] - 48)
                index += 1
                count += 1
            }
            return count >= minimum ? value : nil
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { return false }
            index += 1
            return true
        }
        guard var year = number(4, 9), expect("-"), let month = number(2, 2), expect("-"),
            let day = number(2, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        if bc { year = 1 - year }
        var micros: Int64 = 0
        if index < bytes.count {
            guard expect(" ") || expect("T"), let hour = number(2, 2), expect(":"), let minute = number(2, 2),
                expect(":"), let second = number(2, 2), hour < 25, minute < 60, second < 61
            else { return nil }
            micros = ((hour * 60 + minute) * 60 + second) * 1_000_000
            if expect(".") {
                let start = index
                guard var fraction = number(1, 6) else { return nil }
                for _ in (index - start)..<6 { fraction *= 10 }
                micros += fraction
            }
            if index < bytes.count {
                let sign: Int64
                if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else { return nil }
                guard let offsetHours = number(2, 2) else { return nil }
                var offset = offsetHours * 3600
                if expect(":") {
                    guard let offsetMinutes = number(2, 2) else { return nil }
                    offset += offsetMinutes * 60
                    if expect(":") {
                        guard let offsetSeconds = number(2, 2) else { return nil }
                        offset += offsetSeconds
                    }
                }
                micros -= sign * offset * 1_000_000
            }
            guard index == bytes.count else { return nil }
        }
        return date(micros: days(fromCivil: year, month, day) * 86_400_000_000 + micros)
    }

    /// The `Date` of `micros` microseconds since 1970-01-01 00:00:00 UTC.
    static func date(micros total: Int64) -> Date {
        Date(timeIntervalSince1970: Double(total / 1_000_000) + Double(total % 1_000_000) / 1_000_000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
