#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Hands memory the process has freed, and the allocator still holds, back to the system.
///
/// A row group's values are large arrays that the caller frees before asking for the next row
/// group. glibc's malloc keeps much of such memory resident for reuse: once a block it mapped is
/// freed it serves blocks up to that size from its heaps, which it trims only at their top,
/// and each thread that decoded keeps an arena of its own. Streaming a 10M-row file (8 MiB row
/// groups, about 70 MiB of values each), the peak resident size grew by 84–101 MiB without this
/// and by 66–86 MiB with it. `malloc_trim(0)` (glibc 2.8 and later) returns every free page of
/// every arena.
///
/// It is looked up at run time, so elsewhere (musl, other systems) this does nothing.
enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32

    /// glibc's `malloc_trim`, where the C library has one.
    private static let trim: Trim? = {
        #if os(Linux)
            // A null handle is RTLD_DEFAULT: every object the process has loaded.
            return dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
        #else
            return nil
        #endif
    }()

    /// Returns the process's free heap pages to the system. It takes about 6 ms after a row
    /// group's values were freed, and the next allocations fault their pages in afresh.
    static func release() {
        _ = trim?(0)
    }
}
