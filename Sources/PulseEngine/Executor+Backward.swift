import PulseGraph
import Foundation

extension Executor {
    /// Gradients of a scalar objective with respect to every parameter, by reverse-mode differentiation:
    /// `outputGradients[i]` is ∂objective/∂(output i) for the batch of `evaluation`.
    /// - Throws: `GraphError` when a gradient's shape differs from its output's.
    public func gradients(_ evaluation: Evaluation, outputGradients: [Tensor]) throws -> [String: Tensor] {
        let values = evaluation.values
        let needsGradient = graph.dependsOnParameters
        var adjoints = [[Float]?](repeating: nil, count: values.count)
        for (output, gradient) in zip(graph.outputs, outputGradients) {
            guard let value = values[output], gradient.shape == value.shape else {
                throw GraphError("gradient of output \(output) has shape \(gradient.shape), the output another")
            }
            accumulate(&adjoints[output], gradient.scalars)
        }
        var result: [String: Tensor] = [:]
        func addParameterGradient(_ index: Int, _ gradient: [Float]) {
            guard case .param(let name) = graph.instructions[index].primitive else { return }
            if var existing = result[name] {
                for i in existing.scalars.indices { existing.scalars[i] += gradient[i] }
                result[name] = existing
            } else {
                result[name] = Tensor(shape: graph.instructions[index].shape, scalars: gradient)
            }
        }
        for step in steps.reversed() {
            switch step {
            case .convolution(let convolution):
                guard let adjoint = adjoints[convolution.output], let output = values[convolution.output],
                      let input = values[convolution.input], let columns = evaluation.columns[convolution.output] else { continue }
                let gradients = convolution.backward(
                    adjoint, output: output, columns: columns, weight: try parameter(convolution.weight), inputShape: input.shape)
                addParameterGradient(convolution.weight, gradients.weight)
                if let bias = convolution.bias { addParameterGradient(bias, gradients.bias) }
                if needsGradient[convolution.input] { accumulate(&adjoints[convolution.input], gradients.input) }
                if let residual = convolution.residual, needsGradient[residual] { accumulate(&adjoints[residual], gradients.residual) }
            case .depthwise(let depthwise):
                guard let adjoint = adjoints[depthwise.output], let output = values[depthwise.output],
                      let input = values[depthwise.input] else { continue }
                let gradients = depthwise.backward(adjoint, output: output, input: input, weight: try parameter(depthwise.weight))
                addParameterGradient(depthwise.weight, gradients.weight)
                if let bias = depthwise.bias { addParameterGradient(bias, gradients.bias) }
                if needsGradient[depthwise.input] { accumulate(&adjoints[depthwise.input], gradients.input) }
                if let residual = depthwise.residual, needsGradient[residual] { accumulate(&adjoints[residual], gradients.residual) }
            case .instructions(let indices):
                for index in indices.reversed() {
                    guard let adjoint = adjoints[index], let output = values[index] else { continue }
                    let instruction = graph.instructions[index]
                    let operands = try instruction.inputs.map { input -> Value in
                        guard let value = values[input] else { throw GraphError("\(instruction.layer): operand \(input) was not kept") }
                        return value
                    }
                    let operandGradients = try backward(instruction, operands, output: output, adjoint: adjoint)
                    for (operand, gradient) in zip(instruction.inputs, operandGradients) where needsGradient[operand] {
                        if let gradient { accumulate(&adjoints[operand], gradient) }
                    }
                }
            }
        }
        for (index, instruction) in graph.instructions.enumerated() {
            if case .param = instruction.primitive, let adjoint = adjoints[index] { addParameterGradient(index, adjoint) }
        }
        for (name, shape) in graph.parameters where result[name] == nil {
            result[name] = Tensor(shape: shape, repeating: 0)
        }
        return result
    }

    private func accumulate(_ adjoint: inout [Float]?, _ gradient: [Float]) {
        if var existing = adjoint {
            for i in existing.indices { existing[i] += gradient[i] }
            adjoint = existing
        } else {
            adjoint = gradient
        }
    }

