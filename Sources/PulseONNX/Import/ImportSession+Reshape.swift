import PulseGraph

extension ImportSession {
    /// `Reshape`. The first entry of the new shape must stand for the batch axis: 0 (copy), -1 (inferred, the other
    /// entries then fix every other axis) or the batch size the model's inputs declare. Reshapes that only add or drop
    /// axes of extent 1 cost no instruction.
    mutating func importReshape(_ node: ONNXNode) throws {
        try node.checkAttributes(["allowzero"])
        let allowZero = try node.int("allowzero", default: 0) != 0
        guard let target = try integerInput(node, 1, "shape") else { throw node.error("input 1 (shape) is missing") }
        switch try input(node, 0) {
        case .constant(let constant):
            let shape = try Self.resolve(target.map { $0 }, copying: constant.shape, count: constant.count, allowZero: allowZero, node: node)
            try setOutput(node, .constant(constant.reshaped(shape)))
        case .activation(let x):
            let current = onnxShape(x)
            guard let first = target.first else { throw node.error("shape [] would drop the batch axis") }
            guard first == 0 && !allowZero || first == -1 || declaredBatch.map({ Int64($0) == first }) == true else {
                throw node.error("shape \(target) must keep the batch axis first (0, -1 or the declared batch size), not \(first)")
            }
            let rest = Array(target.dropFirst())
            if first == -1, rest.contains(-1) { throw node.error("shape \(target) infers two axes") }
            let shape = try Self.resolve(rest, copying: current, count: current.reduce(1, *), allowZero: allowZero, node: node)
            try setOutput(node, .activation(try view(x.index, as: shape, node: node)))
        }
    }

    /// The extents a `Reshape` shape gives a tensor of `count` values: 0 copies the extent at that position of
    /// `copying` (unless `allowZero`), one -1 takes what is left.
    private static func resolve(_ target: [Int64], copying source: [Int], count: Int, allowZero: Bool, node: ONNXNode) throws -> [Int] {
        var shape: [Int] = []
        var inferred: Int?
        for (position, value) in target.enumerated() {
            switch value {
            case 0 where !allowZero:
                guard position < source.count else { throw node.error("shape \(target) copies axis \(position), which the input lacks") }
                shape.append(source[position])
            case -1 where inferred == nil:
                inferred = position
                shape.append(1)
            case 1...Int64(Graph.maximumExtent):
                shape.append(Int(value))
            default:
                throw node.error("shape \(target) holds \(value), which pulse cannot use (an empty axis, a second -1 or an extent beyond \(Graph.maximumExtent))")
            }
        }
        var known = 1
        for extent in shape {
            known *= extent
            guard known <= Graph.maximumElements else { throw node.error("shape \(target) holds more than \(Graph.maximumElements) values") }
        }
        if let inferred {
            guard count % known == 0 else { throw node.error("shape \(target) does not divide \(count) values") }
            shape[inferred] = count / known
        }
        guard shape.reduce(1, *) == count else { throw node.error("shape \(target) holds \(shape.reduce(1, *)) values, the input \(count)") }
        return shape
    }

    /// `Flatten`: `[N, …]` to `[N, everything else]` (axis 1, or a later one when every axis before it is 1).
    mutating func importFlatten(_ node: ONNXNode) throws {
        try node.checkAttributes(["axis"])
        switch try input(node, 0) {
        case .constant(let constant):
            var axis = try node.int("axis", default: 1)
            if axis < 0 { axis += constant.shape.count }
            guard axis >= 0, axis <= constant.shape.count else { throw node.error("axis \(axis) lies outside the input") }
            let shape = [constant.shape[..<axis].reduce(1, *), constant.shape[axis...].reduce(1, *)]
            try setOutput(node, .constant(constant.reshaped(shape)))
        case .activation(let x):
            let current = onnxShape(x)
            var axis = try node.int("axis", default: 1)
            if axis < 0 { axis += current.count + 1 }
            guard axis >= 1, axis <= current.count + 1, current.prefix(axis - 1).allSatisfy({ $0 == 1 }) else {
                throw node.error("axis \(axis) would merge the batch axis with others; only Flatten from axis 1 is supported")
            }
            try setOutput(node, .activation(try view(x.index, as: [current.reduce(1, *)], node: node)))
        }
    }

    /// The axes of a `Squeeze` or `Unsqueeze`: an input from opset 13, an attribute before.
    private func squeezeAxes(_ node: ONNXNode) throws -> [Int]? {
        if opset >= 13 {
            try node.checkAttributes([])
            return try integerInput(node, 1, "axes")?.map { Int(clamping: $0) }
        }
        try node.checkAttributes(["axes"])
        return try node.ints("axes")
    }

    /// `Squeeze`: drops axes of extent 1 (all of them but the batch axis when no axes are given); no instruction.
    mutating func importSqueeze(_ node: ONNXNode) throws {
        let axes = try squeezeAxes(node)
        switch try input(node, 0) {
        case .constant(let constant):
            let rank = constant.shape.count
            let dropped = Set((axes ?? constant.shape.indices.filter { constant.shape[$0] == 1 }).map { $0 < 0 ? $0 + rank : $0 })
            guard dropped.allSatisfy({ $0 >= 0 && $0 < rank && constant.shape[$0] == 1 }) else {
                throw node.error("axes \(axes ?? []) must name axes of extent 1 of \(constant.shape)")
            }
            try setOutput(node, .constant(constant.reshaped(constant.shape.indices.filter { !dropped.contains($0) }.map { constant.shape[$0] })))
        case .activation(let x):
            let current = onnxShape(x)
            let rank = current.count + 1
            let dropped = Set((axes ?? current.indices.filter { current[$0] == 1 }.map { $0 + 1 }).map { $0 < 0 ? $0 + rank : $0 })
            guard dropped.allSatisfy({ $0 >= 1 && $0 < rank && current[$0 - 1] == 1 }) else {
                throw node.error("axes \(axes ?? []) must name axes of extent 1 after the batch axis of [N] + \(current)")
            }
            let target = current.indices.filter { !dropped.contains($0 + 1) }.map { current[$0] }
            try setOutput(node, .activation(try view(x.index, as: target, node: node)))
        }
    }

    /// `Unsqueeze`: inserts axes of extent 1 (not before the batch axis); no instruction.
    mutating func importUnsqueeze(_ node: ONNXNode) throws {
        guard let axes = try squeezeAxes(node), !axes.isEmpty else { throw node.error("axes are missing") }
        let value = try input(node, 0)
        let current: [Int]
        switch value {
        case .constant(let constant): current = constant.shape
        case .activation(let x): current = [0] + onnxShape(x)
        }
        let rank = current.count + axes.count
        let inserted = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        guard inserted.count == axes.count, inserted.allSatisfy({ $0 >= 0 && $0 < rank }) else {
            throw node.error("axes \(axes) must be distinct axes of the rank-\(rank) result")
        }
        var remaining = current[...]
        let target = (0..<rank).map { inserted.contains($0) ? 1 : remaining.popFirst() ?? 1 }
        switch value {
        case .constant(let constant):
            try setOutput(node, .constant(constant.reshaped(target)))
        case .activation(let x):
            guard !inserted.contains(0) else { throw node.error("axes \(axes) insert an axis before the batch axis") }
            try setOutput(node, .activation(try view(x.index, as: Array(target.dropFirst()), node: node)))
        }
    }
}
