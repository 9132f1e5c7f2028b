import Foundation
import PulseGraph
import Synchronization

/// A kernel plan made ready for inference: every kernel bound to an arena implementation, constants folded, and
/// the memory plan's offsets fixed. A batch runs in tiles of `tileSamples` windows, each tile through the whole
/// plan in one arena, so that a layer's working set stays in cache; tiles are spread over threads. The arenas
/// are kept and reused across calls: the inference path allocates nothing per kernel (kernels without an arena
/// implementation run through `GenericStep`, which does).
final class InferenceProgram: Sendable {
    let plan: KernelPlan
    let memory: MemoryPlan
    let kernels: [any InferenceKernel]
    /// The position in the plan of each of `kernels`.
    let planIndices: [Int]
    /// Parameters, constants and values folded from them, one after the other.
    let constantValues: [Float]
    /// Where each constant starts in `constantValues`, by instruction.
    let constantOffsets: [Int: Int]
    let scratchElements: Int
    /// Arenas (with their scratch) of finished calls, for the next ones.
    private let pool = Mutex<[[Float]]>([])

    /// Windows per tile.
    static let tileSamples = 8

    /// - Throws: `GraphError` when a folded constant cannot be computed.
    init(plan: KernelPlan, parameters: [String: Tensor]) throws {
        let graph = plan.graph
        self.plan = plan
        self.memory = MemoryPlan(plan: plan)
        var constants: [Int: Tensor] = [:]
        for (index, instruction) in graph.instructions.enumerated() {
            switch instruction.primitive {
            case .param(let name): constants[index] = parameters[name]
            case .const(let tensor): constants[index] = tensor
            default: break
            }
        }
        for kernel in plan.kernels where !kernel.dependsOnInput {
            for index in kernel.instructions.map(\.index) {
                let instruction = graph.instructions[index]
                let operands = try instruction.inputs.map { operand -> Value in
                    guard let tensor = constants[operand] else { throw GraphError("\(instruction.layer): constant operand \(operand) is missing") }
                    return Value(data: tensor.scalars, shape: tensor.shape, batched: false)
                }
                let value = try Executor.forward(instruction, operands)
                constants[index] = Tensor(shape: value.shape, scalars: value.data)
            }
        }
        for kernel in plan.kernels where kernel.dependsOnInput {
            for value in kernel.inputs + [kernel.output] where memory.bufferIndex[value] == nil && constants[value.index] == nil {
                throw GraphError("\(kernel.layer): a \(kernel.kind.rawValue) kernel reads or writes instruction \(value.index), "
                    + "which has no place in the arena")
            }
        }
        var constantValues: [Float] = []
        var constantOffsets: [Int: Int] = [:]
        for (index, tensor) in constants.sorted(by: { $0.key < $1.key }) {
            constantOffsets[index] = constantValues.count
            constantValues += tensor.scalars
        }
        self.constantValues = constantValues
        self.constantOffsets = constantOffsets
        let layouts = Self.layouts(plan, constants: constants)
        let bound = plan.kernels.enumerated().filter(\.element.dependsOnInput).compactMap { index, kernel -> (Int, any InferenceKernel)? in
            Self.bind(kernel, graph: graph, constants: constants, layouts: layouts).map { (index, $0) }
        }
        self.kernels = bound.map(\.1)
        self.planIndices = bound.map(\.0)
        self.scratchElements = kernels.map(\.scratchElements).max() ?? 0
    }

    /// The arena implementation of `kernel`, or `nil` for a reshape (which shares its operand's buffer).
    private static func bind(_ kernel: Kernel, graph: Graph, constants: [Int: Tensor], layouts: [InstructionID: ActivationLayout])
        -> (any InferenceKernel)? {
        let constantIndices = Set(constants.keys)
        switch kernel.operation {
        case .convolution(let convolution):
            guard let weight = constants[convolution.weight.index] else { break }
            let bias = convolution.bias.flatMap { constants[$0.index] }
            if let winograd = WinogradConvolution(kernel, weight: weight, bias: bias, layouts: layouts) { return winograd }
            if let pointwise = PointwiseStep(kernel, weight: weight, bias: bias, layouts: layouts) { return pointwise }
            if let dense = DenseStep(kernel, weight: weight, bias: bias) { return dense }
            if let blas = BLASConvolutionStep(kernel, weight: weight, bias: bias) { return blas }
        case .elementwise:
            return ElementwiseStep(kernel, graph: graph, constants: constantIndices)
        case .constantContraction:
            if let step = ConstantContractionStep(kernel, graph: graph), let values = constants[step.constant.index] {
                return step.prepared(with: values)
            }
        case .pooling:
            if let step = PoolingStep(kernel, layouts: layouts) { return step }
        case .reduction:
            if let step = ReductionStep(kernel, graph: graph) { return step }
        case .dataMove(.reshape):
            return nil
        default:
            break
        }
        return GenericStep(graph: graph, instructions: kernel.instructions.map(\.index), constants: constants)
    }

