extension Primitive {
    /// Numbers of operands the primitive takes (`nil`: one or more).
    var arity: Int? {
        switch self {
        case .input, .param, .const: return 0
        case .contract, .add, .sub, .mul, .div: return 2
        case .concat: return nil
        default: return 1
        }
    }

    /// Throws when a size argument (a declared shape, padding, window, slice or shift) is out of bounds, before
    /// any arithmetic on it could overflow.
    func checkArguments(declared: [Int]) throws {
        let limit = Graph.maximumExtent
        func bounded(_ values: Int...) throws {
            guard values.allSatisfy({ Swift.abs($0) <= limit }) else { throw GraphError("\(self): an argument exceeds \(limit)") }
        }
        switch self {
        case .input, .param: try Graph.checkSize(declared)
        case .const(let tensor): try Graph.checkSize(tensor.shape)
        case .pad(let axis, let before, let after): try bounded(axis, before, after)
        case .window(let axis, let size, let stride, let dilation): try bounded(axis, size, stride, dilation)
        case .slice(let axis, let start, let count): try bounded(axis, start, count)
        case .shift(let axis, let amount): try bounded(axis, amount)
        case .reshape(let shape): try Graph.checkSize(shape)
        case .concat(let axis): try bounded(axis)
        case .reduce(_, let axes): try bounded(axes.count)
        default: break
        }
    }

    /// The output shape (without batch axis) for operands of `shapes`.
    /// - Throws: `GraphError` when the operands do not fit the primitive.
    func outputShape(_ shapes: [[Int]], declared: [Int]) throws -> [Int] {
        if let arity, shapes.count != arity { throw GraphError("\(self) takes \(arity) operands, got \(shapes.count)") }
        func axisCheck(_ axis: Int, _ shape: [Int]) throws {
            guard axis >= 0 && axis < shape.count else { throw GraphError("\(self): axis \(axis) is outside shape \(shape)") }
        }
        switch self {
        case .input, .param:
            guard declared.allSatisfy({ $0 > 0 }) else { throw GraphError("\(self): shape \(declared) must be positive") }
            return declared
        case .const(let tensor):
            return tensor.shape
        case .pad(let axis, let before, let after):
            try axisCheck(axis, shapes[0])
            guard before >= 0, after >= 0 else { throw GraphError("\(self): padding must not be negative") }
            var shape = shapes[0]
            shape[axis] += before + after
            return shape
        case .window(let axis, let size, let stride, let dilation):
            try axisCheck(axis, shapes[0])
            guard size >= 1, stride >= 1, dilation >= 1 else { throw GraphError("\(self): size, stride and dilation must be at least 1") }
            let span = dilation * (size - 1) + 1
            guard shapes[0][axis] >= span else { throw GraphError("\(self): a window spans \(span) but the axis holds \(shapes[0][axis])") }
            var shape = shapes[0]
            shape.replaceSubrange(axis...axis, with: [size, (shapes[0][axis] - span) / stride + 1])
            return shape
        case .slice(let axis, let start, let count):
            try axisCheck(axis, shapes[0])
            guard start >= 0, count >= 1, start + count <= shapes[0][axis] else {
                throw GraphError("\(self): slice does not fit an axis of \(shapes[0][axis])")
            }
            var shape = shapes[0]
            shape[axis] = count
            return shape
        case .concat(let axis):
            guard let first = shapes.first else { throw GraphError("concat needs at least one operand") }
            try axisCheck(axis, first)
            for shape in shapes where shape.count != first.count || zip(shape, first).enumerated().contains(where: { $0.offset != axis && $0.element.0 != $0.element.1 }) {
                throw GraphError("concat along \(axis): shapes \(shapes) differ off that axis")
            }
            var shape = first
            shape[axis] = shapes.reduce(0) { $0 + $1[axis] }
            return shape
        case .reshape(let shape):
            guard shape.reduce(1, *) == shapes[0].reduce(1, *), shape.allSatisfy({ $0 > 0 }) else {
                throw GraphError("reshape of \(shapes[0]) to \(shape) changes the number of values")
            }
            return shape
        case .shift(let axis, _):
            try axisCheck(axis, shapes[0])
            return shapes[0]
        case .contract(let spec):
            return try spec.outputShape(left: shapes[0], right: shapes[1])
        case .add, .sub, .mul, .div:
            return try broadcastShape(shapes[0], shapes[1])
        case .relu, .clip, .abs, .exp, .log, .sigmoid, .tanh:
            return shapes[0]
        case .reduce(_, let axes):
            guard !axes.isEmpty, Set(axes).count == axes.count else { throw GraphError("\(self): axes must be distinct and not empty") }
            for axis in axes { try axisCheck(axis, shapes[0]) }
            return shapes[0].enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        }
    }
}

/// NumPy broadcasting of two shapes (aligned on their last axes).
package func broadcastShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
    let rank = max(a.count, b.count)
    let paddedA = [Int](repeating: 1, count: rank - a.count) + a
    let paddedB = [Int](repeating: 1, count: rank - b.count) + b
    return try zip(paddedA, paddedB).map { x, y in
        guard x == y || x == 1 || y == 1 else { throw GraphError("shapes \(a) and \(b) do not broadcast") }
        return max(x, y)
    }
}
