import PulseGraph

/// For each position of `shape` with its axes reordered by `order` (axis `i` of the result is axis `order[i]` of
/// the source, as ONNX's `Transpose` with `perm = order`), the row-major position of the source value.
/// - Precondition: `order` is a permutation of the axes of `shape`; the callers build it from the shape.
func permutationSourceIndices(shape: [Int], order: [Int]) -> [Int] {
    let resultShape = order.map { shape[$0] }
    let sourceStrides = Tensor.strides(shape)
    let strides = order.map { sourceStrides[$0] }
    var indices = [Int](repeating: 0, count: shape.reduce(1, *))
    var position = [Int](repeating: 0, count: shape.count)
    var offset = 0
    for index in indices.indices {
        indices[index] = offset
        var axis = resultShape.count - 1
        while axis >= 0 {
            position[axis] += 1
            offset += strides[axis]
            if position[axis] < resultShape[axis] { break }
            offset -= strides[axis] * resultShape[axis]
            position[axis] = 0
            axis -= 1
        }
    }
    return indices
}

extension Tensor {
    /// The tensor with its axes reordered: axis `i` of the result is axis `order[i]` of this one.
    /// - Precondition: `order` is a permutation of the axes.
    func permuted(_ order: [Int]) -> Tensor {
        guard order != Array(shape.indices) else { return self }
        let source = permutationSourceIndices(shape: shape, order: order)
        return Tensor(shape: order.map { shape[$0] }, scalars: source.map { scalars[$0] })
    }
}
