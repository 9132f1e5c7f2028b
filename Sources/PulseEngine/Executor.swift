import PulseGraph
import CBLAS
import CMalloc
import Foundation
import Synchronization

/// Runs a graph on a batch, with gradients by reverse-mode differentiation (see `Executor+Backward.swift`).
///
/// The graph runs as its `KernelPlan`. For training (`evaluate`, `gradients`), dense and grouped 1-D convolutions
/// (bias, residual add and activation fused) run as BLAS-backed kernels and depthwise ones directly, forward and
/// backward; every other kernel runs its instructions through the generic path. `infer` runs the plan as an
/// `InferenceProgram` (arena, Winograd and SIMD kernels). `fusing: false` runs everything through the generic path,
/// the reference the fast kernels are tested against.
public struct Executor: Sendable {
    /// The graph the executor runs.
    public let graph: Graph
    /// The parameters' values, by name.
    public var parameters: [String: Tensor] {
        didSet { programCache = ProgramCache() }
    }
    /// The kernels the graph compiles to.
    public let plan: KernelPlan
    let steps: [Step]
    /// Whether fast kernels are used (else everything runs through the generic path).
    let fusing: Bool
    /// The inference program for the current parameters, made on first use; a new cache for new parameters.
    private var programCache = ProgramCache()

    /// The most bytes of activations one call of `infer` holds at once by default (2 GiB).
    public static let defaultActivationBudgetBytes = 1 << 31
    /// The most bytes of activations one call of `infer` holds at once; larger batches run in parts.
    public var activationBudgetBytes = Executor.defaultActivationBudgetBytes

    /// - Throws: `GraphError` when the graph is invalid, an output does not depend on an input, one sample's
    ///   activations exceed `defaultActivationBudgetBytes`, or a parameter is missing or of the wrong shape.
    public init(graph: Graph, parameters: [String: Tensor], fusing: Bool = true) throws {
        try graph.validate()
        let dependsOnInput = graph.dependsOnInput
        for output in graph.outputs where !dependsOnInput[output] {
            let instruction = graph.instructions[output]
            throw GraphError("\(instruction.layer): output instruction \(output) (\(instruction.primitive)) does not depend on the "
                + "input; a model's outputs must be computed from its input")
        }
        let bytes = graph.activationBytesPerSample
        guard bytes <= Self.defaultActivationBudgetBytes else {
            throw GraphError("one sample needs \(bytes / (1 << 20)) MiB of activations, more than the "
                + "\(Self.defaultActivationBudgetBytes / (1 << 20)) MiB an executor may hold")
        }
        for (name, shape) in graph.parameters {
            guard let tensor = parameters[name] else { throw GraphError("parameter \(name) is missing") }
            guard tensor.shape == shape else { throw GraphError("parameter \(name) has shape \(tensor.shape), the graph needs \(shape)") }
        }
        self.graph = graph
        self.parameters = parameters
        self.plan = KernelPlan(graph: graph, fusing: fusing)
        self.steps = Executor.steps(plan)
        self.fusing = fusing
        Executor.configureRuntime()
    }

    /// Applies the process-wide settings the executor relies on (once): OpenBLAS on one thread with its worker
    /// threads stopped, and freed memory kept for reuse. Call it before any other use of BLAS or LAPACK in the
    /// process: stopping OpenBLAS's threads while another thread's call is using them crashes.
    public static func configureRuntime() {
        _ = singleThreadedBLAS
        _ = reusedHeap
    }

    /// glibc keeps freed memory for reuse instead of returning it to the system: a training step allocates and
    /// frees megabyte-sized arrays by the dozen, and fresh pages from the kernel (mapped, faulted, zeroed) cost
    /// more than the arithmetic (measured: 40 % of training time).
    private static let reusedHeap: Void = pulse_keep_freed_memory()

