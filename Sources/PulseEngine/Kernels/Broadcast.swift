import PulseGraph
/// Element-wise `f(a, b)` with NumPy broadcasting; both shapes have the rank of `outputShape`.
func broadcast(_ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int], to outputShape: [Int], _ f: (Float, Float) -> Float) -> [Float] {
    if aShape == bShape { return zip(a, b).map(f) }
    let count = outputShape.reduce(1, *)
    let aStrides = zip(Tensor.strides(aShape), aShape).map { $1 == 1 ? 0 : $0 }
    let bStrides = zip(Tensor.strides(bShape), bShape).map { $1 == 1 ? 0 : $0 }
    var result = [Float](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: outputShape.count)
    var (ia, ib) = (0, 0)
    for position in 0..<count {
        result[position] = f(a[ia], b[ib])
        var axis = outputShape.count - 1
        while axis >= 0 {
            index[axis] += 1
            ia += aStrides[axis]
            ib += bStrides[axis]
            if index[axis] < outputShape[axis] { break }
            ia -= aStrides[axis] * outputShape[axis]
            ib -= bStrides[axis] * outputShape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
    return result
}

/// Sums `values` of `shape` over the axes where `target` has extent 1 (the reverse of broadcasting); same rank.
func sumToShape(_ values: [Float], _ shape: [Int], _ target: [Int]) -> [Float] {
    if shape == target { return values }
    var result = [Float](repeating: 0, count: target.reduce(1, *))
    let targetStrides = zip(Tensor.strides(target), target).map { $1 == 1 ? 0 : $0 }
    var index = [Int](repeating: 0, count: shape.count)
    var destination = 0
    for value in values {
        result[destination] += value
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            destination += targetStrides[axis]
            if index[axis] < shape[axis] { break }
            destination -= targetStrides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
    return result
}
