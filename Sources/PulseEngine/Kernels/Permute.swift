import PulseGraph
/// Reorders the axes of a row-major array: `output` axis `a` is `input` axis `order[a]`.
func permute(_ values: [Float], shape: [Int], order: [Int]) -> [Float] {
    if order == Array(order.indices) { return values }
    let count = values.count
    guard count > 0 else { return values }
    let inputStrides = Tensor.strides(shape)
    let outputShape = order.map { shape[$0] }
    let strides = order.map { inputStrides[$0] }
    var result = [Float](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: outputShape.count)
    var source = 0
    values.withUnsafeBufferPointer { input in
        result.withUnsafeMutableBufferPointer { output in
            // The last axis runs in an inner loop; the others advance like an odometer.
            let last = outputShape.count - 1
            let innerCount = last >= 0 ? outputShape[last] : 1
            let innerStride = last >= 0 ? strides[last] : 0
            var position = 0
            while position < count {
                for j in 0..<innerCount { output[position + j] = input[source + j * innerStride] }
                position += innerCount
                var axis = last - 1
                while axis >= 0 {
                    index[axis] += 1
                    source += strides[axis]
                    if index[axis] < outputShape[axis] { break }
                    source -= strides[axis] * outputShape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
    return result
}
