#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Advice to Linux on how the reader's output arrays use memory: large, freshly reserved arrays
/// backed by transparent huge pages (``advise(_:byteCount:)``), and room reserved but never
/// written handed back (``release(_:byteCount:)``).
///
/// A read returns new arrays (about 140 MiB for 1M rows of the benchmark table). glibc's malloc
/// maps blocks that large afresh and hands them back to the kernel when freed, so every read
/// faults its output in again, 4 KiB at a time; on this project's machines that was about half of
/// a one-thread read. Where transparent huge pages are enabled for regions that ask
/// (`/sys/kernel/mm/transparent_hugepage/enabled` is `madvise` or `always`), the same memory
/// arrives 2 MiB per fault.
///
/// Only the whole 2 MiB pages inside a range of at least ``threshold`` bytes are advised, before
/// the array writes them: the advice changes how the range is faulted in, never what it holds.
/// It stays with the memory when the allocator reuses it (where glibc serves blocks this large
/// from its heap). Smaller ranges are left alone: a huge page that is only partly used is resident
/// all the same, which would weigh on the memory a row group's read holds. Elsewhere (other
/// systems, THP disabled) it does nothing.
enum PageAdvice {
    /// Ranges shorter than this are left alone.
    static let threshold = 4 << 20
    private static let hugePage = 2 << 20

    /// Advises the whole huge pages within `byteCount` bytes from `start`.
    static func advise(_ start: UnsafeMutableRawPointer?, byteCount: Int) {
        #if os(Linux)
            guard let start, byteCount >= threshold else { return }
            let first = (Int(bitPattern: start) + hugePage - 1) & ~(hugePage - 1)
            let end = (Int(bitPattern: start) + byteCount) & ~(hugePage - 1)
            guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
            _ = madvise(aligned, end - first, Int32(MADV_HUGEPAGE))
        #endif
    }

    /// Hands the whole pages of `byteCount` bytes from `start` back to the system: room an
    /// array reserved and never wrote, which would otherwise stay resident where the allocator
    /// reused memory that was written before. The pages read as zeros afterwards. Only ranges
    /// of at least 64 KiB are released; the range must lie inside one allocation and hold
    /// nothing that is read before it is written.
    static func release(_ start: UnsafeMutableRawPointer?, byteCount: Int) {
        #if os(Linux)
            guard let start, byteCount >= 64 << 10 else { return }
            let page = 4096
            let first = (Int(bitPattern: start) + page - 1) & ~(page - 1)
            let end = (Int(bitPattern: start) + byteCount) & ~(page - 1)
            guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
            _ = madvise(aligned, end - first, Int32(MADV_DONTNEED))
        #endif
    }
}
