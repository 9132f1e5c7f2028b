import Synchronization
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

    /// The graph's outputs for `inputs`, the batch split over `threads` threads.
    public func infer(_ inputs: [String: Tensor], threads: Int = 1) throws -> [Tensor] {
        guard let batch = inputs.values.first?.shape.first, inputs.values.allSatisfy({ $0.shape.first == batch }) else {
            throw GraphError("inputs must share one leading batch axis")
        }
        let parts = max(1, min(threads, batch))
        if parts == 1 { return try run(inputs) }
        let bounds = (0...parts).map { $0 * batch / parts }
        let results = Mutex<[[Tensor]?]>(Array(repeating: nil, count: parts))
        let failure = Mutex<Error?>(nil)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = bounds[part]..<bounds[part + 1]
            let slice = inputs.mapValues { tensor -> Tensor in
                let width = tensor.count / max(tensor.shape[0], 1)
                return Tensor(shape: [range.count] + tensor.shape.dropFirst(), scalars: Array(tensor.scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
            }
            do {
                let output = try run(slice)
                results.withLock { $0[part] = output }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let pieces = results.withLock { $0.compactMap { $0 } }
        return graph.outputs.indices.map { output in
            let first = pieces[0][output]
            return Tensor(shape: [batch] + first.shape.dropFirst(), scalars: pieces.flatMap { $0[output].scalars })
        }
    }
}
