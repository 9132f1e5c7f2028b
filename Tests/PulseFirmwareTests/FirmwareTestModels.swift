import Foundation
import PulseEngine
import PulseFirmware
import PulseGraph

/// A float model with seeded random parameters, calibrated and quantised as `pulse firmware` does
/// (`FirmwareCalibration`): the input and every input-dependent kernel output observed, the value of every kernel
/// that does not depend on the input stored as a folded constant.
struct FloatModel {
    let graph: Graph
    let parameters: [String: Tensor]
    let executor: Executor
    let input: (name: String, shape: [Int])

    /// The model of `graph` with He-uniform weights and biases uniform in ±0.2, from `seed`.
    init(_ graph: Graph, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed &+ 1)
        var parameters = graph.initialParameters(seed: seed)
        for (name, shape) in graph.parameters where name.hasSuffix(".bias") {
            parameters[name] = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -0.2...0.2, using: &generator) })
        }
        self.graph = graph
        self.parameters = parameters
        executor = try Executor(graph: graph, parameters: parameters)
        input = graph.inputs[0]
    }

    var plan: KernelPlan { executor.plan }

    /// `count` windows of values uniform in −1…1, from `seed`.
    func windows(_ count: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        let size = input.shape.reduce(1, *)
        return (0..<count).map { _ in (0..<size).map { _ in Float.random(in: -1...1, using: &generator) } }
    }

    /// The float evaluation of `windows` in one batch.
    func evaluate(_ windows: [[Float]]) throws -> Evaluation {
        try executor.evaluate([input.name: Tensor(shape: [windows.count] + input.shape, scalars: windows.flatMap { $0 })])
    }

    /// Ranges and folded constants over `windows`.
    func calibrate(_ windows: [[Float]]) throws -> Calibration {
        let evaluation = try evaluate(windows)
        var calibration = Calibration()
        calibration.observe(plan.inputs[0], windows.joined())
        for kernel in plan.kernels {
            guard let value = evaluation.value(kernel.output.index) else { continue }
            if kernel.dependsOnInput {
                calibration.observe(kernel.output, value.scalars)
            } else {
                calibration.constants[kernel.output] = value
            }
        }
        calibration.countWindows(windows.count)
        return calibration
    }

    /// The model quantised with the ranges of `windows`.
    func quantise(_ windows: [[Float]]) throws -> QuantisedModel {
        try QuantisedModel(plan: plan, parameters: parameters, calibration: calibrate(windows))
    }

    /// Whether every activation `window` makes lies in the range `calibration` saw, widened to zero as the
    /// quantisation widens it (so that no value saturates).
    func isCovered(_ window: [Float], by calibration: Calibration) throws -> Bool {
        try calibrate([window]).ranges.allSatisfy { id, range in
            guard let seen = calibration.ranges[id] else { return false }
            return min(seen.lowerBound, 0) <= range.lowerBound && range.upperBound <= max(seen.upperBound, 0)
        }
    }

    /// The float model's output for each window.
    func outputs(_ windows: [[Float]]) throws -> [[Float]] {
        let output = try evaluate(windows).outputs[0].scalars
        let size = output.count / windows.count
        return (0..<windows.count).map { Array(output[($0 * size)..<(($0 + 1) * size)]) }
    }
}

/// The graphs the firmware tests quantise, each over a `[4, 64]` window.
enum FirmwareTestGraph: String, CaseIterable {
    /// Dilated convolutions with residual adds and activations fused, a depthwise convolution and a pointwise head.
    case convolutions
    /// The spectrum front end's arithmetic: a broadcast constant taper, squares, the per-channel peak as divisor.
    case elementwise
    /// A DFT-like contraction with a constant matrix.
    case constantContraction
    /// A contraction of two activations.
    case activationContraction
    /// Mean and padded maximum pooling, reductions by sum and mean.
    case pooling
    /// Pad, slice, and a concatenation of pieces with different quantisations.
    case moves
    /// ReLU, sigmoid, tanh, exp, log, abs and clip (lookup tables), joined by a concatenation.
    case lookups
    /// Every integer operation at once (the code generator's test model).
    case everything

    static let channels = 4
    static let length = 64
    /// Channels of the convolutions: odd, so that the C kernels' leftover output channel and filter-row tails run.
    static let features = 7

    var graph: Graph {
        get throws {
            var graph = Graph()
            let x = try graph.append(.input(name: "x"), shape: [Self.channels, Self.length], layer: "input")
            graph.outputs = [try build(x, in: &graph)]
            return graph
        }
    }

