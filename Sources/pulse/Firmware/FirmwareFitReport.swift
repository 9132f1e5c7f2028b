import Foundation
import PulseHardware

/// The text and JSON of `pulse firmware fit`.
struct FirmwareFitReport {
    let fitting: [FirmwareFit.Sample]
    let validation: [FirmwareFit.Sample]
    /// The core counted.
    let core: CountedCore
    /// Cycles per count before the fit (the target's coefficients times its stall factor), when the target's model
    /// is a loop model; nil for a roofline target, whose predictions are in each sample's `beforeCycles`.
    let before: [Double]?
    /// Cycles per count after the fit.
    let after: [Double]
    let skipped: [String]

    static let names = ["aligned MAC", "unaligned MAC", "depthwise MAC", "dense MAC", "im2col value", "output", "element", "kernel call",
                        "flash per weight byte", "contraction MAC", "rescale", "im2col row", "transcendental", "division",
                        "element-wise output", "reduced element", "pooled element", "unary output", "moved value", "moved row"]

    /// The fitted predictions of `samples`.
    func predictions(_ samples: [FirmwareFit.Sample]) -> [Double] { samples.map { FirmwareFit.predicted($0, after) } }

    /// Whole-model counted cycles per window, and predicted cycles before and after the fit, by validation model.
    var models: [(model: String, counted: Double, before: Double, after: Double)] {
        var order: [String] = []
        var totals: [String: (Double, Double, Double)] = [:]
        for sample in validation {
            if totals[sample.graph] == nil { order.append(sample.graph) }
            let old = totals[sample.graph] ?? (0, 0, 0)
            totals[sample.graph] = (old.0 + sample.countedCycles, old.1 + sample.beforeCycles, old.2 + FirmwareFit.predicted(sample, after))
        }
        return order.map { ($0, totals[$0]?.0 ?? 0, totals[$0]?.1 ?? 0, totals[$0]?.2 ?? 0) }
    }

    /// The fitted coefficients, each naming the fit, with a stall factor of 1.
    var coefficients: MCUCoefficients {
        let summary = FirmwareFit.summary(validation, predictions(validation))
        let fittedTerms = Set(FirmwareFit.fitted(fitting))
        let kept = before == nil ? "Not fitted (no kernel of the fitting set has this term): none assumed"
            : "Not fitted (no kernel of the fitting set has this term); kept from before the fit, stall factor included"
        let counted: String
        let flash: String
        switch core {
        case .cortexM4:
            counted = "QEMU instruction counts of pulse's int8 C kernels on a Cortex-M4 (cycles from the executed instruction mix and the Cortex-M4 timings)"
            flash = "QEMU models no flash wait states, so the counts cannot fit them; the nRF52840's instruction cache is taken to hide them"
        case .aarch64(let cpu):
            counted = "llvm-mca (\(cpu)) cycles of the blocks pulse's float32 C kernels execute under qemu-aarch64, times their execution counts"
            flash = "Weights are in RAM on this device: no flash"
        }
        let source = "Fitted (pulse firmware fit) to \(counted), over \(fitting.count) kernels of the micro-benchmark graphs, front ends, "
            + "odd-channel convolutions, element-wise functions and data moves; validated on the shipped models' \(validation.count) kernels: Spearman \(format(summary.spearman, 3)), "
            + "\(format(summary.within15 * 100, 0)) % within ±15 %"
        let perCount = after.indices.map { column -> SourcedValue in
            if column == FirmwareFit.weightBytesColumn { return SourcedValue(0, source: flash) }
            guard fittedTerms.contains(column) else { return SourcedValue(after[column], source: kept) }
            return SourcedValue(after[column], source: after[column] == 0
                ? "Set to 0 by the non-negative fit (its least-squares value was negative: the other terms cover its cost). " + source : source)
        }
        return MCUCoefficients(perCount: perCount, stallFactor: SourcedValue(
            1, source: "The counts are the executed instructions themselves, timed block by block or one by one: no stall factor"),
            pointwiseUsesIm2col: true)
    }

    private var coreName: String {
        switch core {
        case .cortexM4: return "Cortex-M4 (int8)"
        case .aarch64(let cpu): return "\(cpu) (float32, llvm-mca)"
        }
    }