    /// OpenBLAS runs on one thread, and its idle worker threads are stopped: the executor's matrices are small,
    /// where OpenBLAS's own threads spend their time yielding to each other (measured: 40 % of training time in the
    /// scheduler), the idle ones kept polling the scheduler on the second core (a batch-1 inference split over
    /// two threads ran at 0.6× one thread's speed), and the executor spreads work over threads itself.
    private static let singleThreadedBLAS: Void = {
        openblas_set_num_threads(1)
        _ = blas_thread_shutdown_()
    }()

    /// The values of the graph's outputs for `inputs` (each of shape `[batch] + input shape`).
    public func run(_ inputs: [String: Tensor]) throws -> [Tensor] {
        try evaluate(inputs).outputs
    }

    /// Runs every kernel on `inputs` and keeps what `gradients(_:outputGradients:)` needs.
    /// - Throws: `GraphError` when an input is missing or of the wrong shape, or the batch sizes differ.
    public func evaluate(_ inputs: [String: Tensor]) throws -> Evaluation {
        var values = [Value?](repeating: nil, count: graph.instructions.count)
        var columns: [Int: [Float]] = [:]
        var batchSize: Int?
        for (index, instruction) in graph.instructions.enumerated() {
            switch instruction.primitive {
            case .input(let name):
                guard let tensor = inputs[name] else { throw GraphError("input \(name) is missing") }
                guard tensor.shape.count == instruction.shape.count + 1, Array(tensor.shape.dropFirst()) == instruction.shape else {
                    throw GraphError("input \(name) has shape \(tensor.shape), the graph needs [batch] + \(instruction.shape)")
                }
                if let batchSize, batchSize != tensor.shape[0] { throw GraphError("inputs have different batch sizes") }
                batchSize = tensor.shape[0]
                values[index] = Value(data: tensor.scalars, shape: tensor.shape, batched: true)
            case .param, .const:
                let tensor = try parameter(index)
                values[index] = Value(data: tensor.scalars, shape: tensor.shape, batched: false)
            default:
                break
            }
        }
        for step in steps {
            switch step {
            case .convolution(let convolution):
                guard let x = values[convolution.input], x.batched else {
                    throw GraphError("\(graph.instructions[convolution.output].layer): convolution \(convolution.output) needs a batched input")
                }
                let residual = try convolution.residual.map { index -> Value in
                    guard let value = values[index] else {
                        throw GraphError("\(graph.instructions[convolution.output].layer): convolution \(convolution.output)'s residual \(index) was not computed")
                    }
                    return value
                }
                let (output, saved) = try convolution.forward(
                    x, weight: parameter(convolution.weight), bias: convolution.bias.map(parameter), residual: residual)
                values[convolution.output] = output
                columns[convolution.output] = saved
            case .depthwise(let depthwise):
                guard let x = values[depthwise.input], x.batched else {
                    throw GraphError("\(graph.instructions[depthwise.output].layer): depthwise convolution \(depthwise.output) needs a batched input")
                }
                let residual = try depthwise.residual.map { index -> Value in
                    guard let value = values[index] else {
                        throw GraphError("\(graph.instructions[depthwise.output].layer): depthwise convolution \(depthwise.output)'s residual \(index) was not computed")
                    }
                    return value
                }
                values[depthwise.output] = try depthwise.forward(
                    x, weight: parameter(depthwise.weight), bias: depthwise.bias.map(parameter), residual: residual)
            case .instructions(let indices):
                for index in indices {
                    let instruction = graph.instructions[index]
                    let operands = try instruction.inputs.map { input -> Value in
                        guard let value = values[input] else { throw GraphError("\(instruction.layer): operand \(input) was not computed") }
                        return value
                    }
                    values[index] = try Self.forward(instruction, operands)
                }
            }
        }
        return Evaluation(graph: graph, values: values, columns: columns)
    }

    /// The tensor of a `param` or `const` instruction.
    func parameter(_ index: Int) throws -> Tensor {
        switch graph.instructions[index].primitive {
        case .param(let name):
            guard let tensor = parameters[name] else { throw GraphError("parameter \(name) is missing") }
            return tensor
        case .const(let tensor):
            return tensor
        default:
            throw GraphError("instruction \(index) is not a parameter")
        }
    }