    private func build(_ x: Int, in graph: inout Graph) throws -> Int {
        switch self {
        case .convolutions: return try Self.pointwiseHead(Self.convolutions(x, in: &graph), in: &graph)
        case .elementwise: return try Self.spectrumArithmetic(x, in: &graph)
        case .constantContraction: return try Self.dft(x, in: &graph)
        case .activationContraction:
            let activated = try graph.append(.tanh, [x], layer: "tanh")
            return try graph.append(.contract(spec: try ContractSpec("ct,dt->cd")), [x, activated], layer: "gram")
        case .pooling:
            let (mean, maximum) = try Self.pools(x, in: &graph)
            let sum = try graph.append(.reduce(kind: .sum, axes: [0]), [maximum], layer: "sum")
            let average = try graph.append(.reduce(kind: .mean, axes: [0]), [mean], layer: "mean")
            return try graph.append(.add, [sum, average], layer: "combine")
        case .moves:
            let padded = try graph.append(.pad(axis: 1, before: 3, after: 5), [x], layer: "pad")
            let sliced = try graph.append(.slice(axis: 1, start: 1, count: 60), [padded], layer: "slice")
            let scale = try graph.append(.const(Tensor(shape: [1], scalars: [2.5])), layer: "scale")
            let scaled = try graph.append(.mul, [sliced, scale], layer: "scale")
            return try graph.append(.concat(axis: 0), [sliced, scaled], layer: "join")
        case .lookups:
            let functions: [Primitive] = [.relu, .sigmoid, .tanh, .exp, .abs, .clip(lower: -0.5, upper: 0.3)]
            var pieces = try functions.map { try graph.append($0, [x], layer: "\($0)") }
            pieces.append(try graph.append(.log, [pieces[1]], layer: "log"))
            return try graph.append(.concat(axis: 0), pieces, layer: "join")
        case .everything: return try Self.everything(x, in: &graph)
        }
    }

    /// `[4, 64] → [7, 64]`: a convolution (3 taps, dilation 2, same padding) with ReLU, a residual block, a
    /// convolution whose residual is its own input with a clip, and a causal depthwise convolution.
    private static func convolutions(_ x: Int, in graph: inout Graph) throws -> Int {
        let first = try Conv1d("conv", inputChannels: channels, outputChannels: features, kernelSize: 3, dilation: 2)(x, in: &graph)
        let activated = try graph.append(.relu, [first], layer: "conv")
        let block = try ResidualBlock("block", channels: features, kernelSize: 3, dilation: 2)(activated, in: &graph)
        let refined = try Conv1d("refine", inputChannels: features, outputChannels: features, kernelSize: 3)(block, in: &graph)
        let sum = try graph.append(.add, [refined, block], layer: "refine")
        let clipped = try graph.append(.clip(lower: -1, upper: 1.5), [sum], layer: "refine")
        return try DepthwiseConv1d("depthwise", channels: features, kernelSize: 5, padding: .causal)(clipped, in: &graph)
    }

    /// `[7, L] → [4, L]`: a 1 × 1 convolution written as a matrix product with a bias.
    private static func pointwiseHead(_ x: Int, in graph: inout Graph) throws -> Int {
        let weight = try graph.append(.param(name: "head.weight"), shape: [channels, features], layer: "head")
        let bias = try graph.append(.param(name: "head.bias"), shape: [channels, 1], layer: "head")
        let product = try graph.append(.contract(spec: try ContractSpec("oi,it->ot")), [weight, x], layer: "head")
        return try graph.append(.add, [product, bias], layer: "head")
    }

