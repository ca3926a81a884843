// Compares AWSLite with boto3/botocore in one run, alternating the two sides each round:
//   1. SigV4 signing throughput (signatures/s) of a GetRecords request, AWSLite vs botocore;
//   2. PutRecords requests/s (500 records of 200 B, one caller, sequential, keep-alive) against
//      a loopback endpoint that answers at once, AWSLite vs boto3.
// Ends with one `bench …` line per comparison; ratio = ours / peer (> 1: AWSLite is faster).
//
// Usage: aws-compare [--python PATH] [--rounds N] [--calls N] [--signatures N]

import AWSLite
import BenchmarkSupport
import Foundation
import Logging

let repository = CommandOptions.repository
let options = CommandOptions.parse(
    defaults: ["--python": CommandOptions.python, "--rounds": "7", "--calls": "200", "--signatures": "20000"],
    usage: "aws-compare [--python PATH] [--rounds N] [--calls N] [--signatures N]")
guard let rounds = Int(options["--rounds"]!), rounds >= 5, let calls = Int(options["--calls"]!), calls > 0,
    let signatures = Int(options["--signatures"]!), signatures > 0
else { CommandOptions.fail("aws-compare: --rounds must be ≥ 5; --calls and --signatures > 0") }

let peerScript = repository.appendingPathComponent("Benchmarks/peers/aws_peer.py").path
let peer = try PeerProcess(executable: options["--python"]!, arguments: [peerScript])
let versions = Dictionary(
    uniqueKeysWithValues: peer.greeting.split(separator: " ").dropFirst().compactMap { pair -> (String, String)? in
        let parts = pair.split(separator: "=", maxSplits: 1)
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    })

let endpoint = try InstantEndpoint(
    body: BenchmarkInputs.putRecordsResponse(), contentType: "application/x-amz-json-1.1")
let kinesis = KinesisClient(
    configuration: AWSClientConfiguration(
        credentials: BenchmarkInputs.credentials, region: "us-east-1", endpoint: endpoint.url),
    logger: Logger(label: "aws-compare", factory: { _ in SwiftLogNoOpLogHandler() }))
let records = BenchmarkInputs.records()
let signer = SigV4Signer(credentials: BenchmarkInputs.credentials, region: "us-east-1", service: "kinesis")
let signingRequest = BenchmarkInputs.signingRequest()

/// PutRecords calls per second, one caller.
func oursPut() async throws -> Double {
    for _ in 0..<3 { _ = try await kinesis.putRecords(stream: "bench", records: records) }
    let elapsed = try await Timing.timed {
        for _ in 0..<calls {
            let result = try await kinesis.putRecords(stream: "bench", records: records)
            guard result.failed.isEmpty, result.results.count == records.count else {
                throw PeerError(message: "AWSLite: the endpoint did not accept every record")
            }
        }
    }
    return Double(calls) / elapsed
}

/// Signatures per second.
func oursSign() throws -> Double {
    var last = signer.sign(signingRequest)
    for _ in 0..<100 { last = signer.sign(signingRequest) }
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<signatures { last = signer.sign(signingRequest) }
    let elapsed = Timing.seconds(clock.now - start)
    guard last.headers.contains(where: { $0.name == "Authorization" }) else {
        throw PeerError(message: "AWSLite did not sign")
    }
    return Double(signatures) / elapsed
}

@MainActor func peerValue(_ command: String) throws -> Double {
    let answer = try peer.ask(command)
    guard let value = Double(answer) else { throw PeerError(message: "the peer answered \"\(answer)\"") }
    return value
}

var signing = Comparison(name: "aws-sigv4-sign")
var putting = Comparison(name: "aws-kinesis-putrecords")
print("aws-compare: \(rounds) rounds; \(signatures) signatures and \(calls) PutRecords calls per side per round")
print("round  ours sig/s  botocore sig/s  ours req/s  boto3 req/s")
for round in 1...rounds {
    signing.record(
        try await Comparison.alternate(
            round: round, ours: { try oursSign() }, peer: { try peerValue("sign \(signatures)") }))
    putting.record(
        try await Comparison.alternate(
            round: round, ours: { try await oursPut() }, peer: { try peerValue("put \(endpoint.url) \(calls)") }))
    print(
        String(
            format: "%5d  %10.0f  %14.0f  %10.1f  %11.1f", round, signing.ours.last!, signing.peer.last!,
            putting.ours.last!, putting.peer.last!))
}
peer.finish()
endpoint.stop()

print(signing.summary(unit: "sig/s", digits: 0, peerName: "botocore-\(versions["botocore"] ?? "unknown")"))
print(
    putting.summary(
        unit: "req/s", digits: 1, peerName: "boto3-\(versions["boto3"] ?? "unknown")",
        extra: [
            ("records", String(BenchmarkInputs.recordsPerCall)), ("record_bytes", String(BenchmarkInputs.recordBytes)),
        ]))
