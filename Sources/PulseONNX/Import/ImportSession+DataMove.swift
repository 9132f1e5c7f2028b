import PulseGraph

extension ImportSession {
    /// The most slices a `Transpose` may become (see `importTranspose`).
    static let transposeSliceLimit = 256

    /// `Transpose`. The batch axis must stay first. A transpose that keeps the order of the axes longer than 1 is a
    /// reshape. The instruction set has no transpose, so any other becomes swaps of neighbouring axes, each as slices
    /// along the shorter of the two, reshaped and joined by `concat`: exact, but an instruction per slice, so it is
    /// refused beyond `transposeSliceLimit` slices.
    mutating func importTranspose(_ node: ONNXNode) throws {
        try node.checkAttributes(["perm"])
        let value = try input(node, 0)
        let rank: Int
        switch value {
        case .constant(let constant): rank = constant.shape.count
        case .activation(let x): rank = onnxShape(x).count + 1
        }
        let order = try node.ints("perm") ?? Array((0..<rank).reversed())
        guard order.count == rank, Set(order) == Set(0..<rank) else { throw node.error("perm \(order) is not a permutation of \(rank) axes") }
        let x: ImportedActivation
        switch value {
        case .constant(let constant):
            try setOutput(node, .constant(constant.permuted(order)))
            return
        case .activation(let activation):
            x = activation
        }
        guard order.first == 0 else { throw node.error("perm \(order) moves the batch axis; it must stay first") }
        let current = onnxShape(x)
        let staticOrder = order.dropFirst().map { $0 - 1 }
        let target = staticOrder.map { current[$0] }
        let longAxes = staticOrder.filter { current[$0] > 1 }
        if longAxes == longAxes.sorted() {
            try setOutput(node, .activation(try view(x.index, as: target, node: node)))
            return
        }
        var transposed = try plain(x, node: node)
        var arrangement = Array(current.indices)
        var slices = 0
        for pass in 0..<arrangement.count {
            for position in 0..<(arrangement.count - 1 - pass) {
                let (first, second) = (arrangement[position], arrangement[position + 1])
                guard let a = staticOrder.firstIndex(of: first), let b = staticOrder.firstIndex(of: second), a > b else { continue }
                transposed = try swapAxes(transposed, at: position, slices: &slices, node: node)
                arrangement.swapAt(position, position + 1)
            }
        }
        try setOutput(node, .activation(ImportedActivation(transposed)))
    }

    /// Graph value `value` with axes `position` and `position + 1` swapped, by slices along the shorter one.
    private mutating func swapAxes(_ value: Int, at position: Int, slices: inout Int, node: ONNXNode) throws -> Int {
        let current = shape(value)
        var swapped = current
        swapped.swapAt(position, position + 1)
        let (first, second) = (current[position], current[position + 1])
        if first == 1 || second == 1 { return try append(.reshape(shape: swapped), [value], node: node) }
        let alongSecond = second <= first
        let count = min(first, second)
        slices += count
        guard slices <= Self.transposeSliceLimit else {
            throw node.error("this transpose of [N] + \(current) takes more than \(Self.transposeSliceLimit) slices; the instruction set has "
                + "no transpose, and pulse writes one as slices and a concat only for short axes")
        }
        let axis = alongSecond ? position + 1 : position
        var pieces: [Int] = []
        for index in 0..<count {
            let piece = try append(.slice(axis: axis, start: index, count: 1), [value], node: node)
            var pieceShape = shape(piece)
            pieceShape.swapAt(position, position + 1)
            pieces.append(try append(.reshape(shape: pieceShape), [piece], node: node))
        }
        return try append(.concat(axis: alongSecond ? position : position + 1), pieces, node: node)
    }

