/// What one instruction costs per sample, known from shapes alone (no execution).
public struct InstructionCost: Sendable, Equatable {
    /// Multiply-accumulates: the product of every label's extent for a `contract`; one per output value for
    /// element-wise arithmetic and activations; one per input value for a `reduce`; 0 for moves of data.
    public var multiplyAccumulates: Int
    /// Bytes of the trainable parameter (or constant) the instruction declares, as Float32.
    public var parameterBytes: Int
    /// Bytes of the instruction's output for one sample, as Float32.
    public var outputBytes: Int
}

extension Graph {
    /// The cost of instruction `index` for one sample.
    public func cost(of index: Int) -> InstructionCost {
        let instruction = instructions[index]
        let outputCount = instruction.shape.reduce(1, *)
        let operandCounts = instruction.inputs.map { instructions[$0].shape.reduce(1, *) }
        var macs = 0
        var parameterBytes = 0
        switch instruction.primitive {
        case .param, .const:
            parameterBytes = 4 * outputCount
        case .contract(let spec):
            let shapes = instruction.inputs.map { instructions[$0].shape }
            macs = (try? spec.multiplyAccumulates(left: shapes[0], right: shapes[1])) ?? 0
        case .add, .sub, .mul, .div, .relu, .clip, .abs, .exp, .log, .sigmoid, .tanh:
            macs = outputCount
        case .reduce:
            macs = operandCounts.first ?? 0
        case .input, .pad, .window, .slice, .concat, .reshape, .shift:
            macs = 0
        }
        return InstructionCost(multiplyAccumulates: macs, parameterBytes: parameterBytes, outputBytes: 4 * outputCount)
    }

    /// Whether each instruction's value depends on an input (and so carries the batch axis), by index.
    public var dependsOnInput: [Bool] {
        var batched: [Bool] = []
        for instruction in instructions {
            if case .input = instruction.primitive { batched.append(true) } else { batched.append(instruction.inputs.contains { batched[$0] }) }
        }
        return batched
    }

    /// Bytes of every value that depends on the input, for one sample, as Float32: what an executor that keeps
    /// every intermediate value (as `Executor` does) holds per sample of a batch.
    public var activationBytesPerSample: Int {
        zip(instructions, dependsOnInput).reduce(0) { total, pair in
            pair.1 ? total + 4 * pair.0.shape.reduce(1, *) : total
        }
    }

    /// Multiply-accumulates of one sample through the whole graph.
    public var multiplyAccumulates: Int { instructions.indices.reduce(0) { $0 + cost(of: $1).multiplyAccumulates } }

    /// Number of trainable values.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// Costs summed per layer name, in the order layers first appear.
    public var costByLayer: [(layer: String, cost: InstructionCost)] {
        var order: [String] = []
        var totals: [String: InstructionCost] = [:]
        for index in instructions.indices {
            let layer = instructions[index].layer
            let cost = cost(of: index)
            if let total = totals[layer] {
                totals[layer] = InstructionCost(
                    multiplyAccumulates: total.multiplyAccumulates + cost.multiplyAccumulates,
                    parameterBytes: total.parameterBytes + cost.parameterBytes, outputBytes: total.outputBytes + cost.outputBytes)
            } else {
                order.append(layer)
                totals[layer] = cost
            }
        }
        return order.compactMap { layer in totals[layer].map { (layer, $0) } }
    }
}
