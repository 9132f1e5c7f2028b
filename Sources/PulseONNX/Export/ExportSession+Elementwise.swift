import PulseGraph

extension ExportSession {
    /// The ONNX operator of an element-wise primitive without parameters, or `nil`.
    static func elementwiseOperator(_ primitive: Primitive) -> String? {
        switch primitive {
        case .add: return "Add"
        case .sub: return "Sub"
        case .mul: return "Mul"
        case .div: return "Div"
        case .relu: return "Relu"
        case .abs: return "Abs"
        case .exp: return "Exp"
        case .log: return "Log"
        case .sigmoid: return "Sigmoid"
        case .tanh: return "Tanh"
        default: return nil
        }
    }

    /// An element-wise instruction. The graph broadcasts activations with their batch axes lined up and the other
    /// axes aligned on the last one; ONNX aligns every axis on the last one. A value that does not depend on the input
    /// lines up the same way in both; an activation of lower rank than the result gets unit axes after its batch axis.
    /// A `[C, L]` result is computed in the image layout when an activation operand is written only in that layout.
    mutating func exportElementwise(_ primitive: Primitive, at index: Int) throws {
        let instruction = graph.instructions[index]
        let layer = instruction.layer
        let first = instruction.inputs.first { batched[$0] } ?? instruction.inputs[0]
        let layout = batched[index] && shape(index).count == 2 ? preferredLayout(for: first) : .plain
        var operands: [String] = []
        for operand in instruction.inputs {
            operands.append(try broadcastOperand(operand, resultRank: shape(index).count, layout: layout, layer: layer))
        }
        let output: String
        if case .clip(let lower, let upper) = primitive {
            output = try clip(operands[0], lower: lower, upper: upper, layer: layer)
        } else if let op = Self.elementwiseOperator(primitive) {
            output = builder.addNode(op, operands, name: layer)
        } else {
            throw ONNXError(location(index), "is not an element-wise instruction")
        }
        record(index, output, layout)
    }

    /// Operand `operand` of an element-wise instruction whose result has `resultRank` static axes, shaped so that
    /// ONNX's broadcasting gives the graph's.
    private mutating func broadcastOperand(_ operand: Int, resultRank: Int, layout: ExportLayout, layer: String) throws -> String {
        let operandShape = shape(operand)
        if batched[operand] {
            if layout == .image {
                if operandShape.count == 2 { return try value(operand, .image) }
                let target = [0] + [Int](repeating: 1, count: 3 - operandShape.count) + operandShape
                let view = builder.addInitializer(integers: target, name: layer + "/shape")
                return builder.addNode("Reshape", [try value(operand, .plain), view], name: layer)
            }
            let plain = try value(operand, .plain)
            guard operandShape.count < resultRank else { return plain }
            let axes = builder.addInitializer(integers: Array(1...(resultRank - operandShape.count)), name: layer + "/axes")
            return builder.addNode("Unsqueeze", [plain, axes], name: layer)
        }
        // A value without batch axis: in the image layout its `[a, b]` (or `[b]`) must line up with `[C, 1, L]`.
        guard layout == .image, operandShape.count == 2 else { return try value(operand, .plain) }
        let imageShape = [operandShape[0], 1, operandShape[1]]
        if isLeaf(operand) { return try leaf(operand, shape: imageShape) }
        let view = builder.addInitializer(integers: imageShape, name: layer + "/shape")
        return builder.addNode("Reshape", [try value(operand, .plain), view], name: layer)
    }

    /// A `reduce` as `ReduceSum` (axes as an input, opset 13 and later), `ReduceMean` or `ReduceMax` (axes as an
    /// attribute until opset 18), without kept axes.
    mutating func exportReduction(_ kind: Primitive.ReduceKind, axes: [Int], at index: Int) throws {
        let instruction = graph.instructions[index]
        let source = instruction.inputs[0]
        let layer = instruction.layer
        let input = try value(source, .plain)
        let onnxAxes = axes.map { onnxAxis($0, of: source, in: .plain) }
        let output: String
        switch kind {
        case .sum:
            let axesInput = builder.addInitializer(integers: onnxAxes, name: layer + "/axes")
            output = builder.addNode("ReduceSum", [input, axesInput], [ONNXAttribute.int("keepdims", 0)], name: layer)
        case .mean, .max:
            output = builder.addNode(kind == .mean ? "ReduceMean" : "ReduceMax", [input],
                                     [ONNXAttribute.ints("axes", onnxAxes), ONNXAttribute.int("keepdims", 0)], name: layer)
        }
        record(index, output, .plain)
    }
}
