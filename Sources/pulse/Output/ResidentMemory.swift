import Foundation

/// The process's resident memory, from `/proc/self/status` (Linux).
enum ResidentMemory {
    /// Current resident set (`VmRSS`) and its peak so far (`VmHWM`), in bytes; `nil` where `/proc` is absent.
    static func current() -> (bytes: Int, peakBytes: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        guard let rss = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (rss, peak)
    }
}
