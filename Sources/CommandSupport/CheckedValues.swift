import ArgumentParser

/// Range checks for numeric flags, for `validate()`: a value that is not finite or out of range
/// is a `ValidationError` naming the flag (exit status 64), never a crash further on.
public enum CheckedValues {
    /// Checks that `value` (seconds) is finite and within `range`.
    public static func seconds(_ value: Double, _ flag: String, _ range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError(
                "\(flag) must be a number of seconds from \(text(range.lowerBound)) to \(text(range.upperBound)); got \(text(value))"
            )
        }
    }

    /// Checks that `value` is finite and within `range`.
    public static func number(_ value: Double, _ flag: String, _ range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError(
                "\(flag) must be a number from \(text(range.lowerBound)) to \(text(range.upperBound)); got \(text(value))"
            )
        }
    }

    /// Checks that `value` is within `range`.
    public static func count(_ value: Int, _ flag: String, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be from \(range.lowerBound) to \(range.upperBound); got \(value)")
        }
    }

    /// `value` seconds as a `Duration` (after ``seconds(_:_:_:)`` accepted it).
    public static func duration(_ value: Double) -> Duration { .milliseconds(Int((value * 1000).rounded())) }

    private static func text(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
