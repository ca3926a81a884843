import Foundation

/// One side-by-side comparison of our library and a peer: both measured in every round, with the
/// side that goes first alternating (ours in odd rounds), and the medians compared.
public struct Comparison: Sendable {
    /// The comparison's name in its `bench` line (`aws-kinesis-putrecords`).
    public let name: String
    /// Our measurements, one per round.
    public private(set) var ours: [Double] = []
    /// The peer's measurements, one per round.
    public private(set) var peer: [Double] = []

    /// Creates an empty comparison.
    public init(name: String) { self.name = name }

    /// Measures both sides once; rounds 1, 3, 5… measure ours first, the others the peer first,
    /// so that neither side always runs on a warmer (or busier) machine.
    public static func alternate(
        round number: Int, ours measureOurs: () async throws -> Double,
        peer measurePeer: () async throws -> Double, isolation: isolated (any Actor)? = #isolation
    ) async rethrows -> (ours: Double, peer: Double) {
        if number % 2 == 1 {
            let ours = try await measureOurs()
            return (ours, try await measurePeer())
        }
        let peer = try await measurePeer()
        return (try await measureOurs(), peer)
    }

    /// Adds one round's measurements.
    public mutating func record(_ measurement: (ours: Double, peer: Double)) {
        ours.append(measurement.ours)
        peer.append(measurement.peer)
    }

    /// The summary line DEVELOPERS.md defines, for throughputs (higher is better):
    /// `bench <name> ratio=<ours/peer> ours=<median><unit> peer=<median><unit> peer_name=<peer> [key=value…]`.
    ///
    /// - Parameters:
    ///   - toThroughput: turns a measurement into the reported throughput (identity by default;
    ///     `{ rows / $0 }` for measurements in seconds).
    public func summary(
        unit: String, digits: Int, peerName: String, extra: [(String, String)] = [],
        toThroughput: (Double) -> Double = { $0 }
    ) -> String {
        let ourRate = toThroughput(Statistics.median(ours))
        let peerRate = toThroughput(Statistics.median(peer))
        var line =
            "bench \(name) ratio=\(Self.fixed(ourRate / peerRate, 2)) ours=\(Self.fixed(ourRate, digits))\(unit) "
            + "peer=\(Self.fixed(peerRate, digits))\(unit) peer_name=\(peerName)"
        for (key, value) in extra + [("rounds", String(ours.count))] { line += " \(key)=\(value)" }
        return line
    }

    /// `value` with `digits` decimals.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}

/// Wall-clock timing for the comparisons.
public enum Timing {
    /// `duration` in seconds.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The seconds `body` takes.
    public static func timed(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Void
    ) async rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        return seconds(clock.now - start)
    }
}
