#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Calls `body` with a NULL-terminated array of C strings that live for the duration of the call,
/// as libpq's keyword and value arrays want.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R
{
    try withOptionalCStringArray(strings + [nil]) { try body($0) }
}

/// Calls `body` with an array of C strings in which `nil` stays a null pointer (SQL NULL for
/// libpq parameters). The strings live for the duration of the call.
func withOptionalCStringArray<R>(
    _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R
) rethrows -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return try pointers.withUnsafeBufferPointer { buffer in
        // An empty buffer may have no base address; libpq then reads nothing from it.
        try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: 1) { empty in
            empty.initialize(repeating: nil)
            return try body(buffer.baseAddress ?? UnsafePointer(empty.baseAddress!))
        }
    }
}
