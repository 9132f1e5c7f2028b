import PulseGraph

/// What a cost model reads of one kernel, per sample: its arithmetic and the values it moves.
public struct KernelFeatures: Sendable, Equatable {
    /// Multiply-accumulates (one per value for element-wise arithmetic, pooling and reductions).
    public var multiplyAccumulates: Int
    /// Values of the activations the kernel reads.
    public var inputValues: Int
    /// Values the kernel writes.
    public var outputValues: Int
    /// Values of the parameters and constants the kernel reads.
    public var parameterValues: Int
    /// Whether the kernel's output depends on the model's input. One that does not is folded before inference
    /// and costs nothing per call.
    public var dependsOnInput: Bool

    /// Features given value by value.
    public init(multiplyAccumulates: Int, inputValues: Int, outputValues: Int, parameterValues: Int, dependsOnInput: Bool) {
        self.multiplyAccumulates = multiplyAccumulates
        self.inputValues = inputValues
        self.outputValues = outputValues
        self.parameterValues = parameterValues
        self.dependsOnInput = dependsOnInput
    }

    /// The features of `kernel` of `plan`.
    public init(_ kernel: Kernel, in plan: KernelPlan) {
        multiplyAccumulates = plan.multiplyAccumulates(of: kernel)
        inputValues = kernel.inputShapes.reduce(0) { $0 + $1.reduce(1, *) }
        outputValues = kernel.outputShape.reduce(1, *)
        parameterValues = kernel.parameters.reduce(0) { $0 + plan.graph.instructions[$1.index].shape.reduce(1, *) }
        dependsOnInput = kernel.dependsOnInput
    }

    /// Bytes the kernel reads and writes in `dataType`.
    public func bytesMoved(_ dataType: DataType) -> Int {
        (inputValues + outputValues + parameterValues) * dataType.bytes
    }
}