    var text: String {
        var lines = ["\(coreName) cycles per count, before (target × stall factor) and after the fit", ""]
        let fittedTerms = Set(FirmwareFit.fitted(fitting))
        for (index, name) in Self.names.enumerated() {
            lines.append("\(pad(name, 22))  \(pad(before.map { format($0[index], 3) } ?? "-", 9))  \(pad(format(after[index], 3), 9))"
                         + (index == FirmwareFit.weightBytesColumn ? "" : !fittedTerms.contains(index) ? "  (no kernel counts it: kept)"
                            : after[index] == 0 ? "  (set to 0 by the non-negative fit)" : ""))
        }
        if before == nil { lines += ["", "before: the target's roofline model (kernel classes' efficiencies), not a loop model"] }
        lines += ["", "set          kernels   Spearman before/after   within ±15 % before/after   median error before/after"]
        for (name, samples) in [("fitting", fitting), ("validation", validation)] {
            let (old, new) = (FirmwareFit.summary(samples, samples.map(\.beforeCycles)), FirmwareFit.summary(samples, predictions(samples)))
            lines.append("\(pad(name, 10))  \(pad(String(samples.count), 8))   \(pad(format(old.spearman, 3), 8)) / \(pad(format(new.spearman, 3), 6))"
                         + "     \(pad(format(old.within15 * 100, 0), 8)) % / \(pad(format(new.within15 * 100, 0), 3)) %"
                         + "          \(pad(format(old.medianError * 100, 1), 6)) % / \(pad(format(new.medianError * 100, 1), 5)) %")
        }
        lines += ["", "model                       counted cycles   predicted before   error   predicted after   error"]
        for (model, counted, old, new) in models {
            lines.append("\(pad(model, 26))  \(pad(format(counted, 0), 14))   \(pad(format(old, 0), 16))  \(pad(format((old / counted - 1) * 100, 1), 5)) %"
                         + "   \(pad(format(new, 0), 15))  \(pad(format((new / counted - 1) * 100, 1), 5)) %")
        }
        lines += ["", "validation kernels after the fit (counted / predicted cycles):"]
        for sample in validation {
            let predicted = FirmwareFit.predicted(sample, after)
            lines.append("  \(pad(sample.graph, 22)) \(pad(String(sample.kernel), 3)) \(pad(sample.kind, 19)) \(pad(format(sample.countedCycles, 0), 9)) "
                         + "\(pad(format(predicted, 0), 9)) \(pad(format((predicted / sample.countedCycles - 1) * 100, 1), 6)) %")
        }
        if !skipped.isEmpty { lines += ["", "not counted (no int8 kernel):"] + skipped.map { "  " + $0 } }
        return lines.joined(separator: "\n")
    }

    /// Every counted kernel, one CSV row each: its set, graph, kernel index and kind, its counts (in `names` order),
    /// counted cycles, and predicted cycles before and after the fit.
    var csv: String {
        let header = ["set", "graph", "kernel", "kind"] + Self.names.map { $0.replacingOccurrences(of: " ", with: "_") }
            + ["counted_cycles", "predicted_before", "predicted_after"]
        var lines = [header.joined(separator: ",")]
        for (name, samples) in [("fitting", fitting), ("validation", validation)] {
            for sample in samples {
                let fields = [name, "\"\(sample.graph)\"", String(sample.kernel), sample.kind] + sample.counts.values.map { String($0) }
                    + [sample.countedCycles, sample.beforeCycles, FirmwareFit.predicted(sample, after)].map { String($0) }
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var json: [String: Any] {
        func set(_ samples: [FirmwareFit.Sample]) -> [String: Any] {
            let (old, new) = (FirmwareFit.summary(samples, samples.map(\.beforeCycles)), FirmwareFit.summary(samples, predictions(samples)))
            return ["kernels": samples.count, "spearman_before": old.spearman, "spearman_after": new.spearman,
                    "within_15_before": old.within15, "within_15_after": new.within15,
                    "median_error_before": old.medianError, "median_error_after": new.medianError]
        }
        return [
            "core": coreName,
            "coefficients": Dictionary(uniqueKeysWithValues: Self.names.enumerated().map { index, name in
                (name, ["before": before.map { $0[index] as Any } ?? NSNull(), "after": after[index]] as [String: Any])
            }),
            "fitting": set(fitting), "validation": set(validation),
            "models": models.map { ["model": $0.model, "counted_cycles": $0.counted, "predicted_before": $0.before, "predicted_after": $0.after] },
            "skipped": skipped,
        ]
    }
}