    /// `Concat` of activations (along an axis after the batch axis) or of constants.
    mutating func importConcat(_ node: ONNXNode) throws {
        try node.checkAttributes(["axis"])
        guard node.attribute("axis") != nil else { throw node.error("attribute axis is missing") }
        let axisValue = try node.int("axis", default: 0)
        var inputs: [ImportedValue] = []
        for position in node.proto.input.indices { inputs.append(try input(node, position)) }
        guard !inputs.isEmpty else { throw node.error("there is nothing to join") }
        let constants = inputs.compactMap { value -> ONNXConstant? in if case .constant(let c) = value { return c } else { return nil } }
        if constants.count == inputs.count {
            let rank = constants[0].shape.count
            try setOutput(node, .constant(try ONNXConstant.concatenated(constants, axis: axisValue < 0 ? axisValue + rank : axisValue,
                                                                       location: node.location)))
            return
        }
        guard constants.isEmpty else { throw node.error("it joins activations with constants, which have no batch axis") }
        let activations = inputs.compactMap { value -> ImportedActivation? in if case .activation(let a) = value { return a } else { return nil } }
        let rank = onnxShape(activations[0]).count + 1
        let axis = axisValue < 0 ? axisValue + rank : axisValue
        guard axis >= 1, axis < rank else { throw node.error("axis \(axisValue) must be an axis after the batch axis") }
        let unitAxes = activations[0].unitAxes
        if activations.allSatisfy({ $0.unitAxes == unitAxes }), !unitAxes.contains(axis) {
            let graphAxis = axis - 1 - unitAxes.filter { $0 < axis }.count
            let joined = try append(.concat(axis: graphAxis), activations.map(\.index), node: node)
            try setOutput(node, .activation(ImportedActivation(joined, unitAxes: unitAxes)))
            return
        }
        var operands: [Int] = []
        for activation in activations { operands.append(try plain(activation, node: node)) }
        try setOutput(node, .activation(ImportedActivation(try append(.concat(axis: axis - 1), operands, node: node))))
    }

    /// `Pad` in constant mode with zeros (pads as an input, opset 11 and later; axes from opset 18). Negative pads
    /// crop, as slices.
    mutating func importPad(_ node: ONNXNode) throws {
        try node.checkAttributes(["mode"])
        let mode = try node.string("mode", default: "constant")
        guard mode == "constant" else { throw node.error("mode \(mode) is not supported (only constant)") }
        let x = try activationInput(node, 0)
        guard let pads = try integerInput(node, 1, "pads") else { throw node.error("input 1 (pads) is missing") }
        if let value = try constantInput(node, 2, "constant_value"), value.floats.contains(where: { $0 != 0 }) {
            throw node.error("constant_value \(value.floats) is not supported: the graph pads with zeros")
        }
        let current = onnxShape(x)
        let rank = current.count + 1
        let axes = try integerInput(node, 3, "axes").map { $0.map { Int(clamping: $0) } } ?? Array(0..<rank)
        guard pads.count == 2 * axes.count else { throw node.error("pads \(pads) needs two values for each of the \(axes.count) axes") }
        var value = try plain(x, node: node)
        for (position, requested) in axes.enumerated() {
            let axis = requested < 0 ? requested + rank : requested
            let (before, after) = (pads[position], pads[position + axes.count])
            guard axis >= 0, axis < rank else { throw node.error("axis \(requested) lies outside the input") }
            if before == 0 && after == 0 { continue }
            guard axis > 0 else { throw node.error("pads \(pads) pad the batch axis") }
            let limit = Int64(Graph.maximumExtent)
            guard (-limit...limit).contains(before), (-limit...limit).contains(after) else { throw node.error("pads \(pads) exceed ±\(limit)") }
            let (start, end) = (Int(Swift.max(0, -before)), Int(Swift.max(0, -after)))
            let length = shape(value)[axis - 1]
            if start > 0 || end > 0 {
                guard start + end < length else { throw node.error("pads \(pads) crop axis \(axis) to nothing") }
                value = try append(.slice(axis: axis - 1, start: start, count: length - start - end), [value], node: node)
            }
            if before > 0 || after > 0 {
                value = try append(.pad(axis: axis - 1, before: Int(Swift.max(0, before)), after: Int(Swift.max(0, after))), [value], node: node)
            }
        }
        try setOutput(node, .activation(ImportedActivation(value)))
    }

