import Foundation

/// The one way the Delta log writes JSON: Foundation's serializer with sorted keys, its errors
/// raised rather than swallowed.
enum DeltaJSON {
    /// `object` as one line of JSON.
    ///
    /// - Throws: ``DeltaError`` ``DeltaError/Code/invalidLog``, naming `what`, when `object` holds a value
    ///   JSON cannot (a non-finite number, a type Foundation does not bridge).
    static func line(_ object: [String: Any], what: String) throws -> String {
        guard JSONSerialization.isValidJSONObject(object) else {
            throw DeltaError(code: .invalidLog, message: "\(what) holds a value JSON cannot encode: \(object)")
        }
        do {
            return String(
                decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        } catch {
            throw DeltaError(code: .invalidLog, message: "\(what) could not be encoded as JSON: \(error)")
        }
    }
}
