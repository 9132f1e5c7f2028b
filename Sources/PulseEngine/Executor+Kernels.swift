import PulseGraph

extension Executor {
    /// How the executor runs one kernel of the plan: through a fast kernel, or instruction by instruction through
    /// the generic path.
    enum Step: Sendable {
        case convolution(FusedConvolution)
        case depthwise(DepthwiseConvolution)
        case instructions([Int])
    }

    /// The steps of `plan`, with a fast kernel wherever one exists.
    static func steps(_ plan: KernelPlan) -> [Step] {
        plan.kernels.map { kernel in
            if let convolution = FusedConvolution(kernel) { return .convolution(convolution) }
            if let depthwise = DepthwiseConvolution(kernel) { return .depthwise(depthwise) }
            return .instructions(kernel.instructions.map(\.index))
        }
    }
}