    /// `Slice` with steps of 1 (bounds as inputs, opset 10 and later). The batch axis may only be taken whole.
    mutating func importSlice(_ node: ONNXNode) throws {
        try node.checkAttributes([])
        guard let starts = try integerInput(node, 1, "starts"), let ends = try integerInput(node, 2, "ends"), starts.count == ends.count else {
            throw node.error("inputs starts and ends must be lists of one length")
        }
        let axes = try integerInput(node, 3, "axes") ?? (0..<Int64(starts.count)).map { $0 }
        if let steps = try integerInput(node, 4, "steps"), steps.contains(where: { $0 != 1 }) {
            throw node.error("steps \(steps) are not supported (only 1)")
        }
        guard axes.count == starts.count else { throw node.error("axes \(axes) and starts \(starts) differ in length") }
        let value = try input(node, 0)
        var bounds: [(axis: Int, start: Int, count: Int)] = []
        let fullShape: [Int]
        switch value {
        case .constant(let constant): fullShape = constant.shape
        case .activation(let x): fullShape = [0] + onnxShape(x)
        }
        for (position, requested) in axes.enumerated() {
            let rank = Int64(fullShape.count)
            let axis = Int(requested < 0 ? requested + rank : requested)
            guard axis >= 0, axis < fullShape.count else { throw node.error("axis \(requested) lies outside the input") }
            if case .activation = value, axis == 0 {
                guard starts[position] == 0, ends[position] >= Int64(Int32.max) else { throw node.error("it slices the batch axis") }
                continue
            }
            let extent = Int64(fullShape[axis])
            func clamp(_ bound: Int64) -> Int { Int(Swift.min(Swift.max(bound < 0 ? bound &+ extent : bound, 0), extent)) }
            let (start, end) = (clamp(starts[position]), clamp(ends[position]))
            guard end > start else { throw node.error("the slice of axis \(axis) is empty") }
            bounds.append((axis, start, end - start))
        }
        switch value {
        case .constant(let constant):
            try setOutput(node, .constant(Self.slice(constant, bounds)))
        case .activation(let x):
            var index = try plain(x, node: node)
            for (axis, start, count) in bounds where count < fullShape[axis] {
                index = try append(.slice(axis: axis - 1, start: start, count: count), [index], node: node)
            }
            try setOutput(node, .activation(ImportedActivation(index)))
        }
    }

    /// A constant cut to `count` entries from `start` along each given axis.
    private static func slice(_ constant: ONNXConstant, _ bounds: [(axis: Int, start: Int, count: Int)]) -> ONNXConstant {
        var shape = constant.shape
        for (axis, _, count) in bounds { shape[axis] = count }
        let strides = Tensor.strides(constant.shape)
        var positions = [0]
        for axis in shape.indices {
            let start = bounds.last { $0.axis == axis }?.start ?? 0
            positions = positions.flatMap { base in (0..<shape[axis]).map { base + (start + $0) * strides[axis] } }
        }
        if let integers = constant.integers { return ONNXConstant(shape: shape, integers: positions.map { integers[$0] }) }
        return ONNXConstant(shape: shape, floats: positions.map { constant.floats[$0] })
    }

    /// `Constant`: its value from `value`, `value_float(s)` or `value_int(s)`.
    mutating func importConstant(_ node: ONNXNode) throws {
        try node.checkAttributes(["value", "value_float", "value_floats", "value_int", "value_ints"])
        guard node.proto.attribute.count == 1, let attribute = node.proto.attribute.first else {
            throw node.error("it needs exactly one of value, value_float, value_floats, value_int, value_ints")
        }
        let constant: ONNXConstant
        switch attribute.name {
        case "value": constant = try ONNXConstant(attribute.t, location: node.location)
        case "value_float": constant = ONNXConstant(shape: [], floats: [attribute.f])
        case "value_floats": constant = ONNXConstant(shape: [attribute.floats.count], floats: attribute.floats)
        case "value_int": constant = ONNXConstant(shape: [], integers: [attribute.i])
        default: constant = ONNXConstant(shape: [attribute.ints.count], integers: attribute.ints)
        }
        var unnamed = constant
        unnamed.initializer = nil
        try setOutput(node, .constant(unnamed))
    }

    /// `Identity`, and `Dropout` at inference (without its mask output): the input itself.
    mutating func importIdentity(_ node: ONNXNode) throws {
        if node.opType == "Dropout" {
            try node.checkAttributes(["seed"])
            if let training = try constantInput(node, 2, "training_mode"), training.floats.contains(where: { $0 != 0 }) {
                throw node.error("training_mode true is not supported (inference only)")
            }
        } else {
            try node.checkAttributes([])
        }
        try setOutput(node, try input(node, 0))
    }
}