    /// Channels-last for the outputs of Winograd convolutions whose every reader takes that layout (Winograd
    /// convolutions, input and residual; pointwise convolutions and pooling along the length, input), and for the
    /// outputs of such pooling whose input is channels-last and whose every reader takes that layout.
    private static func layouts(_ plan: KernelPlan, constants: [Int: Tensor]) -> [InstructionID: ActivationLayout] {
        var winograd = Set<InstructionID>()
        var lengthReaders = Set<InstructionID>()
        for kernel in plan.kernels {
            if PoolingStep.poolsAlongLength(kernel) { lengthReaders.insert(kernel.output) }
            guard case .convolution(let convolution) = kernel.operation, let weight = constants[convolution.weight.index] else { continue }
            if WinogradConvolution(kernel, weight: weight, bias: nil, layouts: [:]) != nil { winograd.insert(kernel.output) }
            if PointwiseStep(kernel, weight: weight, bias: nil, layouts: [kernel.inputs[0]: .channelsLast]) != nil { lengthReaders.insert(kernel.output) }
        }
        var acceptsChannelsLast: [InstructionID: Bool] = [:]
        for kernel in plan.kernels {
            for (position, input) in kernel.inputs.enumerated() {
                let accepts = winograd.contains(kernel.output) || (position == 0 && lengthReaders.contains(kernel.output))
                acceptsChannelsLast[input] = (acceptsChannelsLast[input] ?? true) && accepts
            }
        }
        let outputs = Set(plan.outputs)
        var layouts: [InstructionID: ActivationLayout] = [:]
        for kernel in plan.kernels where !outputs.contains(kernel.output) && acceptsChannelsLast[kernel.output] == true {
            let pooled = PoolingStep.poolsAlongLength(kernel) && layouts[kernel.inputs[0]] == .channelsLast
            if winograd.contains(kernel.output) || pooled { layouts[kernel.output] = .channelsLast }
        }
        return layouts
    }

    /// The graph's outputs for a batch of inputs (each `[batch] + input shape`), on `threads` threads.
    func run(_ inputs: [String: Tensor], batch: Int, threads: Int) throws -> [Tensor] {
        let tiles = (batch + Self.tileSamples - 1) / Self.tileSamples
        let parts = max(1, min(threads, tiles))
        let pieces = try concurrentParts(count: tiles, parts: parts) { range in
            try self.runTiles(range, inputs: inputs, batch: batch)
        }
        return plan.outputs.enumerated().map { position, output in
            let shape = plan.graph.instructions[output.index].shape
            return Tensor(shape: [batch] + shape, scalars: pieces.flatMap { $0[position] })
        }
    }

    /// Runs tiles `range` of the batch in one arena; returns each output's values for those samples.
    private func runTiles(_ range: Range<Int>, inputs: [String: Tensor], batch: Int) throws -> [[Float]] {
        let tile = Self.tileSamples
        let arenaCount = memory.arenaElementsPerSample * tile
        var storage = pool.withLock { $0.popLast() } ?? []
        if storage.count < arenaCount + scratchElements { storage = [Float](repeating: 0, count: arenaCount + scratchElements) }
        defer { pool.withLock { $0.append(storage) } }
        let outputs = plan.outputs
        let outputCounts = outputs.map { plan.graph.instructions[$0.index].shape.reduce(1, *) }
        var results = outputCounts.map { [Float](repeating: 0, count: $0 * min(batch, range.upperBound * tile) - $0 * range.lowerBound * tile) }
        let inputIDs = plan.inputs
        let inputNames = inputIDs.map { id -> String in
            if case .input(let name) = plan.graph.instructions[id.index].primitive { return name }
            return ""
        }
        try storage.withUnsafeMutableBufferPointer { buffer in
            try constantValues.withUnsafeBufferPointer { values in
                guard let base = buffer.baseAddress, let constantBase = values.baseAddress ?? Optional(UnsafePointer(base)) else { return }
                let constantPointers = constantOffsets.mapValues { constantBase + $0 }
                for tileIndex in range {
                    let first = tileIndex * tile
                    let samples = min(tile, batch - first)
                    let arena = Arena(base: base, batch: samples, memory: memory, constants: constantPointers)
                    for (id, name) in zip(inputIDs, inputNames) {
                        guard let tensor = inputs[name] else { throw GraphError("input \(name) is missing") }
                        let width = tensor.count / max(batch, 1)
                        tensor.scalars.withUnsafeBufferPointer { source in
                            guard let start = source.baseAddress else { return }
                            arena.pointer(id).update(from: start + first * width, count: samples * width)
                        }
                    }
                    for kernel in kernels { try kernel.run(arena, scratch: base + arenaCount) }
                    for (position, output) in outputs.enumerated() {
                        let width = outputCounts[position]
                        let offset = (first - range.lowerBound * tile) * width
                        let source = arena.pointer(output)
                        results[position].withUnsafeMutableBufferPointer { destination in
                            guard let target = destination.baseAddress else { return }
                            (target + offset).update(from: source, count: samples * width)
                        }
                    }
                }
            }
        }
        return results
    }
}
