/// One node of a graph: a primitive on earlier instructions, its static output shape, and the layer that emitted it.
public struct Instruction: Sendable, Equatable, Codable {
    public var primitive: Primitive
    /// Indices of the operand instructions in the graph.
    public var inputs: [Int]
    /// Output shape without the batch axis.
    public var shape: [Int]
    /// The layer that emitted the instruction (`conv3`), so that reports speak in layers.
    public var layer: String

    public init(primitive: Primitive, inputs: [Int], shape: [Int], layer: String) {
        self.primitive = primitive
        self.inputs = inputs
        self.shape = shape
        self.layer = layer
    }
}
