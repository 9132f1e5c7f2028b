import PulseGraph

extension ExportSession {
    /// A data move as `Reshape`, `Pad` (constant zeros), `Slice` or `Concat`; a `shift` as `Pad` then `Slice`.
    /// - Throws: `ONNXError` for a `window` outside a convolution or pooling pattern.
    mutating func exportDataMove(_ primitive: Primitive, at index: Int) throws {
        let instruction = graph.instructions[index]
        let layer = instruction.layer
        let source = instruction.inputs[0]
        switch primitive {
        case .reshape(let target):
            // Both layouts hold the values in the same row-major order, so either one reshapes.
            let layout: ExportLayout = batched[source] && !has(source, .plain) && has(source, .image) ? .image : .plain
            let input = try value(source, layout)
            let shapeInput = builder.addInitializer(integers: (batched[index] ? [0] : []) + target, name: layer + "/shape")
            record(index, builder.addNode("Reshape", [input, shapeInput], name: layer), .plain)
        case .pad(let axis, let before, let after):
            let layout = preferredLayout(for: source)
            let input = try value(source, layout)
            record(index, pad(input, axis: onnxAxis(axis, of: source, in: layout), rank: onnxRank(source, layout),
                              before: before, after: after, layer: layer), layout)
        case .slice(let axis, let start, let count):
            let layout = preferredLayout(for: source)
            let input = try value(source, layout)
            record(index, slice(input, axis: onnxAxis(axis, of: source, in: layout), start: start, count: count, layer: layer), layout)
        case .shift(let axis, let amount):
            let layout = preferredLayout(for: source)
            let input = try value(source, layout)
            let length = shape(source)[axis]
            let moved = min(Swift.abs(amount), length)
            let onnx = onnxAxis(axis, of: source, in: layout)
            let padded = pad(input, axis: onnx, rank: onnxRank(source, layout), before: amount > 0 ? moved : 0,
                             after: amount < 0 ? moved : 0, layer: layer)
            record(index, slice(padded, axis: onnx, start: amount < 0 ? moved : 0, count: length, layer: layer), layout)
        case .concat(let axis):
            let operands = instruction.inputs
            guard operands.allSatisfy({ batched[$0] == batched[source] }) else {
                throw ONNXError(location(index), "concat joins activations with parameters or constants; it needs one kind")
            }
            let layout: ExportLayout = operands.allSatisfy({ preferredLayout(for: $0) == .image }) ? .image : .plain
            var inputs: [String] = []
            for operand in operands { inputs.append(try value(operand, layout)) }
            record(index, builder.addNode("Concat", inputs, [ONNXAttribute.int("axis", onnxAxis(axis, of: source, in: layout))], name: layer),
                   layout)
        case .window:
            throw ONNXError(location(index), "a window outside a convolution or pooling pattern has no simple ONNX form (it "
                + "would take one Slice per tap and a Concat); only windows read by a convolution or a pooling reduce export")
        default:
            throw ONNXError(location(index), "is not a data move")
        }
    }

    /// The ONNX rank of instruction `index`'s value in `layout`.
    func onnxRank(_ index: Int, _ layout: ExportLayout) -> Int {
        guard batched[index] else { return shape(index).count }
        return layout == .image ? 4 : shape(index).count + 1
    }

    /// `Pad` of `input` (of ONNX rank `rank`) with zeros, `before` and `after` along ONNX axis `axis`.
    mutating func pad(_ input: String, axis: Int, rank: Int, before: Int, after: Int, layer: String) -> String {
        var pads = [Int](repeating: 0, count: 2 * rank)
        pads[axis] = before
        pads[rank + axis] = after
        return builder.addNode("Pad", [input, builder.addInitializer(integers: pads, name: layer + "/pads")], name: layer)
    }

    /// `Slice` of `count` entries of ONNX axis `axis` from `start`.
    mutating func slice(_ input: String, axis: Int, start: Int, count: Int, layer: String) -> String {
        let starts = builder.addInitializer(integers: [start], name: layer + "/starts")
        let ends = builder.addInitializer(integers: [start + count], name: layer + "/ends")
        let axes = builder.addInitializer(integers: [axis], name: layer + "/axes")
        return builder.addNode("Slice", [input, starts, ends, axes], name: layer)
    }
}
