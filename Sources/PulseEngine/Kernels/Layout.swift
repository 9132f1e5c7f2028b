import PulseGraph
/// Kernels that move values along one axis. Each views its input as `[outer, length, inner]` around that axis.

/// Zeros around `axis`: `[outer, L, inner] → [outer, before + L + after, inner]`.
func pad(_ x: [Float], outer: Int, length: Int, inner: Int, before: Int, after: Int) -> [Float] {
    let newLength = length + before + after
    var result = [Float](repeating: 0, count: outer * newLength * inner)
    for o in 0..<outer {
        for t in 0..<length {
            let source = (o * length + t) * inner
            let destination = (o * newLength + t + before) * inner
            for i in 0..<inner { result[destination + i] = x[source + i] }
        }
    }
    return result
}

/// `count` entries from `start`: `[outer, L, inner] → [outer, count, inner]`.
func slice(_ x: [Float], outer: Int, length: Int, inner: Int, start: Int, count: Int) -> [Float] {
    var result = [Float](repeating: 0, count: outer * count * inner)
    for o in 0..<outer {
        for t in 0..<count {
            let source = (o * length + start + t) * inner
            let destination = (o * count + t) * inner
            for i in 0..<inner { result[destination + i] = x[source + i] }
        }
    }
    return result
}

/// `out[o, k, t, i] = x[o, t · stride + k · dilation, i]`: `[outer, L, inner] → [outer, size, count, inner]`.
func window(_ x: [Float], outer: Int, length: Int, inner: Int, size: Int, stride: Int, dilation: Int) -> [Float] {
    let count = (length - dilation * (size - 1) - 1) / stride + 1
    var result = [Float](repeating: 0, count: outer * size * count * inner)
    for o in 0..<outer {
        for k in 0..<size {
            for t in 0..<count {
                let source = (o * length + t * stride + k * dilation) * inner
                let destination = ((o * size + k) * count + t) * inner
                for i in 0..<inner { result[destination + i] = x[source + i] }
            }
        }
    }
    return result
}

/// The adjoint of `window`: sums each window entry back onto the position it came from.
func unwindow(_ g: [Float], outer: Int, length: Int, inner: Int, size: Int, stride: Int, dilation: Int) -> [Float] {
    let count = (length - dilation * (size - 1) - 1) / stride + 1
    var result = [Float](repeating: 0, count: outer * length * inner)
    for o in 0..<outer {
        for k in 0..<size {
            for t in 0..<count {
                let destination = (o * length + t * stride + k * dilation) * inner
                let source = ((o * size + k) * count + t) * inner
                for i in 0..<inner { result[destination + i] += g[source + i] }
            }
        }
    }
    return result
}

/// `out[o, t, i] = x[o, t − amount, i]`, zero outside.
func shift(_ x: [Float], outer: Int, length: Int, inner: Int, amount: Int) -> [Float] {
    var result = [Float](repeating: 0, count: x.count)
    for o in 0..<outer {
        let first = min(max(0, amount), length)
        for t in first..<max(first, min(length, length + amount)) {
            let source = (o * length + t - amount) * inner
            let destination = (o * length + t) * inner
            for i in 0..<inner { result[destination + i] = x[source + i] }
        }
    }
    return result
}