    /// As `SpectrumFrontEnd`: `p = (x · hann)²` over the per-channel peak of `p`, plus `x`, minus the taper.
    private static func spectrumArithmetic(_ x: Int, in graph: inout Graph) throws -> Int {
        let hann = Tensor(shape: [1, length], scalars: (0..<length).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(length))) })
        let tapered = try graph.append(.mul, [x, try graph.append(.const(hann), layer: "taper")], layer: "taper")
        let power = try graph.append(.mul, [tapered, tapered], layer: "power")
        let peak = try graph.append(.reduce(kind: .max, axes: [1]), [power], layer: "peak")
        let floor = try graph.append(.const(Tensor(shape: [1], scalars: [1e-2])), layer: "peak")
        let divisor = try graph.append(.reshape(shape: [channels, 1]), [try graph.append(.add, [peak, floor], layer: "peak")], layer: "peak")
        let normalised = try graph.append(.div, [power, divisor], layer: "normalise")
        let sum = try graph.append(.add, [normalised, x], layer: "sum")
        return try graph.append(.sub, [sum, tapered], layer: "difference")
    }

    /// `[C, 64] → [C, 16]`: projections on 16 cosines (`"ft,ct->cf"` with a constant).
    private static func dft(_ x: Int, in graph: inout Graph) throws -> Int {
        let bins = 16
        let cosines = (0..<(bins * length)).map { index in
            Float(cos(2 * Double.pi * Double((index / length) + 1) * Double(index % length) / Double(length)))
        }
        let matrix = try graph.append(.const(Tensor(shape: [bins, length], scalars: cosines)), layer: "dft")
        return try graph.append(.contract(spec: try ContractSpec("ft,ct->cf")), [matrix, x], layer: "dft")
    }

    /// `[C, 64] → ([C, 31], [C, 31])`: mean pooling (4 wide, stride 2) and a maximum over 3 with one zero padded on
    /// each side.
    private static func pools(_ x: Int, in graph: inout Graph) throws -> (mean: Int, maximum: Int) {
        let mean = try Pool1d("meanpool", kind: .mean, size: 4, stride: 2)(x, in: &graph)
        let padded = try graph.append(.pad(axis: 1, before: 1, after: 1), [mean], layer: "maxpool")
        let windows = try graph.append(.window(axis: 1, size: 3, stride: 1, dilation: 1), [padded], layer: "maxpool")
        return (mean, try graph.append(.reduce(kind: .max, axes: [1]), [windows], layer: "maxpool"))
    }

    /// Convolutions, then the spectrum arithmetic (with a sigmoid), then a DFT, pools, reductions, a slice and a
    /// contraction of two activations over it (10 values: the C dot product's tail runs), joined along the length
    /// and padded: every `IntegerOperation` case.
    private static func everything(_ x: Int, in graph: inout Graph) throws -> Int {
        let head = try pointwiseHead(convolutions(x, in: &graph), in: &graph)
        let spectrum = try spectrumArithmetic(head, in: &graph)
        let gate = try graph.append(.sigmoid, [head], layer: "gate")
        let gated = try graph.append(.sub, [spectrum, gate], layer: "gate")
        let (mean, maximum) = try pools(gated, in: &graph)
        let slice = try graph.append(.slice(axis: 1, start: 5, count: 10), [gated], layer: "slice")
        let gram = try graph.append(.contract(spec: try ContractSpec("ct,dt->cd")), [slice, slice], layer: "gram")
        func column(_ kind: Primitive.ReduceKind, _ source: Int) throws -> Int {
            let reduced = try graph.append(.reduce(kind: kind, axes: [1]), [source], layer: "\(kind)")
            return try graph.append(.reshape(shape: [channels, 1]), [reduced], layer: "\(kind)")
        }
        let pieces = [try dft(gated, in: &graph), mean, maximum, gram, try column(.mean, gated), try column(.sum, mean), slice]
        let joined = try graph.append(.concat(axis: 1), pieces, layer: "join")
        return try graph.append(.pad(axis: 1, before: 2, after: 2), [joined], layer: "pad")
    }
}

extension QuantisedModel {
    /// What the integer kernels compute, in words a test can list: the operation, with the variant (arithmetic,
    /// reduction, operands) that selects a different path in the kernels.
    var operationFeatures: Set<String> {
        var features = Set<String>()
        for kernel in kernels {
            switch kernel.operation {
            case .convolution(let input, let c):
                features.insert(c.residual == nil ? "convolution" : "convolution with residual")
                if c.residual?.operand == input { features.insert("convolution with its input as residual") }
                if case .convolution(let fused) = plan.kernels[kernel.kernel].operation, case .clip = fused.activation {
                    features.insert("clip")
                }
                if c.groups > 1 && c.groups == c.inputChannels { features.insert("depthwise") }
            case .binary(let b):
                switch b.arithmetic {
                case .add: features.insert("add")
                case .subtract: features.insert("subtract")
                case .multiply: features.insert("multiply")
                case .divide: features.insert("divide")
                }
                if zip(b.shape, zip(b.leftStrides, b.rightStrides)).contains(where: { $0 > 1 && ($1.0 == 0 || $1.1 == 0) }) {
                    features.insert("broadcast")
                }
            case .lookup: features.insert("lookup")
            case .reduction:
                if case .reduction(let kind, _) = plan.kernels[kernel.kernel].operation { features.insert("reduce \(kind)") }
            case .pooling:
                if case .pooling(let pooling) = plan.kernels[kernel.kernel].operation {
                    features.insert("\(pooling.reduction) pooling" + (pooling.padBefore > 0 ? " padded" : ""))
                }
            case .contraction(let c):
                let constant = [c.left, c.right].contains { if case .constant = $0 { return true } else { return false } }
                features.insert(constant ? "contraction with a constant" : "contraction of activations")
            case .move(let m):
                if m.fill != nil { features.insert("move with fill") }
                if m.pieces.contains(where: { $0.requantisation != nil }) { features.insert("requantised piece") }
                if m.pieces.contains(where: { $0.requantisation == nil }) { features.insert("copied piece") }
            }
        }
        return features
    }
}
