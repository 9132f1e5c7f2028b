import PulseGraph

extension ImportSession {
    /// `ReduceMean`, `ReduceSum`, `ReduceMax`, with the axes as an attribute or (from opset 13 for `ReduceSum`, 18 for
    /// the others) an input, and `keepdims`.
    mutating func importReduction(_ node: ONNXNode) throws {
        let axesAsInput = opset >= (node.opType == "ReduceSum" ? 13 : 18)
        try node.checkAttributes(axesAsInput ? ["keepdims", "noop_with_empty_axes"] : ["axes", "keepdims"])
        let x = try activationInput(node, 0)
        let rank = onnxShape(x).count + 1
        let given = axesAsInput ? try integerInput(node, 1, "axes").map { $0.map(Int.init) } : try node.ints("axes")
        let keep = try node.int("keepdims", default: 1) != 0
        guard let axes = given, !axes.isEmpty else {
            if axesAsInput, try node.int("noop_with_empty_axes", default: 0) != 0 {
                try setOutput(node, .activation(x))
                return
            }
            throw node.error("no axes: the reduction would run over every axis, the batch axis included")
        }
        var normalised: [Int] = []
        for axis in axes {
            let onnxAxis = axis < 0 ? axis + rank : axis
            guard onnxAxis >= 1, onnxAxis < rank, !normalised.contains(onnxAxis) else {
                throw node.error("axes \(axes): each must be a distinct axis after the batch axis (1...\(rank - 1) or negative)")
            }
            normalised.append(onnxAxis)
        }
        let kind: Primitive.ReduceKind
        switch node.opType {
        case "ReduceSum": kind = .sum
        case "ReduceMax": kind = .max
        default: kind = .mean
        }
        try setOutput(node, .activation(try reduce(x, kind: kind, onnxAxes: normalised, keepDimensions: keep, node: node)))
    }

    /// `x` reduced over ONNX axes `onnxAxes` (distinct, after the batch axis). Inserted unit axes need no
    /// instruction (a sum, mean or maximum over one value is that value); kept axes become inserted unit axes.
    mutating func reduce(_ x: ImportedActivation, kind: Primitive.ReduceKind, onnxAxes: [Int], keepDimensions: Bool,
                         node: ONNXNode) throws -> ImportedActivation {
        let graphAxes = onnxAxes.filter { !x.unitAxes.contains($0) }
            .map { axis in axis - 1 - x.unitAxes.filter { $0 < axis }.count }.sorted()
        let index = graphAxes.isEmpty ? x.index : try append(.reduce(kind: kind, axes: graphAxes), [x.index], node: node)
        if keepDimensions { return ImportedActivation(index, unitAxes: Array(Set(x.unitAxes + onnxAxes)).sorted()) }
        let remaining = x.unitAxes.filter { !onnxAxes.contains($0) }.map { axis in axis - onnxAxes.filter { $0 < axis }.count }
        return ImportedActivation(index, unitAxes: remaining)
    }
}