    /// The value of `instruction` from its operands' values: the generic path.
    static func forward(_ instruction: Instruction, _ operands: [Value]) throws -> Value {
        let x = operands.first ?? Value(data: [], shape: [], batched: false)
        let batched = operands.contains { $0.batched }
        func reshaped(_ data: [Float], axis: Int, extent: Int) -> Value {
            var shape = x.shape
            shape[axis] = extent
            return Value(data: data, shape: shape, batched: batched)
        }
        switch instruction.primitive {
        case .input, .param, .const:
            throw GraphError("\(instruction.layer): leaf instructions have no forward kernel")
        case .pad(let axis, let before, let after):
            let a = x.runtimeAxis(axis)
            let (outer, length, inner) = x.around(a)
            return reshaped(pad(x.data, outer: outer, length: length, inner: inner, before: before, after: after), axis: a, extent: length + before + after)
        case .window(let axis, let size, let stride, let dilation):
            let a = x.runtimeAxis(axis)
            let (outer, length, inner) = x.around(a)
            var shape = x.shape
            shape.replaceSubrange(a...a, with: [size, (length - dilation * (size - 1) - 1) / stride + 1])
            return Value(data: window(x.data, outer: outer, length: length, inner: inner, size: size, stride: stride, dilation: dilation),
                         shape: shape, batched: batched)
        case .slice(let axis, let start, let count):
            let a = x.runtimeAxis(axis)
            let (outer, length, inner) = x.around(a)
            return reshaped(slice(x.data, outer: outer, length: length, inner: inner, start: start, count: count), axis: a, extent: count)
        case .concat(let axis):
            guard operands.allSatisfy({ $0.batched == operands[0].batched }) else {
                throw GraphError("\(instruction.layer): concat joins activations with parameters or constants; it needs one kind")
            }
            return concatenate(operands, axis: axis)
        case .reshape(let shape):
            return Value(data: x.data, shape: (x.batched ? [x.shape[0]] : []) + shape, batched: x.batched)
        case .shift(let axis, let amount):
            let a = x.runtimeAxis(axis)
            let (outer, length, inner) = x.around(a)
            return Value(data: shift(x.data, outer: outer, length: length, inner: inner, amount: amount), shape: x.shape, batched: batched)
        case .contract(let spec):
            let spec = try spec.batched(left: operands[0].batched, right: operands[1].batched)
            let (data, shape) = try contract(spec, left: operands[0].data, leftShape: operands[0].shape,
                                             right: operands[1].data, rightShape: operands[1].shape)
            return Value(data: data, shape: shape, batched: batched)
        case .add: return try binary(operands, +)
        case .sub: return try binary(operands, -)
        case .mul: return try binary(operands, *)
        case .div: return try binary(operands, /)
        case .relu: return unary(x) { max($0, 0) }
        case .clip(let lower, let upper): return unary(x) { min(max($0, lower), upper) }
        case .abs: return unary(x) { Swift.abs($0) }
        case .exp: return unary(x) { Foundation.exp($0) }
        case .log: return unary(x) { Foundation.log($0) }
        case .sigmoid: return unary(x) { 1 / (1 + Foundation.exp(-$0)) }
        case .tanh: return unary(x) { Foundation.tanh($0) }
        case .reduce(let kind, let axes):
            return reduce(x, kind: kind, axes: axes.map(x.runtimeAxis))
        }
    }

    private static func unary(_ x: Value, _ f: (Float) -> Float) -> Value {
        Value(data: x.data.map(f), shape: x.shape, batched: x.batched)
    }