    /// The gradients of an instruction's operands, given the gradient `g` of its output.
    private func backward(_ instruction: Instruction, _ operands: [Value], output y: Value, adjoint g: [Float]) throws -> [[Float]?] {
        let x = operands.first ?? y
        switch instruction.primitive {
        case .input, .param, .const:
            return []
        case .pad(let axis, let before, _):
            let a = x.runtimeAxis(axis)
            let (outer, length, inner) = y.around(a)
            return [slice(g, outer: outer, length: length, inner: inner, start: before, count: x.shape[a])]
        case .window(let axis, let size, let stride, let dilation):
            let a = x.runtimeAxis(axis)
            let (outer, length, inner) = x.around(a)
            return [unwindow(g, outer: outer, length: length, inner: inner, size: size, stride: stride, dilation: dilation)]
        case .slice(let axis, let start, let count):
            let a = x.runtimeAxis(axis)
            let (outer, length, inner) = x.around(a)
            return [pad(g, outer: outer, length: count, inner: inner, before: start, after: length - start - count)]
        case .concat(let axis):
            let a = y.runtimeAxis(axis)
            let (outer, total, inner) = y.around(a)
            var offset = 0
            return operands.map { operand in
                let length = operand.shape[a]
                defer { offset += length }
                return slice(g, outer: outer, length: total, inner: inner, start: offset, count: length)
            }
        case .reshape:
            return [g]
        case .shift(let axis, let amount):
            let a = x.runtimeAxis(axis)
            let (outer, length, inner) = x.around(a)
            return [shift(g, outer: outer, length: length, inner: inner, amount: -amount)]
        case .contract(let spec):
            let spec = try spec.batched(left: operands[0].batched, right: operands[1].batched)
            let leftGradient = try contract(ContractSpec(left: spec.output, right: spec.right, output: spec.left),
                                            left: g, leftShape: y.shape, right: operands[1].data, rightShape: operands[1].shape).values
            let rightGradient = try contract(ContractSpec(left: spec.left, right: spec.output, output: spec.right),
                                             left: operands[0].data, leftShape: operands[0].shape, right: g, rightShape: y.shape).values
            return [leftGradient, rightGradient]
        case .add, .sub, .mul, .div:
            return try binaryBackward(instruction.primitive, operands[0], operands[1], output: y, adjoint: g)
        case .relu:
            return [zip(g, x.data).map { $1 > 0 ? $0 : 0 }]
        case .clip(let lower, let upper):
            return [zip(g, x.data).map { $1 > lower && $1 < upper ? $0 : 0 }]
        case .abs:
            return [zip(g, x.data).map { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
        case .exp:
            return [zip(g, y.data).map(*)]
        case .log:
            return [zip(g, x.data).map(/)]
        case .sigmoid:
            return [zip(g, y.data).map { $0 * $1 * (1 - $1) }]
        case .tanh:
            return [zip(g, y.data).map { $0 * (1 - $1 * $1) }]
        case .reduce(let kind, let axes):
            return [reduceBackward(x, kind: kind, axes: axes.map(x.runtimeAxis), output: y, adjoint: g)]
        }
    }

    private func binaryBackward(_ primitive: Primitive, _ a: Value, _ b: Value, output y: Value, adjoint g: [Float]) throws -> [[Float]?] {
        let (aShape, bShape, shape) = try Self.broadcastShapes(a, b)
        let aFull = broadcast(a.data, aShape, [0], [Int](repeating: 1, count: shape.count), to: shape) { x, _ in x }
        let bFull = broadcast([0], [Int](repeating: 1, count: shape.count), b.data, bShape, to: shape) { _, x in x }
        let (da, db): ([Float], [Float])
        switch primitive {
        case .add: (da, db) = (g, g)
        case .sub: (da, db) = (g, g.map { -$0 })
        case .mul: (da, db) = (zip(g, bFull).map(*), zip(g, aFull).map(*))
        case .div:
            da = zip(g, bFull).map(/)
            db = (0..<g.count).map { -g[$0] * aFull[$0] / (bFull[$0] * bFull[$0]) }
        default: throw GraphError("\(primitive) is not a binary primitive")
        }
        return [sumToShape(da, shape, aShape), sumToShape(db, shape, bShape)]
    }

    private func reduceBackward(_ x: Value, kind: Primitive.ReduceKind, axes: [Int], output y: Value, adjoint g: [Float]) -> [Float] {
        // Broadcast the output (and its gradient) back over the reduced axes, in x's axis order.
        let kept = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let gFull = broadcast(g, kept, [0], [Int](repeating: 1, count: x.shape.count), to: x.shape) { v, _ in v }
        switch kind {
        case .sum:
            return gFull
        case .mean:
            let size = Float(axes.reduce(1) { $0 * x.shape[$1] })
            return gFull.map { $0 / size }
        case .max:
            // The gradient goes to the first maximum of each group only.
            let yFull = broadcast(y.data, kept, [0], [Int](repeating: 1, count: x.shape.count), to: x.shape) { v, _ in v }
            let groupIndex = broadcast((0..<y.data.count).map(Float.init), kept, [0], [Int](repeating: 1, count: x.shape.count), to: x.shape) { v, _ in v }
            var taken = Set<Int>()
            return (0..<x.data.count).map { i in
                let group = Int(groupIndex[i])
                guard x.data[i] == yFull[i], !taken.contains(group) else { return 0 }
                taken.insert(group)
                return gFull[i]
            }
        }
    }
}

extension Graph {
    /// Per instruction, whether it depends on a parameter (only those need gradients).
    var dependsOnParameters: [Bool] {
        var result: [Bool] = []
        for instruction in instructions {
            if case .param = instruction.primitive { result.append(true) } else { result.append(instruction.inputs.contains { result[$0] }) }
        }
        return result
    }
}
