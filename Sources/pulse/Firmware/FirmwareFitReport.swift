import Foundation
import PulseHardware

/// The text and JSON of `pulse firmware fit`.
struct FirmwareFitReport {
    let fitting: [FirmwareFit.Sample]
    let validation: [FirmwareFit.Sample]
    /// Cycles per count before (the target's coefficients times its stall factor) and after the fit.
    let before: [Double]
    let after: [Double]
    let skipped: [String]

    static let names = ["aligned MAC", "unaligned MAC", "depthwise MAC", "dense MAC", "im2col value", "output", "element", "kernel",
                        "flash per weight byte", "contraction MAC", "rescale", "im2col row"]

    /// Whole-model counted and predicted cycles per window, by validation model.
    func models(_ coefficients: [Double], asTarget: Bool = false) -> [(model: String, counted: Double, predicted: Double)] {
        var order: [String] = []
        var totals: [String: (Double, Double)] = [:]
        for sample in validation {
            if totals[sample.graph] == nil { order.append(sample.graph) }
            let old = totals[sample.graph] ?? (0, 0)
            totals[sample.graph] = (old.0 + sample.countedCycles, old.1 + FirmwareFit.predicted(sample, coefficients, asTarget: asTarget))
        }
        return order.map { ($0, totals[$0]?.0 ?? 0, totals[$0]?.1 ?? 0) }
    }

    /// `old` with the fitted coefficients, each naming the fit, and a stall factor of 1.
    func coefficients(replacing old: MCUCoefficients) -> MCUCoefficients {
        let summary = FirmwareFit.summary(validation, after)
        let fittedTerms = Set(FirmwareFit.fitted(fitting))
        let kept = "Not fitted (no kernel of the fitting set has this term); kept from before the fit, stall factor included"
        let source = "Fitted (pulse firmware fit) to QEMU instruction counts of pulse's int8 C kernels on a Cortex-M4 "
            + "(\(fitting.count) kernels of the micro-benchmark graphs; cycles from the executed instruction mix and the Cortex-M4 "
            + "timings); validated on the shipped models' \(validation.count) kernels: Spearman \(format(summary.spearman, 3)), "
            + "\(format(summary.within15 * 100, 0)) % within ±15 %"
        var updated = old
        let values = after
        func value(_ column: Int) -> SourcedValue { SourcedValue(values[column], source: fittedTerms.contains(column) ? source : kept) }
        updated.cyclesPerAlignedMAC = value(0)
        updated.cyclesPerUnalignedMAC = value(1)
        updated.cyclesPerDepthwiseMAC = value(2)
        updated.cyclesPerDenseMAC = value(3)
        updated.cyclesPerIm2colValue = value(4)
        updated.cyclesPerOutput = value(5)
        updated.cyclesPerElement = value(6)
        updated.cyclesPerKernel = value(7)
        updated.flashCyclesPerWeightByte = SourcedValue(0, source: "QEMU models no flash wait states, so the counts cannot fit them; "
            + "the nRF52840's instruction cache is taken to hide them")
        updated.cyclesPerContractionMAC = value(9)
        updated.cyclesPerRescale = value(10)
        updated.cyclesPerIm2colRow = value(11)
        updated.pointwiseUsesIm2col = true
        updated.stallFactor = SourcedValue(1, source: "The counts are the executed instructions themselves, timed one by one: no stall factor")
        return updated
    }

    var text: String {
        var lines = ["Cortex-M4 cycles per count, before (target × stall factor) and after the fit", ""]
        let fittedTerms = Set(FirmwareFit.fitted(fitting))
        for (index, name) in Self.names.enumerated() {
            lines.append("\(pad(name, 22))  \(pad(format(before[index], 3), 9))  \(pad(format(after[index], 3), 9))"
                         + (fittedTerms.contains(index) || index == FirmwareFit.weightBytesColumn ? "" : "  (no kernel counts it: kept)"))
        }
        lines += ["", "set          kernels   Spearman before/after   within ±15 % before/after   median error before/after"]
        for (name, samples) in [("fitting", fitting), ("validation", validation)] {
            let (old, new) = (FirmwareFit.summary(samples, before, asTarget: true), FirmwareFit.summary(samples, after))
            lines.append("\(pad(name, 10))  \(pad(String(samples.count), 8))   \(pad(format(old.spearman, 3), 8)) / \(pad(format(new.spearman, 3), 6))"
                         + "     \(pad(format(old.within15 * 100, 0), 8)) % / \(pad(format(new.within15 * 100, 0), 3)) %"
                         + "          \(pad(format(old.medianError * 100, 1), 6)) % / \(pad(format(new.medianError * 100, 1), 5)) %")
        }
        lines += ["", "model                       counted cycles   predicted before   error   predicted after   error"]
        for ((model, counted, old), (_, _, new)) in zip(models(before, asTarget: true), models(after)) {
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

    var json: [String: Any] {
        func set(_ samples: [FirmwareFit.Sample]) -> [String: Any] {
            let (old, new) = (FirmwareFit.summary(samples, before, asTarget: true), FirmwareFit.summary(samples, after))
            return ["kernels": samples.count, "spearman_before": old.spearman, "spearman_after": new.spearman,
                    "within_15_before": old.within15, "within_15_after": new.within15,
                    "median_error_before": old.medianError, "median_error_after": new.medianError]
        }
        return [
            "coefficients": Dictionary(uniqueKeysWithValues: Self.names.enumerated().map { ($1, ["before": before[$0], "after": after[$0]]) }),
            "fitting": set(fitting), "validation": set(validation),
            "models": zip(models(before, asTarget: true), models(after)).map { ["model": $0.model, "counted_cycles": $0.counted,
                                                                 "predicted_before": $0.predicted, "predicted_after": $1.predicted] },
            "skipped": skipped,
        ]
    }
}
