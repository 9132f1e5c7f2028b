import Foundation

extension Executor {
    /// The kernels of a graph: fused convolutions where the pattern allows, single instructions elsewhere, in
    /// execution order.
    enum Kernel {
        case instruction(Int)
        case convolution(FusedConvolution)
    }

    /// Recognises fusable patterns once.
    static func compile(_ graph: Graph) -> [Kernel] {
        var consumers = [[Int]](repeating: [], count: graph.instructions.count)
        for (index, instruction) in graph.instructions.enumerated() {
            for input in instruction.inputs { consumers[input].append(index) }
        }
        for output in graph.outputs { consumers[output].append(-1) }
        var batched: [Bool] = []
        for instruction in graph.instructions {
            if case .input = instruction.primitive { batched.append(true) } else { batched.append(instruction.inputs.contains { batched[$0] }) }
        }
        var fused: [Int: FusedConvolution] = [:]
        var covered = Set<Int>()
        for index in graph.instructions.indices {
            if let convolution = FusedConvolution(graph: graph, contract: index, consumers: consumers), batched[convolution.input] {
                fused[convolution.covered.last ?? index] = convolution
                covered.formUnion(convolution.covered)
            }
        }
        return graph.instructions.indices.compactMap { index in
            if let convolution = fused[index] { return .convolution(convolution) }
            return covered.contains(index) ? nil : .instruction(index)
        }
    }
}
