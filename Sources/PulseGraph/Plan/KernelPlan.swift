/// A graph compiled into kernels: the one description of what runs, read by the executor, the cost models, the
/// code generators and the ONNX exporter.
///
/// Fused patterns become one kernel each: a convolution in any of the forms `ConvolutionKernel` lists, with its
/// padding, bias, residual add and activation; a window reduced by mean or maximum (pooling). Every other
/// instruction is a kernel of its own, classified by what it does. Leaves (inputs, parameters, constants) are
/// not kernels. Kernels are in an order where each one's operands come first.
public struct KernelPlan: Sendable, Equatable {
    /// The graph the plan runs.
    public let graph: Graph
    /// The kernels in execution order.
    public let kernels: [Kernel]

    /// Compiles `graph`, which must be valid (`Graph.validate()`).
    /// - Parameter fusing: `false` makes every instruction a kernel of its own (the reference the fused
    ///   kernels are tested against).
    public init(graph: Graph, fusing: Bool = true) {
        self.graph = graph
        var matcher = PatternMatcher(graph: graph)
        var fused: [Int: Kernel] = [:]
        if fusing {
            for index in graph.instructions.indices {
                guard let kernel = matcher.convolution(endingAt: index) ?? matcher.pooling(at: index) else { continue }
                fused[kernel.output.index] = kernel
            }
        }
        var kernels: [Kernel] = []
        for index in graph.instructions.indices where !matcher.covered.contains(index) || fused[index] != nil {
            if let kernel = fused[index] {
                kernels.append(kernel)
            } else if let kernel = matcher.single(index) {
                kernels.append(kernel)
            }
        }
        self.kernels = kernels
    }

    /// The model's inputs.
    public var inputs: [InstructionID] {
        graph.instructions.indices.filter { if case .input = graph.instructions[$0].primitive { return true } else { return false } }
            .map(InstructionID.init)
    }

    /// The instructions whose values the model returns.
    public var outputs: [InstructionID] { graph.outputs.map(InstructionID.init) }

    /// Multiply-accumulates of kernel `kernel` for one sample: those of every instruction it covers.
    public func multiplyAccumulates(of kernel: Kernel) -> Int {
        kernel.instructions.reduce(0) { $0 + graph.cost(of: $1.index).multiplyAccumulates }
    }

    /// Number of kernels of each kind.
    public var kindCounts: [KernelKind: Int] {
        kernels.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }
}
