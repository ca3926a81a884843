import Foundation

/// A small, fast, deterministic random source (xoshiro256**, seeded through splitmix64): the
/// same seed gives the same stream on every machine, which makes simulations reproducible.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `seed`; `stream` separates independent streams of one seed.
    package init(seed: UInt64, stream: UInt64 = 0) {
        var mix = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func next() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    package mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// A double in [0, 1).
    package mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A double in `range`.
    package mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// Whether an event of probability `probability` happens.
    package mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// An exponential variate of the given rate (mean 1 / rate).
    package mutating func exponential(rate: Double) -> Double { -Foundation.log(1 - unit()) / rate }

    /// A geometric count ≥ 0 with mean `mean`.
    package mutating func geometric(mean: Double) -> Int {
        let success = 1 / (1 + mean)
        var count = 0
        while !chance(success) && count < 1000 { count += 1 }
        return count
    }
}
