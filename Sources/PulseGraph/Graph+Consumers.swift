extension Graph {
    /// For each instruction, the instructions that read its value, in graph order (an instruction that reads a
    /// value twice is listed twice).
    public var consumers: [[Int]] {
        var consumers = [[Int]](repeating: [], count: instructions.count)
        for (index, instruction) in instructions.enumerated() {
            for input in instruction.inputs { consumers[input].append(index) }
        }
        return consumers
    }

    /// Whether each instruction's value is read by exactly one instruction and is not an output: such a value
    /// can live inside a fused kernel and never be stored.
    public var hasSingleConsumer: [Bool] {
        let consumers = consumers
        let outputs = Set(outputs)
        return instructions.indices.map { consumers[$0].count == 1 && !outputs.contains($0) }
    }
}
