import Synchronization
import Foundation

extension Executor {
    /// The kernels of a graph for inference: fused convolutions where the pattern allows, single instructions
    /// elsewhere, in execution order.
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
        var fused: [Int: FusedConvolution] = [:]
        var covered = Set<Int>()
        for index in graph.instructions.indices {
            if let convolution = FusedConvolution(graph: graph, contract: index, consumers: consumers) {
                fused[convolution.covered.last ?? index] = convolution
                covered.formUnion(convolution.covered)
            }
        }
        return graph.instructions.indices.compactMap { index in
            if let convolution = fused[index] { return .convolution(convolution) }
            return covered.contains(index) ? nil : .instruction(index)
        }
    }

    /// The graph's outputs for `inputs`, with fused kernels and without keeping intermediate values: the fast
    /// path for inference. Splits the batch over `threads` threads.
    public func infer(_ inputs: [String: Tensor], threads: Int = 1) throws -> [Tensor] {
        guard let batch = inputs.values.first?.shape.first else { throw GraphError("no input given") }
        let parts = max(1, min(threads, batch))
        if parts == 1 { return try inferSerially(inputs) }
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
                let output = try inferSerially(slice)
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

    private func inferSerially(_ inputs: [String: Tensor]) throws -> [Tensor] {
        var values = [Value?](repeating: nil, count: graph.instructions.count)
        for kernel in kernels {
            switch kernel {
            case .convolution(let convolution):
                guard let x = values[convolution.input], case .param(let weightName) = graph.instructions[convolution.weight].primitive,
                      let weight = parameters[weightName] else { throw GraphError("fused convolution lacks an operand") }
                var bias: Tensor?
                if let index = convolution.bias, case .param(let biasName) = graph.instructions[index].primitive { bias = parameters[biasName] }
                values[convolution.covered.last ?? convolution.weight] = convolution.run(x, weight: weight, bias: bias)
            case .instruction(let index):
                let instruction = graph.instructions[index]
                switch instruction.primitive {
                case .input(let name):
                    guard let tensor = inputs[name], Array(tensor.shape.dropFirst()) == instruction.shape else {
                        throw GraphError("input \(name) is missing or not of shape [batch] + \(instruction.shape)")
                    }
                    values[index] = Value(data: tensor.scalars, shape: tensor.shape, batched: true)
                case .param(let name):
                    guard let tensor = parameters[name] else { throw GraphError("parameter \(name) is missing") }
                    values[index] = Value(data: tensor.scalars, shape: tensor.shape, batched: false)
                case .const(let tensor):
                    values[index] = Value(data: tensor.scalars, shape: tensor.shape, batched: false)
                default:
                    let operands = try instruction.inputs.map { input -> Value in
                        guard let value = values[input] else { throw GraphError("\(instruction.layer): operand \(input) was not computed") }
                        return value
                    }
                    values[index] = try forward(instruction, operands)
                }
            }
        }
        return try graph.outputs.map { output in
            guard let value = values[output] else { throw GraphError("output \(output) was not computed") }
            return Tensor(shape: value.shape, scalars: value.data)
        }
    }
}
