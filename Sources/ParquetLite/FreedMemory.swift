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
/// (four runs) and by 57–86 MiB with it (six runs). `malloc_trim(0)` (glibc 2.8 and later) returns every free page of
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

    /// Whether this C library has `malloc_trim` (glibc), so that ``release()`` does something.
    static var isAvailable: Bool { trim != nil }

    /// Returns the process's free heap pages to the system. It locks and walks every arena of
    /// the process in turn, so other threads' allocations may wait on it; after a row group of
    /// the benchmark table it took a few milliseconds here. The next allocations fault their
    /// pages in afresh.
    static func release() {
        _ = trim?(0)
    }
}
