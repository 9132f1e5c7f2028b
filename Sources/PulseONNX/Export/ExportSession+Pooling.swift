import PulseGraph

extension ExportSession {
    /// A pooling kernel. The pooled axis becomes the height of a `[N, outer, L, inner]` view (or, for a `[C, L]`
    /// activation pooled along `L`, the width of the image layout `[N, C, 1, L]`), pooled by:
    /// - `MaxPool`, after an explicit zero `Pad` when the window is padded (ONNX's pooling ignores padded positions,
    ///   the graph's `pad` adds zeros that take part in the maximum);
    /// - `AveragePool` with `count_include_pad = 1` for a mean (the graph's mean divides by the whole window, zeros
    ///   included);
    /// - a depthwise `Conv` with constant weights for a sum, and for a mean over a dilated window (opset 17's
    ///   `AveragePool` has no dilation).
    mutating func exportPooling(_ pooling: PoolingKernel, _ kernel: Kernel) throws {
        let source = kernel.inputs[0].index
        let output = kernel.output.index
        let layer = kernel.layer
        let sourceShape = shape(source)
        let alongWidth = sourceShape.count == 2 && pooling.axis == 1
        var input: String
        let channels: Int
        if alongWidth {
            input = try value(source, .image)
            channels = sourceShape[0]
        } else {
            let outer = sourceShape[..<pooling.axis].reduce(1, *)
            let inner = sourceShape[(pooling.axis + 1)...].reduce(1, *)
            let view = builder.addInitializer(integers: [0, outer, sourceShape[pooling.axis], inner], name: layer + "/shape")
            input = builder.addNode("Reshape", [try value(source, .plain), view], name: layer)
            channels = outer
        }
        func spatial(_ value: Int, other: Int) -> [Int] { alongWidth ? [other, value] : [value, other] }
        var pads = spatial(pooling.padBefore, other: 0) + spatial(pooling.padAfter, other: 0)
        var pooled: String
        switch pooling.reduction {
        case .max:
            if pads.contains(where: { $0 > 0 }) {
                let padding = builder.addInitializer(integers: [0, 0] + pads.prefix(2) + [0, 0] + pads.suffix(2), name: layer + "/pads")
                input = builder.addNode("Pad", [input, padding], name: layer)
                pads = [0, 0, 0, 0]
            }
            pooled = builder.addNode("MaxPool", [input], [
                ONNXAttribute.ints("kernel_shape", spatial(pooling.size, other: 1)),
                ONNXAttribute.ints("strides", spatial(pooling.stride, other: 1)),
                ONNXAttribute.ints("dilations", spatial(pooling.dilation, other: 1)),
                ONNXAttribute.ints("pads", pads),
            ], name: layer)
        case .mean where pooling.dilation == 1:
            pooled = builder.addNode("AveragePool", [input], [
                ONNXAttribute.ints("kernel_shape", spatial(pooling.size, other: 1)),
                ONNXAttribute.ints("strides", spatial(pooling.stride, other: 1)),
                ONNXAttribute.ints("pads", pads),
                ONNXAttribute.int("count_include_pad", 1),
            ], name: layer)
        case .mean, .sum:
            let tap: Float = pooling.reduction == .sum ? 1 : 1 / Float(pooling.size)
            let weight = builder.addInitializer(
                Tensor(shape: [channels, 1] + spatial(pooling.size, other: 1), repeating: tap), name: layer + "/window")
            pooled = builder.addNode("Conv", [input, weight], [
                ONNXAttribute.int("group", channels),
                ONNXAttribute.ints("kernel_shape", spatial(pooling.size, other: 1)),
                ONNXAttribute.ints("strides", spatial(pooling.stride, other: 1)),
                ONNXAttribute.ints("dilations", spatial(pooling.dilation, other: 1)),
                ONNXAttribute.ints("pads", pads),
            ], name: layer)
        }
        if alongWidth {
            record(output, pooled, .image)
        } else {
            let back = builder.addInitializer(integers: [0] + shape(output), name: layer + "/shape")
            record(output, builder.addNode("Reshape", [pooled, back], name: layer), .plain)
        }
    }
}
