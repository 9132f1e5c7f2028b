import PulseGraph

/// Operators evaluated while reading a model, on tensors known then (shape arithmetic, constant subgraphs).
extension ONNXConstant {
    /// `a` and `b` combined value by value with ONNX's (NumPy's) broadcasting: `floats` for floating-point tensors,
    /// `integers` when both are integer tensors.
    /// - Throws: `ONNXError` at `location` when the shapes do not broadcast, the result is too large, or an integer
    ///   division is by zero.
    static func broadcast(_ a: ONNXConstant, _ b: ONNXConstant, location: String,
                          floats: (Float, Float) -> Float, integers: ((Int64, Int64) -> Int64?)? = nil) throws -> ONNXConstant {
        let shape: [Int]
        do {
            shape = try broadcastShape(a.shape, b.shape)
        } catch let error as GraphError {
            throw ONNXError(location, error.message)
        }
        let count = shape.reduce(1, *)
        guard count <= Graph.maximumElements else { throw ONNXError(location, "the result \(shape) holds more than \(Graph.maximumElements) values") }
        let aIndex = sourceIndices(of: a.shape, in: shape)
        let bIndex = sourceIndices(of: b.shape, in: shape)
        if let integers, let left = a.integers, let right = b.integers {
            var values: [Int64] = []
            values.reserveCapacity(count)
            for index in 0..<count {
                guard let value = integers(left[aIndex[index]], right[bIndex[index]]) else {
                    throw ONNXError(location, "integer arithmetic fails (division by zero or overflow)")
                }
                values.append(value)
            }
            return ONNXConstant(shape: shape, integers: values)
        }
        return ONNXConstant(shape: shape, floats: (0..<count).map { floats(a.floats[aIndex[$0]], b.floats[bIndex[$0]]) })
    }

    /// For each position of a tensor of `shape`, the position of the value a broadcast tensor of `source` supplies.
    private static func sourceIndices(of source: [Int], in shape: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: shape.count - source.count) + source
        let strides = Tensor.strides(padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
        var indices = [Int](repeating: 0, count: shape.reduce(1, *))
        var position = [Int](repeating: 0, count: shape.count)
        var offset = 0
        for index in indices.indices {
            indices[index] = offset
            var axis = shape.count - 1
            while axis >= 0 {
                position[axis] += 1
                offset += strides[axis]
                if position[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                position[axis] = 0
                axis -= 1
            }
        }
        return indices
    }

    /// The constant with `function` applied to each value (a floating-point result).
    func mapped(_ function: (Float) -> Float) -> ONNXConstant {
        var result = ONNXConstant(shape: shape, floats: floats.map(function))
        result.trainable = trainable
        return result
    }

    /// The constant with its axes reordered as ONNX's `Transpose` with `perm = order` does.
    func permuted(_ order: [Int]) -> ONNXConstant {
        let source = permutationSourceIndices(shape: shape, order: order)
        let resultShape = order.map { shape[$0] }
        guard let integers else {
            var result = ONNXConstant(shape: resultShape, floats: source.map { floats[$0] })
            result.trainable = trainable
            return result
        }
        return ONNXConstant(shape: resultShape, integers: source.map { integers[$0] })
    }

    /// Constants joined along `axis` (ONNX's `Concat`).
    /// - Throws: `ONNXError` at `location` when the shapes differ off that axis.
    static func concatenated(_ parts: [ONNXConstant], axis: Int, location: String) throws -> ONNXConstant {
        guard let first = parts.first, axis >= 0, axis < first.shape.count else { throw ONNXError(location, "axis \(axis) lies outside the inputs") }
        for part in parts where part.shape.count != first.shape.count
            || part.shape.indices.contains(where: { $0 != axis && part.shape[$0] != first.shape[$0] }) {
            throw ONNXError(location, "inputs of shapes \(parts.map(\.shape)) differ off axis \(axis)")
        }
        let outer = first.shape[..<axis].reduce(1, *)
        var shape = first.shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        // Joined constants can double with every node (a Concat of a value with itself, repeated): bound the result
        // before building it.
        let total = parts.reduce(0) { $0 + $1.shape.reduce(1, *) }
        guard shape[axis] <= Graph.maximumExtent, total <= Graph.maximumElements else {
            throw ONNXError(location, "joining constants of shapes \(parts.map(\.shape)) makes more than \(Graph.maximumElements) values")
        }
        var floats: [Float] = []
        var integers: [Int64] = []
        let allIntegers = parts.allSatisfy { $0.integers != nil }
        for block in 0..<outer {
            for part in parts {
                let size = part.shape[axis...].reduce(1, *)
                let range = (block * size)..<((block + 1) * size)
                if allIntegers, let values = part.integers { integers += values[range] } else { floats += part.floats[range] }
            }
        }
        return allIntegers ? ONNXConstant(shape: shape, integers: integers) : ONNXConstant(shape: shape, floats: floats)
    }
}
