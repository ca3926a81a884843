// The silver transform's cleaning on one thread, for an instruction count that is repeatable
// on a noisy machine: generates --records bronze records (the simulator's, 2 % dirty) in
// objects of --per-object, then cleans each object with SilverBatch.cleaned (envelope, payload,
// rules, columns; no dedupe across objects, no Parquet). Run it under callgrind with
//   --toggle-collect='*SilverBatchV7cleaned*'
// so that only the cleaning is counted (`make bench-silver` does), and divide by the records.
//
// Usage: silver-instructions [--records N] [--per-object N]

import BenchmarkSupport
import Foundation
import LakehouseCore

let options = CommandOptions.parse(
    defaults: ["--records": "20000", "--per-object": "2000"],
    usage: "silver-instructions [--records N] [--per-object N]")
guard let records = Int(options["--records"]!), records > 0, let perObject = Int(options["--per-object"]!),
    perObject > 0
else { CommandOptions.fail("silver-instructions: needs --records > 0 and --per-object > 0") }

var simulator = StoreSimulator(
    configuration: SimulationConfiguration(stores: 20, products: 200, days: 365, seed: 42, dirtyRate: 0.02))
let objects = simulator.bronzeBatches(recordsPerObject: perObject, limit: records).map { ($0.key, $0.encoded()) }
var valid = 0
var quarantined = 0
for (key, body) in objects {
    let batch = SilverBatch.cleaned(objectKey: key, body: body)
    valid += batch.columns.count
    quarantined += batch.counts.quarantined
}
let bytes = objects.reduce(0) { $0 + $1.1.count }
print("silver-instructions: records=\(records) bytes=\(bytes) valid=\(valid) quarantined=\(quarantined)")
