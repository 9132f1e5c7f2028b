import Foundation
import PulseFirmware
import PulseGraph
import PulseHardware
import PulseModels

/// Fits a loop-count cost model (`MCUCostModel`) to what pulse's generated code executes: on the Cortex-M4 the int8
/// build, counted under QEMU and timed by the instruction mix; on an AArch64 core the float32 build, counted under
/// QEMU and timed by llvm-mca. Every kernel of the fitting graphs is counted, and the coefficients minimise the
/// squared relative error of the predicted cycles against the counted ones. The shipped models are the validation set.
struct FirmwareFit {
    /// One kernel's counts and counted cycles.
    struct Sample {
        var graph: String
        var kernel: Int
        var kind: String
        /// The counts as pulse's generated code runs the kernel (pointwise convolutions through im2col).
        var counts: MCUCostModel.Counts
        /// The cycles the target's cost model predicted before the fit.
        var beforeCycles: Double
        var countedCycles: Double
    }

    /// Builds `quantised` (int8 for the Cortex-M4, float32 with `parameters` for an AArch64 core) with `windows` as
    /// input, runs it with the counting plugin, and returns its kernels' samples, per window, against `before`.
    static func measure(_ quantised: QuantisedModel, parameters: [String: Tensor], windows: [[Float]], name: String, core: CountedCore,
                        harness: FirmwareHarness, directory: String, before: any CostModel) throws -> [Sample] {
        let generated = directory + "/gen"
        switch core {
        case .cortexM4:
            let inputs = try windows.map { try quantised.quantise(window: $0, name: name) }
            try CCodeGenerator(model: quantised, title: name).write(
                to: generated, extra: ["pulse_windows.h": CCodeGenerator.windowsHeader(inputs, inputSize: quantised.input.count)])
        case .aarch64:
            try FloatCodeGenerator(model: quantised, parameters: parameters, title: name).write(
                to: generated, extra: ["pulse_windows.h": FloatCodeGenerator.windowsHeader(windows, inputSize: quantised.input.count)])
        }
        let elf = try harness.build(core == .cortexM4 ? .m4 : .aarch64, generated: generated, build: directory + "/build")
        let run = try core.count(elf: elf, harness: harness, outputSize: quantised.output.count, kernelCount: quantised.kernels.count,
                                 countsPath: directory + "/counts.txt")
        return quantised.kernels.enumerated().map { position, integer in
            let kernel = quantised.plan.kernels[integer.kernel]
            let features = KernelFeatures(kernel, in: quantised.plan)
            return Sample(graph: name, kernel: integer.kernel, kind: kernel.kind.rawValue,
                          counts: MCUCostModel.counts(of: kernel, features: features, pointwiseUsesIm2col: true),
                          beforeCycles: before.cost(of: kernel, features: features, batch: 1, threads: 1).cycles,
                          countedCycles: run.cycles { MarkedRegion(region: $0, kernelCount: quantised.kernels.count) == .kernel(position) }
                              / Double(windows.count))
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

    /// Element-wise functions over three shapes: each unary function alone (a logarithm after an exponential, so that
    /// its input is positive), and each binary one between the input and its exponential, so that the fit sees
    /// exponentials, logarithms, sigmoids, tanhs and divisions, which no micro-benchmark graph runs.
    static func elementwiseGraphs() throws -> [(name: String, graph: Graph)] {
        let unary: [(String, Primitive)] = [("exp", .exp), ("sigmoid", .sigmoid), ("tanh", .tanh), ("relu", .relu), ("abs", .abs)]
        let binary: [(String, Primitive)] = [("add", .add), ("sub", .sub), ("mul", .mul), ("div", .div)]
        var graphs: [(name: String, graph: Graph)] = []
        for shape in [[4, 256], [16, 113], [2, 500]] {
            func graph(_ body: (Int, inout Graph) throws -> Int) throws -> Graph { try singleInputGraph(shape, body) }
            let size = "\(shape[0])×\(shape[1])"
            for (name, primitive) in unary {
                graphs.append(("\(name) \(size)", try graph { x, graph in try graph.append(primitive, [x], layer: name) }))
            }
            graphs.append(("log \(size)", try graph { x, graph in try graph.append(.log, [try graph.append(.exp, [x], layer: "exp")], layer: "log") }))
            for (name, primitive) in binary {
                graphs.append(("\(name) \(size)", try graph { x, graph in
                    try graph.append(primitive, [x, try graph.append(.exp, [x], layer: "exp")], layer: name)
                }))
            }
        }
        return graphs
    }

    /// Data moves over three shapes: a pad, a slice and a concatenation of two element-wise results, so that the fit
    /// sees moves as kernels of their own (inside a model most are fused into the convolution that reads them).
    static func dataMoveGraphs() throws -> [(name: String, graph: Graph)] {
        try [[4, 256], [16, 113], [2, 500]].flatMap { shape -> [(name: String, graph: Graph)] in
            func graph(_ body: (Int, inout Graph) throws -> Int) throws -> Graph {
                try singleInputGraph(shape) { x, graph in try body(try graph.append(.abs, [x], layer: "abs"), &graph) }
            }
            let size = "\(shape[0])×\(shape[1])"
            return [
                ("pad \(size)", try graph { x, graph in try graph.append(.pad(axis: 1, before: 3, after: 5), [x], layer: "pad") }),
                ("slice \(size)", try graph { x, graph in try graph.append(.slice(axis: 1, start: 7, count: shape[1] / 2), [x], layer: "slice") }),
                ("concat \(size)", try graph { x, graph in
                    try graph.append(.concat(axis: 0), [x, try graph.append(.exp, [x], layer: "exp")], layer: "concat")
                }),
            ]
        }
    }

    /// A graph of one input of `shape` whose output `body` builds from it.
    private static func singleInputGraph(_ shape: [Int], _ body: (Int, inout Graph) throws -> Int) throws -> Graph {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: shape, layer: "input")
        graph.outputs = [try body(x, &graph)]
        return graph
    }

    /// Cycles `coefficients` predict for `sample`.
    static func predicted(_ sample: Sample, _ coefficients: [Double]) -> Double {
        zip(sample.counts.values, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The terms some sample counts (the weight-byte term excepted): the ones the fit sets.
    static func fitted(_ samples: [Sample]) -> [Int] {
        let columns = samples.first?.counts.values.count ?? 0
        return (0..<columns).filter { column in column != weightBytesColumn && samples.contains { $0.counts.values[column] > 0 } }
    }

    /// Index of the weight-byte term in `MCUCostModel.Counts.values`.
    static let weightBytesColumn = 8

    /// The non-negative coefficients (in `MCUCostModel.Counts.values` order, the weight-byte term held at zero: QEMU
    /// sees no flash wait states) that minimise the squared relative error over `samples`: a term whose least-squares
    /// value is negative is set to zero and the rest refitted. A term no sample counts keeps its `fallback`. `nil` when
    /// the system is singular.
    static func fit(_ samples: [Sample], fallback: [Double]) -> [Double]? {
        var used = fitted(samples)
        let counted = samples.filter { $0.countedCycles > 0 }
        var coefficients = fallback
        coefficients[weightBytesColumn] = 0
        while !used.isEmpty {
            let rows = counted.map { sample in used.map { sample.counts.values[$0] / sample.countedCycles } }
            guard let solution = FittedTerms.leastSquares(rows, [Double](repeating: 1, count: rows.count)) else { return nil }
            if let negative = solution.indices.filter({ solution[$0] < 0 }).min(by: { solution[$0] < solution[$1] }) {
                coefficients[used[negative]] = 0
                used.remove(at: negative)
                continue
            }
            for (column, value) in zip(used, solution) { coefficients[column] = value }
            break
        }
        return coefficients
    }

    /// Per-kernel Spearman, share within ±15 % and median absolute error of `predictions` of `samples`.
    static func summary(_ samples: [Sample], _ predictions: [Double]) -> (spearman: Double, within15: Double, medianError: Double) {
        let errors = zip(predictions, samples).map { abs($0 / $1.countedCycles - 1) }.sorted()
        return (SpearmanCorrelation.coefficient(predictions, samples.map(\.countedCycles)), Double(errors.filter { $0 <= 0.15 }.count) / Double(max(1, errors.count)),
                errors.isEmpty ? 0 : errors[errors.count / 2])
    }
}
