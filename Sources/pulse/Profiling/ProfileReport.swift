import Foundation
import PulseGraph
import PulseHardware

/// Text and JSON of a `Profile`.
enum ProfileReport {
    /// The per-layer and per-kernel tables, totals and memory, as text.
    static func text(_ profile: Profile, subject: String, microseconds: Double) -> String {
        let target = profile.target
        var lines = [
            "\(subject) on \(target.name): \(target.device), \(target.core) at \(format(target.clockHz.value / 1e6, 0)) MHz, "
                + "\(target.dataType.rawValue), batch \(profile.batch), \(profile.threads) thread\(profile.threads == 1 ? "" : "s")",
            "latencies are a model of \(target.name), not a measurement (\(modelName(target)))",
            "",
            pad("layer", 24) + pad("kernels", 8) + pad("MACs", 12) + pad("params", 10) + pad("latency ms", 12) + energyHeader(profile)
                + pad("live KB", 9) + pad("share", 7) + pad("rank", 6),
        ]
        let marked = Set(profile.leastEfficientLayers().map(\.layer))
        for layer in profile.layers {
            let name = (marked.contains(layer.layer) ? "* " : "  ") + layer.layer
            lines.append(pad(String(name.prefix(23)), 24) + pad("\(layer.kernels.count)", 8) + pad("\(layer.multiplyAccumulates)", 12)
                + pad("\(layer.parameterValues)", 10) + pad(format(layer.seconds * 1e3, 4), 12) + energy(profile, layer.seconds)
                + pad(format(Double(layer.liveBytes) / 1024, 1), 9) + pad(format(layer.share * 100, 1) + "%", 7) + pad("\(layer.rank)", 6))
        }
        lines.append(pad("total", 24) + pad("\(profile.kernels.count)", 8) + pad("\(profile.multiplyAccumulates)", 12)
            + pad("\(profile.parameterValues)", 10) + pad(format(profile.seconds * 1e3, 4), 12) + energy(profile, profile.seconds))
        lines.append("* least efficient layers (most latency per MAC among those over 5 % of the latency)")
        lines.append("")
        lines.append(pad("kernel", 7) + "  " + pad("layer", 22) + pad("kind", 20) + pad("MACs", 12) + pad("cycles", 14) + pad("latency ms", 12)
            + pad("share", 7) + pad("rank", 6))
        for kernel in profile.kernels where kernel.cost.seconds > 0 {
            lines.append(pad("\(kernel.index)", 7) + "  " + pad(String(kernel.layer.prefix(21)), 22) + pad(kernel.kind.rawValue, 20)
                + pad("\(kernel.multiplyAccumulates)", 12) + pad(format(kernel.cost.cycles, 0), 14) + pad(format(kernel.cost.seconds * 1e3, 4), 12)
                + pad(format(kernel.share * 100, 1) + "%", 7) + pad("\(kernel.rank)", 6))
        }
        lines.append("")
        for report in profile.memory {
            lines.append("memory \(report.dataType.rawValue): arena \(report.arenaBytes) B (peak live \(report.peakLiveBytes) B), "
                + "parameters \(report.parameterBytes) B, scratch \(report.scratchBytes) B: "
                + (report.fits ? "fits \(target.name)" : "does not fit \(target.name): " + report.overLimits.joined(separator: "; ")))
        }
        lines.append("costing took \(format(microseconds, 1)) µs per graph (kernel plan, memory plan and costs)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The profile as a JSON-ready dictionary.
    static func json(_ profile: Profile, subject: String, microseconds: Double) -> [String: Any] {
        let target = profile.target
        let marked = Set(profile.leastEfficientLayers().map(\.layer))
        return [
            "subject": subject,
            "target": ["name": target.name, "device": target.device, "core": target.core, "clock_hz": target.clockHz.value,
                       "data_type": target.dataType.rawValue, "cost_model": modelName(target)] as [String: Any],
            "batch": profile.batch, "threads": profile.threads, "modelled": true,
            "seconds": profile.seconds, "cycles": profile.cycles, "joules": profile.joules as Any,
            "multiply_accumulates": profile.multiplyAccumulates, "parameters": profile.parameterValues,
            "fits": profile.targetMemory.fits, "over_limits": profile.targetMemory.overLimits,
            "microseconds_per_graph": microseconds,
            "layers": profile.layers.map { layer in
                ["layer": layer.layer, "kernels": layer.kernels, "multiply_accumulates": layer.multiplyAccumulates,
                 "parameters": layer.parameterValues, "seconds": layer.seconds, "cycles": layer.cycles, "joules": profile.joules(layer.seconds) as Any,
                 "live_bytes": layer.liveBytes, "share": layer.share, "rank": layer.rank, "least_efficient": marked.contains(layer.layer)] as [String: Any]
            },
            "kernels": profile.kernels.map { kernel in
                ["index": kernel.index, "layer": kernel.layer, "kind": kernel.kind.rawValue, "multiply_accumulates": kernel.multiplyAccumulates,
                 "parameters": kernel.parameterValues, "seconds": kernel.cost.seconds, "cycles": kernel.cost.cycles,
                 "joules": profile.joules(kernel.cost.seconds) as Any, "live_bytes": kernel.liveBytes, "share": kernel.share, "rank": kernel.rank] as [String: Any]
            },
            "memory": profile.memory.map { report in
                ["data_type": report.dataType.rawValue, "arena_bytes": report.arenaBytes, "peak_live_bytes": report.peakLiveBytes,
                 "parameter_bytes": report.parameterBytes, "scratch_bytes": report.scratchBytes, "fits": report.fits,
                 "over_limits": report.overLimits] as [String: Any]
            },
        ]
    }

    /// One line per target: latency, energy, memory and whether the model fits.
    static func summary(_ profiles: [Profile], subject: String) -> String {
        var lines = ["\(subject) on every shipped target (latencies are models, not measurements)", "",
                     pad("target", 16) + pad("latency ms", 12) + pad("energy µJ", 11) + pad("arena B", 10) + pad("params B", 11) + "  fits"]
        for profile in profiles {
            let memory = profile.targetMemory
            lines.append(pad(profile.target.name, 16) + pad(format(profile.seconds * 1e3, 3), 12)
                + pad(profile.joules.map { format($0 * 1e6, 1) } ?? "-", 11) + pad("\(memory.arenaBytes)", 10)
                + pad("\(memory.parameterBytes)", 11) + "  " + (memory.fits ? "yes" : "no: " + memory.overLimits.joined(separator: "; ")))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func modelName(_ target: Target) -> String {
        switch target.costModel {
        case .mcu(let coefficients):
            return coefficients.pointwiseUsesIm2col == true
                ? "loop model of pulse's int8 C kernels, fitted to Cortex-M4 instruction counts under QEMU" : "CMSIS-NN loop model"
        case .generatedC: return "loop model of pulse's float32 C kernels, fitted to llvm-mca cycles of the executed blocks (compute only)"
        case .roofline: return "kernel-sum roofline"
        case .fitted(let coefficients): return "fitted to micro-benchmarks on \(coefficients.processor)"
        }
    }

    private static func energyHeader(_ profile: Profile) -> String { profile.target.powerWatts == nil ? "" : pad("energy µJ", 11) }

    private static func energy(_ profile: Profile, _ seconds: Double) -> String {
        profile.joules(seconds).map { pad(format($0 * 1e6, 3), 11) } ?? ""
    }
}
