/// A model: instructions over Float32 tensors with static shapes, in an order where every operand comes first.
public struct Graph: Sendable, Equatable, Codable {
    public internal(set) var instructions: [Instruction] = []
    /// The instructions whose values the model returns.
    public var outputs: [Int] = []
    /// The key the next new instruction gets: one more than any key the graph has had.
    public internal(set) var nextKey = 0

    /// An empty graph.
    public init() {}

    private enum CodingKeys: String, CodingKey { case instructions, outputs }

    /// Decodes a graph; instructions written without keys get their positions as keys.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        instructions = try container.decode([Instruction].self, forKey: .instructions)
        outputs = try container.decode([Int].self, forKey: .outputs)
        for index in instructions.indices where instructions[index].key.value < 0 { instructions[index].key = InstructionKey(index) }
        nextKey = (instructions.map(\.key.value).max() ?? -1) + 1
    }

    /// Encodes the instructions (with their keys) and the outputs.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(instructions, forKey: .instructions)
        try container.encode(outputs, forKey: .outputs)
    }

    /// Graphs are equal when their instructions (keys included) and outputs are.
    public static func == (a: Graph, b: Graph) -> Bool { a.instructions == b.instructions && a.outputs == b.outputs }

    /// Appends an instruction after checking its operands and inferring its shape; returns its index.
    /// - Parameter shape: the declared shape of an `input` or `param` (ignored otherwise).
    /// - Throws: `GraphError` naming the layer when an operand is unknown or the shapes do not fit.
    @discardableResult
    public mutating func append(_ primitive: Primitive, _ inputs: [Int] = [], shape: [Int] = [], layer: String) throws -> Int {
        let index = try append(primitive, inputs, shape: shape, layer: layer, key: InstructionKey(nextKey))
        nextKey += 1
        return index
    }

    /// `append` with the key given: for rebuilding a graph whose instructions keep their keys.
    mutating func append(_ primitive: Primitive, _ inputs: [Int], shape: [Int], layer: String, key: InstructionKey) throws -> Int {
        guard inputs.allSatisfy({ $0 >= 0 && $0 < instructions.count }) else {
            throw GraphError("\(layer): \(primitive) refers to an instruction that does not exist yet")
        }
        let outputShape: [Int]
        do {
            try primitive.checkArguments(declared: shape)
            outputShape = try primitive.outputShape(inputs.map { instructions[$0].shape }, declared: shape)
            try Graph.checkSize(outputShape)
        } catch let error as GraphError {
            throw GraphError("\(layer): \(error.message)")
        }
        if case .param(let name) = primitive, instructions.contains(where: { $0.primitive == primitive }) {
            throw GraphError("\(layer): parameter \(name) is declared twice")
        }
        instructions.append(Instruction(primitive: primitive, inputs: inputs, shape: outputShape, layer: layer, key: key))
        nextKey = max(nextKey, key.value + 1)
        return instructions.count - 1
    }

    /// The longest axis and the most values a tensor of a graph may have: far beyond any model here, and small
    /// enough that no size computation overflows.
    public static let maximumExtent = 1 << 24
    public static let maximumElements = 1 << 28

    /// Throws unless every axis of `shape` lies in `1...maximumExtent` and the shape holds at most
    /// `maximumElements` values.
    static func checkSize(_ shape: [Int]) throws {
        var count = 1
        for extent in shape {
            guard extent >= 1, extent <= maximumExtent else { throw GraphError("shape \(shape) has an axis outside 1...\(maximumExtent)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= maximumElements else { throw GraphError("shape \(shape) holds more than \(maximumElements) values") }
            count = product
        }
    }

    /// Parameter names and shapes, in the order they are declared.
    public var parameters: [(name: String, shape: [Int])] {
        instructions.compactMap { instruction in
            if case .param(let name) = instruction.primitive { return (name, instruction.shape) }
            return nil
        }
    }

    /// Input names and shapes.
    public var inputs: [(name: String, shape: [Int])] {
        instructions.compactMap { instruction in
            if case .input(let name) = instruction.primitive { return (name, instruction.shape) }
            return nil
        }
    }

    /// Checks the whole graph again (operand order, shapes, outputs): for graphs read from files.
    public func validate() throws {
        var rebuilt = Graph()
        for instruction in instructions {
            let index = try rebuilt.append(instruction.primitive, instruction.inputs, shape: instruction.shape, layer: instruction.layer)
            guard rebuilt.instructions[index].shape == instruction.shape else {
                throw GraphError("\(instruction.layer): instruction \(index) claims shape \(instruction.shape), its operands give \(rebuilt.instructions[index].shape)")
            }
        }
        guard Set(instructions.map(\.key)).count == instructions.count else {
            throw GraphError("two instructions of the graph share a key")
        }
        guard !outputs.isEmpty, outputs.allSatisfy({ $0 >= 0 && $0 < instructions.count }) else {
            throw GraphError("the graph's outputs \(outputs) are not instructions of it")
        }
    }
}