    /// Runtime shapes of two operands for broadcasting, and the output shape.
    static func broadcastShapes(_ a: Value, _ b: Value) throws -> ([Int], [Int], [Int]) {
        let rank = max(a.batched ? a.shape.count - 1 : a.shape.count, b.batched ? b.shape.count - 1 : b.shape.count)
        let withBatch = a.batched || b.batched
        let aShape = a.broadcastShape(rank: rank, withBatch: withBatch)
        let bShape = b.broadcastShape(rank: rank, withBatch: withBatch)
        return (aShape, bShape, try PulseGraph.broadcastShape(aShape, bShape))
    }

    private static func binary(_ operands: [Value], _ f: (Float, Float) -> Float) throws -> Value {
        let (a, b) = (operands[0], operands[1])
        let (aShape, bShape, shape) = try broadcastShapes(a, b)
        return Value(data: broadcast(a.data, aShape, b.data, bShape, to: shape, f), shape: shape, batched: a.batched || b.batched)
    }

    private static func concatenate(_ operands: [Value], axis: Int) -> Value {
        let batched = operands.contains { $0.batched }
        let a = batched ? axis + 1 : axis
        let first = operands[0]
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        let total = operands.reduce(0) { $0 + $1.shape[a] }
        var data = [Float](repeating: 0, count: outer * total * inner)
        var offset = 0
        for operand in operands {
            let length = operand.shape[a]
            for o in 0..<outer {
                for j in 0..<(length * inner) { data[(o * total + offset) * inner + j] = operand.data[o * length * inner + j] }
            }
            offset += length
        }
        var shape = first.shape
        shape[a] = total
        return Value(data: data, shape: shape, batched: batched)
    }

    private static func reduce(_ x: Value, kind: Primitive.ReduceKind, axes: [Int]) -> Value {
        let keep = x.shape.indices.filter { !axes.contains($0) }
        let order = keep + axes
        let moved = permute(x.data, shape: x.shape, order: order)
        let groups = keep.reduce(1) { $0 * x.shape[$1] }
        let size = axes.reduce(1) { $0 * x.shape[$1] }
        let data = (0..<groups).map { g -> Float in
            let part = moved[(g * size)..<((g + 1) * size)]
            switch kind {
            case .sum: return part.reduce(0, +)
            case .mean: return part.reduce(0, +) / Float(size)
            case .max: return part.max() ?? 0
            }
        }
        return Value(data: data, shape: keep.map { x.shape[$0] }, batched: x.batched)
    }
}

/// Holds an executor's inference program once it is made.
final class ProgramCache: Sendable {
    let program = Mutex<InferenceProgram?>(nil)
}

extension Executor {
    /// Makes the inference program now rather than on the first call of `infer`, so that the first window's
    /// latency is like every other's.
    /// - Throws: `GraphError` when a constant of the graph cannot be folded.
    public func prepareInference() throws {
        guard fusing else { return }
        _ = try inferenceProgram()
    }

    /// The inference program for the current parameters.
    func inferenceProgram() throws -> InferenceProgram {
        try programCache.program.withLock { cached in
            if let cached { return cached }
            let program = try InferenceProgram(plan: plan, parameters: parameters)
            cached = program
            return program
        }
    }
}

/// How long one kernel of an executor's inference program takes.
public struct KernelTiming: Sendable, Equatable {
    /// The kernel's position in the executor's plan.
    public var kernel: Int
    /// The arena implementation that ran it (`WinogradConvolution`, `GenericStep`, ...).
    public var implementation: String
    /// Seconds per sample: the median over the runs, divided by the samples of a tile.
    public var secondsPerSample: Double
}

extension Executor {
    /// Times every kernel of the inference program on one tile of `min(batch, 8)` samples, `repeats` times, with
    /// inputs uniform in [-1, 1). Kernels folded before inference and reshapes are not listed.
    /// - Throws: `GraphError` when the inference program cannot be made.
    public func kernelTimings(batch: Int, repeats: Int) throws -> [KernelTiming] {
        try inferenceProgram().timeKernels(samples: batch, repeats: repeats).map {
            KernelTiming(kernel: $0.planIndex, implementation: $0.implementation, secondsPerSample: $0.secondsPerSample)
        }
    }
}
