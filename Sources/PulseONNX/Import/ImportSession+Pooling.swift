import PulseGraph

extension ImportSession {
    /// `AveragePool` and `MaxPool` over one or two spatial axes, as `(pad →) window → reduce` along each spatial axis
    /// in turn (a mean or maximum over a rectangle is the mean or maximum of the per-axis ones). A window with one tap
    /// in height over the `[N, C, 1, L]` view of a `[C, L]` activation pools along `L` alone.
    /// - `count_include_pad = 0` with padding divides sums by the number of real positions in each window.
    /// - `MaxPool` with padding is refused unless its input cannot be negative (after `Relu`, `Sigmoid`, `Exp`,
    ///   `Abs` or a `Clip` from 0 up): the graph pads with zeros, which ONNX's maximum ignores.
    /// - `ceil_mode = 1` is refused where it changes the output size.
    mutating func importPooling(_ node: ONNXNode) throws {
        let maximum = node.opType == "MaxPool"
        try node.checkAttributes(maximum ? ["auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"]
                                         : ["auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"])
        let x = try activationInput(node, 0)
        let xShape = onnxShape(x)
        guard let kernel = try node.ints("kernel_shape") else { throw node.error("attribute kernel_shape is missing") }
        let rank = kernel.count
        guard rank == 1 || rank == 2, xShape.count == rank + 1 else {
            throw node.error("kernel_shape \(kernel) over input [N] + \(xShape): only 1-D and 2-D pooling is supported")
        }
        let extent = Array(xShape.dropFirst())
        let geometry = try WindowGeometry(node, kernel: kernel, extent: extent, dilations: maximum || opset >= 19)
        if try node.int("ceil_mode", default: 0) != 0 {
            for axis in 0..<rank {
                let span = geometry.dilation[axis] * (kernel[axis] - 1) + 1
                let room = extent[axis] + geometry.padBefore[axis] + geometry.padAfter[axis] - span
                guard room < 0 || room % geometry.stride[axis] == 0 else {
                    throw node.error("ceil_mode 1 adds a partial window along axis \(axis + 2); only ceil_mode 0 is supported")
                }
            }
        }
        let padded = (geometry.padBefore + geometry.padAfter).contains { $0 > 0 }
        if maximum && padded && !cannotBeNegative(x.index) {
            throw node.error("MaxPool with pads over values that may be negative: the graph pads with zeros, which take part in "
                + "the maximum, while ONNX ignores padded positions")
        }
        let countsPadding = try node.int("count_include_pad", default: 0) != 0
        let includePad = maximum || countsPadding || !padded
        let kind: Primitive.ReduceKind = maximum ? .max : (includePad ? .mean : .sum)
        var value: Int
        var axes: [(graphAxis: Int, geometryAxis: Int)]
        let unitAxes: [Int]
        if rank == 2, x.unitAxes == [2], kernel[0] == 1, geometry.padBefore[0] == 0, geometry.padAfter[0] == 0 {
            (value, axes, unitAxes) = (x.index, [(1, 1)], [2])
        } else {
            (value, axes, unitAxes) = (try plain(x, node: node), (0..<rank).map { ($0 + 1, $0) }, [])
        }
        for (graphAxis, axis) in axes {
            let length = shape(value)[graphAxis]
            if geometry.padBefore[axis] > 0 || geometry.padAfter[axis] > 0 {
                value = try append(.pad(axis: graphAxis, before: geometry.padBefore[axis], after: geometry.padAfter[axis]), [value], node: node)
            }
            value = try append(.window(axis: graphAxis, size: kernel[axis], stride: geometry.stride[axis], dilation: geometry.dilation[axis]),
                               [value], node: node)
            value = try append(.reduce(kind: kind, axes: [graphAxis]), [value], node: node)
            if kind == .sum {
                let counts = Self.realPositions(length: length, geometry: geometry, axis: axis)
                let divisor = [counts.count] + [Int](repeating: 1, count: shape(value).count - graphAxis - 1)
                let constant = try constantOperand(ONNXConstant(shape: divisor, floats: counts), base: node.layer + ".counts", node: node)
                value = try append(.div, [value, constant], node: node)
            }
        }
        try setOutput(node, .activation(ImportedActivation(value, unitAxes: unitAxes)))
    }

    /// For each window along `axis`, how many of its positions fall inside the input of `length`.
    private static func realPositions(length: Int, geometry: WindowGeometry, axis: Int) -> [Float] {
        let (size, stride, dilation) = (geometry.kernel[axis], geometry.stride[axis], geometry.dilation[axis])
        let padded = length + geometry.padBefore[axis] + geometry.padAfter[axis]
        let count = (padded - dilation * (size - 1) - 1) / stride + 1
        return (0..<max(count, 0)).map { window in
            Float((0..<size).filter { tap in
                let position = window * stride + tap * dilation - geometry.padBefore[axis]
                return position >= 0 && position < length
            }.count)
        }
    }

    /// Whether graph value `index` is known to hold no negative value (the output of a non-negative activation,
    /// perhaps reshaped).
    private func cannotBeNegative(_ index: Int) -> Bool {
        var current = index
        while true {
            switch graph.instructions[current].primitive {
            case .relu, .sigmoid, .exp, .abs: return true
            case .clip(let lower, _): return lower >= 0
            case .reshape:
                guard let source = graph.instructions[current].inputs.first else { return false }
                current = source
            default: return false
            }
        }
    }

    /// `GlobalAveragePool` and `GlobalMaxPool`: the mean or maximum over every spatial axis, which stay as axes of 1.
    mutating func importGlobalPooling(_ node: ONNXNode) throws {
        try node.checkAttributes([])
        let x = try activationInput(node, 0)
        let rank = onnxShape(x).count
        guard rank >= 2 else { throw node.error("the input [N] + \(onnxShape(x)) has no spatial axis") }
        try setOutput(node, .activation(try reduce(x, kind: node.opType == "GlobalMaxPool" ? .max : .mean, onnxAxes: Array(2...rank),
                                                   keepDimensions: true, node: node)))
    }
}
