/// One node of a graph: a primitive on earlier instructions, its static output shape, and the layer that emitted it.
public struct Instruction: Sendable, Equatable, Codable {
    /// What the instruction computes.
    public var primitive: Primitive
    /// Indices of the operand instructions in the graph.
    public var inputs: [Int]
    /// Output shape without the batch axis.
    public var shape: [Int]
    /// The layer that emitted the instruction (`conv3`), so that reports speak in layers.
    public var layer: String
    /// The instruction's identity, kept across rewrites.
    public var key: InstructionKey

    /// An instruction; `key` is its identity within its graph.
    public init(primitive: Primitive, inputs: [Int], shape: [Int], layer: String, key: InstructionKey) {
        self.primitive = primitive
        self.inputs = inputs
        self.shape = shape
        self.layer = layer
        self.key = key
    }

    private enum CodingKeys: String, CodingKey { case primitive, inputs, shape, layer, key }

    /// Decodes an instruction; one written before instructions had keys gets key `-1`, which `Graph` replaces by
    /// the instruction's position.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        primitive = try container.decode(Primitive.self, forKey: .primitive)
        inputs = try container.decode([Int].self, forKey: .inputs)
        shape = try container.decode([Int].self, forKey: .shape)
        layer = try container.decode(String.self, forKey: .layer)
        key = try container.decodeIfPresent(InstructionKey.self, forKey: .key) ?? InstructionKey(-1)
    }
}
