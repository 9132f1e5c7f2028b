import PulseGraph

/// A kernel with no arena implementation: its instructions run through the generic path on copies of their
/// operands, and the result is copied into the arena. Correct for every graph; it allocates, so fast kernels
/// cover what real models use.
struct GenericStep: InferenceKernel {
    let graph: Graph
    let instructions: [Int]
    let constants: [Int: Tensor]

    var scratchElements: Int { 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        var local: [Int: Value] = [:]
        for index in instructions {
            let instruction = graph.instructions[index]
            let operands = instruction.inputs.map { operand -> Value in
                if let value = local[operand] { return value }
                if let tensor = constants[operand] { return Value(data: tensor.scalars, shape: tensor.shape, batched: false) }
                let shape = graph.instructions[operand].shape
                let count = arena.batch * shape.reduce(1, *)
                let pointer = arena.pointer(InstructionID(operand))
                return Value(data: Array(UnsafeBufferPointer(start: pointer, count: count)), shape: [arena.batch] + shape, batched: true)
            }
            local[index] = try Executor.forward(instruction, operands)
        }
        guard let last = instructions.last, let value = local[last] else { return }
        let destination = arena.pointer(InstructionID(last))
        value.data.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            destination.update(from: base, count: source.count)
        }
    }
}
