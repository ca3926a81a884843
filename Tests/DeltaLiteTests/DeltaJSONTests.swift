import Foundation
import Testing

@testable import DeltaLite

/// The Delta log's JSON: sorted keys, and a value JSON cannot hold is a typed error, never an
/// empty line in the log.
@Suite struct DeltaJSONTests {
    @Test("a line has sorted keys; a non-finite number is an invalidLog error naming what was written")
    func encodes() throws {
        #expect(try DeltaJSON.line(["b": 1, "a": "x"], what: "an action") == #"{"a":"x","b":1}"#)
        let error = #expect(throws: DeltaError.self) {
            try DeltaJSON.line(["commitInfo": ["rate": Double.nan]], what: "a commitInfo action")
        }
        #expect(error?.code == .invalidLog)
        #expect(error?.message.contains("a commitInfo action") == true, "\(String(describing: error))")
    }
}
