import Foundation
import Testing
import PulseEngine
import PulseFirmware
import PulseGraph

/// The int8 model (the Swift integer reference) computes what the float model does, within its rounding.
@Suite struct QuantisedAccuracyTests {
    @Test(arguments: FirmwareTestGraph.allCases)
    func planHoldsTheIntendedKernels(_ testGraph: FirmwareTestGraph) throws {
        let model = try FloatModel(try testGraph.graph, seed: 7)
        let quantised = try model.quantise(model.windows(8, seed: 1))
        #expect(Set(model.plan.kernels.map(\.kind)) == testGraph.expectedKinds)
        #expect(quantised.operationFeatures.isSuperset(of: testGraph.expectedFeatures),
                "missing \(testGraph.expectedFeatures.subtracting(quantised.operationFeatures))")
    }

    @Test func everythingGraphCoversEveryIntegerOperation() throws {
        let model = try FloatModel(try FirmwareTestGraph.everything.graph, seed: 7)
        let quantised = try model.quantise(model.windows(8, seed: 1))
        let all: Set = ["pulse_convolution_s8", "pulse_binary_s8", "pulse_lookup_s8", "pulse_reduction_s8", "pulse_pooling_s8",
                        "pulse_contraction_s8", "pulse_move_s8"]
        #expect(Set(quantised.kernels.map(\.operation.functionName)) == all)
    }

    /// Calibrated on 32 random windows, compared on others (0.8 times as loud, and only those whose every activation
    /// stays inside the calibrated ranges: saturating outside them is what post-training quantisation does, not an
    /// error of the kernels).
    ///
    /// The bound: every rounding — the input's quantisation and each kernel that requantises to int8 — is off by at
    /// most one step of its output (half a step to the nearest int8, at most half more from the fixed-point rescale),
    /// and the kernels here pass errors on with gains near one. So the error stays within one output step per
    /// rounding on the longest path from the input (`roundings`): 2 to 17 steps in these graphs. A wrong zero point,
    /// multiplier, stride or index is off by far more (over 25 seeds the worst error was at most 0.75 of the bound).
    /// Rounding to nearest is unbiased, so the mean error stays within ¾ of a step (a maximum of rounded values is
    /// biased up, by up to half a step in the pooling graph).
    @Test(arguments: FirmwareTestGraph.allCases)
    func integerModelTracksTheFloatModel(_ testGraph: FirmwareTestGraph) throws {
        let model = try FloatModel(try testGraph.graph, seed: 7)
        let calibration = try model.calibrate(model.windows(32, seed: 1))
        let quantised = try QuantisedModel(plan: model.plan, parameters: model.parameters, calibration: calibration)
        let windows = try model.windows(12, seed: 2).map { $0.map { 0.8 * $0 } }.filter { try model.isCovered($0, by: calibration) }
        try #require(windows.count >= 6, "only \(windows.count) of 12 windows stay inside the calibrated ranges")
        let got = try IntegerExecutor(model: quantised).outputs(windows)
        let errors = zip(try model.outputs(windows), got).flatMap { zip($0, $1).map { Double($1) - Double($0) } }
        let step = quantised.output.quantisation.scale
        let roundings = Self.roundings(quantised)
        let worst = errors.map(Swift.abs).max() ?? 0
        #expect(worst <= Double(roundings) * step, "\(worst / step) steps, more than \(roundings) roundings")
        let bias = errors.reduce(0, +) / Double(errors.count)
        #expect(Swift.abs(bias) <= 0.75 * step, "mean error \(bias / step) steps")
    }

    /// Roundings on the longest path from the input to the output: the input's quantisation, then one per kernel
    /// that requantises (not a maximum, which keeps its input's values, nor a move that copies them).
    static func roundings(_ model: QuantisedModel) -> Int {
        let operations = Dictionary(uniqueKeysWithValues: model.kernels.map { ($0.kernel, $0.operation) })
        var depth: [InstructionID: Int] = [model.plan.inputs[0]: 1]
        for (index, kernel) in model.plan.kernels.enumerated() where kernel.dependsOnInput {
            let rounds: Bool
            switch operations[index] {
            case nil: rounds = false
            case .reduction(_, let reduction)?: rounds = !reduction.maximum
            case .pooling(_, let pooling)?: rounds = !pooling.maximum
            case .move(let move)?: rounds = move.pieces.contains { $0.requantisation != nil }
            default: rounds = true
            }
            depth[kernel.output] = (kernel.inputs.compactMap { depth[$0] }.max() ?? 0) + (rounds ? 1 : 0)
        }
        return depth[model.plan.outputs[0]] ?? 0
    }
}

extension FirmwareTestGraph {
    /// The kernel kinds of the graph's plan.
    var expectedKinds: Set<KernelKind> {
        switch self {
        case .convolutions: return [.convolution, .depthwise, .pointwise]
        case .elementwise: return [.elementwise, .reduction, .dataMove]
        case .constantContraction: return [.constantContraction]
        case .activationContraction: return [.elementwise, .contraction]
        case .pooling: return [.pooling, .reduction, .elementwise]
        case .moves, .lookups: return [.dataMove, .elementwise]
        case .everything:
            return [.convolution, .depthwise, .pointwise, .elementwise, .reduction, .dataMove, .pooling, .constantContraction, .contraction]
        }
    }

    /// What the graph's integer kernels must compute (`QuantisedModel.operationFeatures`).
    var expectedFeatures: Set<String> {
        switch self {
        case .convolutions: return ["convolution", "convolution with residual", "convolution with its input as residual", "clip", "depthwise"]
        case .elementwise: return ["multiply", "add", "subtract", "divide", "broadcast", "reduce max"]
        case .constantContraction: return ["contraction with a constant"]
        case .activationContraction: return ["lookup", "contraction of activations"]
        case .pooling: return ["mean pooling", "max pooling padded", "reduce sum", "reduce mean", "add"]
        case .moves: return ["move with fill", "copied piece", "requantised piece", "multiply"]
        case .lookups: return ["lookup", "requantised piece"]
        case .everything: return Self.allCases.filter { $0 != .everything }.reduce(into: Set()) { $0.formUnion($1.expectedFeatures) }
        }
    }
}
