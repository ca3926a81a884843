import CLibPQ

/// Parameters in libpq's text format: each value's UTF-8 text followed by a NUL, in one buffer,
/// with its type OID; `nil` is a null pointer (SQL NULL).
struct PGEncodedParameters: Sendable {
    private let buffer: [UInt8]
    private let offsets: [Int?]
    private let types: [Oid]

    var count: Int { offsets.count }

    init(_ parameters: [(any PGEncodable)?]) {
        var buffer: [UInt8] = []
        var offsets: [Int?] = []
        var types: [Oid] = []
        offsets.reserveCapacity(parameters.count)
        types.reserveCapacity(parameters.count)
        for parameter in parameters {
            guard let parameter else {
                offsets.append(nil)
                types.append(0)
                continue
            }
            offsets.append(buffer.count)
            parameter.appendPGText(to: &buffer)
            buffer.append(0)
            types.append(type(of: parameter).pgDataType.rawValue)
        }
        self.buffer = buffer
        self.offsets = offsets
        self.types = types
    }

    /// Calls `body` with the type array and the value pointer array, valid for the call.
    func withPointers<R>(
        _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?) throws -> R
    ) rethrows -> R {
        try buffer.withUnsafeBufferPointer { bytes in
            let base = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in offset.flatMap { base?.advanced(by: $0) } }
            return try types.withUnsafeBufferPointer { typePointer in
                try pointers.withUnsafeBufferPointer { valuePointer in
                    try body(typePointer.baseAddress, valuePointer.baseAddress)
                }
            }
        }
    }
}

/// A statement prepared by name; ``PGConnection/query(_:_:)-(PGPreparedStatement,_)`` runs it,
/// preparing it on a connection that has not seen it yet.
public struct PGPreparedStatement: Sendable, Hashable {
    /// The statement's SQL.
    public let sql: String
    /// The name it was prepared under on the connection that made it.
    public let name: String
}
