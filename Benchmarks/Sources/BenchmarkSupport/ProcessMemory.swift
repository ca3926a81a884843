import Foundation

/// This process's memory as Linux reports it in `/proc/self`.
public enum ProcessMemory {
    /// A field of `/proc/self/status` given in kB (`VmRSS`, `VmHWM`, …), in bytes; nil where
    /// the file or the field is missing. The value follows a tab or spaces after the colon.
    public static func statusBytes(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kibibytes = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({
                Int($0)
            })
        else { return nil }
        return kibibytes * 1024
    }

    /// Starts the kernel's record of the peak resident size (`VmHWM`) afresh (Linux 4.0 and
    /// later); false where it cannot.
    public static func resetResidentPeak() -> Bool {
        (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
    }
}
