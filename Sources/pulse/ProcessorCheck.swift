import Foundation

/// The instruction-set extensions the engine's kernels were compiled for (`Package.swift`: `-target-cpu haswell`
/// on x86-64). Checked before anything runs, so that an older processor gets a message instead of an illegal
/// instruction.
enum ProcessorCheck {
    /// The extensions this x86-64 processor lacks, from the `flags` line of `/proc/cpuinfo`; empty elsewhere or
    /// when the file cannot be read (the check then stays out of the way).
    static func missingExtensions(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> [String] {
        #if arch(x86_64)
        guard let cpuinfo, let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
        return ["avx2", "fma"].filter { !flags.contains($0) }
        #else
        return []
        #endif
    }
}
