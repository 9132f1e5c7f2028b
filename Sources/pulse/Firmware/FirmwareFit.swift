import Foundation
import PulseFirmware
import PulseGraph
import PulseHardware
import PulseModels

/// Fits the mcu cost model's coefficients to what pulse's generated int8 code executes on the Cortex-M4: every
/// kernel of the fitting graphs is counted under QEMU, and the coefficients minimise the squared relative error
/// of the predicted cycles against the counted ones. The shipped models are the validation set.
struct FirmwareFit {
    /// One kernel's counts and counted cycles.
    struct Sample {
        var graph: String
        var kernel: Int
        var kind: String
        /// The counts as pulse's generated code runs the kernel (pointwise convolutions through im2col).
        var counts: MCUCostModel.Counts
        /// The counts as the target's model structure sees them (before the fit).
        var targetCounts: MCUCostModel.Counts
        var countedCycles: Double
    }

    /// Builds `quantised` for the Cortex-M4 with `inputs`, runs it with the counting plugin, and returns its
    /// kernels' samples and the whole run's counted cycles per window.
    static func measure(_ quantised: QuantisedModel, inputs: [[Int8]], name: String, harness: FirmwareHarness,
                        directory: String, target: MCUCoefficients) throws -> [Sample] {
        let generated = directory + "/gen"
        try CCodeGenerator(model: quantised, title: name).write(
            to: generated, extra: ["pulse_windows.h": CCodeGenerator.windowsHeader(inputs, inputSize: quantised.input.count)])
        let elf = try harness.build(.m4, generated: generated, build: directory + "/build")
        let countsPath = directory + "/m4-counts.txt"
        _ = try harness.run(.m4, elf: elf, outputSize: quantised.output.count, counts: countsPath)
        let counts = try InstructionCounts(path: countsPath)
        return quantised.kernels.enumerated().map { position, integer in
            let kernel = quantised.plan.kernels[integer.kernel]
            let mnemonics = counts.mnemonics { MarkedRegion(region: $0, kernelCount: quantised.kernels.count) == .kernel(position) }
            let features = KernelFeatures(kernel, in: quantised.plan)
            return Sample(graph: name, kernel: integer.kernel, kind: kernel.kind.rawValue,
                          counts: MCUCostModel.counts(of: kernel, features: features, pointwiseUsesIm2col: true),
                          targetCounts: MCUCostModel.counts(of: kernel, features: features, pointwiseUsesIm2col: target.pointwiseUsesIm2col ?? false),
                          countedCycles: CortexM4Timing.cycles(of: mnemonics) / Double(inputs.count))
        }
    }

    /// Spectral front ends (`SpectrumFrontEnd`, direct DFT) at shapes no shipped model has, so that the fit sees the
    /// element-wise, reduction and contraction kernels a model's front end runs: 1–6 channels, 128–512 samples,
    /// 48–180 rate bins.
    static func frontEndGraphs() throws -> [(name: String, graph: Graph)] {
        try [(1, 128, 64), (2, 200, 100), (3, 256, 48), (6, 128, 180), (2, 512, 120), (5, 320, 90)].map { channels, samples, bins in
            let input = ModelInput(sampleRateHz: 32, windowSamples: samples, bandLowHz: 0.5, bandHighHz: 4, bandOrder: 4, channels: channels)
            var graph = Graph()
            let window = try graph.append(.input(name: "x"), shape: [channels, samples], layer: "input")
            graph.outputs = [try SpectrumFrontEnd(input: input, bins: RateBins(firstBpm: 40, binBpm: 1, count: bins))(window, in: &graph)]
            return ("front end \(channels)×\(samples)→\(bins)", graph)
        }
    }

    /// Convolutions whose filter rows are not whole groups of four values (3, 5 or 7 input channels), so that the
    /// fit sees the leftover loop of pulse's kernels, which no micro-benchmark graph runs.
    static func oddChannelGraphs() throws -> [(name: String, graph: Graph)] {
        try [(3, 16, 5, 128), (5, 8, 3, 200), (7, 32, 5, 113), (3, 24, 7, 256), (5, 16, 1, 128), (7, 12, 3, 64)].map { cin, cout, k, length in
            var graph = Graph()
            let x = try graph.append(.input(name: "x"), shape: [cin, length], layer: "input")
            let y = try Conv1d("conv", inputChannels: cin, outputChannels: cout, kernelSize: k, padding: .same)(x, in: &graph)
            graph.outputs = [try graph.append(.relu, [y], layer: "relu")]
            return ("conv \(cin)→\(cout) k\(k) L\(length)", graph)
        }
    }

    /// Cycles `coefficients` predict for `sample` (any stall factor already folded in), with the counts of pulse's
    /// code or, with `asTarget`, of the target's model structure.
    static func predicted(_ sample: Sample, _ coefficients: [Double], asTarget: Bool = false) -> Double {
        zip(asTarget ? sample.targetCounts.values : sample.counts.values, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The terms some sample counts (the weight-byte term excepted): the ones the fit sets.
    static func fitted(_ samples: [Sample]) -> [Int] {
        let columns = samples.first?.counts.values.count ?? 0
        return (0..<columns).filter { column in column != weightBytesColumn && samples.contains { $0.counts.values[column] > 0 } }
    }

    /// Index of the weight-byte term in `MCUCostModel.Counts.values`.
    static let weightBytesColumn = 8

    /// The coefficients (in `MCUCostModel.Counts.values` order, the weight-byte term held at zero: QEMU sees no
    /// flash wait states) that minimise the squared relative error over `samples`; a term no sample counts keeps its
    /// `fallback`. `nil` when the system is singular.
    static func fit(_ samples: [Sample], fallback: [Double]) -> [Double]? {
        let used = fitted(samples)
        let rows = samples.filter { $0.countedCycles > 0 }.map { sample in used.map { sample.counts.values[$0] / sample.countedCycles } }
        guard let solution = FittedTerms.leastSquares(rows, [Double](repeating: 1, count: rows.count)) else { return nil }
        var coefficients = fallback
        coefficients[weightBytesColumn] = 0
        for (column, value) in zip(used, solution) { coefficients[column] = value }
        return coefficients
    }

    /// Per-kernel Spearman, share within ±15 %, and median absolute error of `coefficients` over `samples`.
    static func summary(_ samples: [Sample], _ coefficients: [Double], asTarget: Bool = false)
        -> (spearman: Double, within15: Double, medianError: Double) {
        let predictions = samples.map { predicted($0, coefficients, asTarget: asTarget) }
        let errors = zip(predictions, samples).map { abs($0 / $1.countedCycles - 1) }.sorted()
        return (SpearmanCorrelation.coefficient(predictions, samples.map(\.countedCycles)), Double(errors.filter { $0 <= 0.15 }.count) / Double(max(1, errors.count)),
                errors.isEmpty ? 0 : errors[errors.count / 2])
    }
}
