import CBLAS

/// `pad → window → contract("oik,ikt->ot") (→ add bias) (→ relu)` as one kernel: the unfolded input is written
/// straight into a column matrix (padding as zeros, never stored), multiplied by the weights with one
/// `cblas_sgemm` per sample, then the bias and the ReLU are applied in place.
struct FusedConvolution: Sendable {
    /// The instructions the kernel replaces, the last of which it produces.
    var covered: [Int]
    var input: Int
    var weight: Int
    var bias: Int?
    var relu: Bool
    var padBefore: Int
    var padAfter: Int
    var kernelSize: Int
    var stride: Int
    var dilation: Int

    /// Recognises the pattern ending at the `contract` instruction `index`, or returns `nil`.
    init?(graph: Graph, contract index: Int, consumers: [[Int]]) {
        let instructions = graph.instructions
        guard case .contract(let spec) = instructions[index].primitive, spec == "oik,ikt->ot" else { return nil }
        let (weightIndex, windowIndex) = (instructions[index].inputs[0], instructions[index].inputs[1])
        guard case .param = instructions[weightIndex].primitive,
              case .window(let axis, let size, let stride, let dilation) = instructions[windowIndex].primitive, axis == 1,
              consumers[windowIndex] == [index] else { return nil }
        var source = instructions[windowIndex].inputs[0]
        var covered = [windowIndex, index]
        var (before, after) = (0, 0)
        if case .pad(let padAxis, let b, let a) = instructions[source].primitive, padAxis == 1, consumers[source] == [windowIndex] {
            covered.insert(source, at: 0)
            (before, after) = (b, a)
            source = instructions[source].inputs[0]
        }
        guard instructions[source].shape.count == 2 else { return nil }
        var last = index
        var biasIndex: Int?
        if consumers[last].count == 1, let next = consumers[last].first, next >= 0, case .add = instructions[next].primitive,
           instructions[next].inputs[0] == last, case .param = instructions[instructions[next].inputs[1]].primitive,
           instructions[instructions[next].inputs[1]].shape == [instructions[index].shape[0], 1] {
            biasIndex = instructions[next].inputs[1]
            covered.append(next)
            last = next
        }
        var relu = false
        if consumers[last].count == 1, let next = consumers[last].first, next >= 0, case .relu = instructions[next].primitive {
            relu = true
            covered.append(next)
        }
        self.covered = covered
        self.input = source
        self.weight = weightIndex
        self.bias = biasIndex
        self.relu = relu
        self.padBefore = before
        self.padAfter = after
        self.kernelSize = size
        self.stride = stride
        self.dilation = dilation
    }

    /// Runs the kernel on `x` of shape `[batch, channels, length]` with weights `[out, channels, kernel]`.
    func run(_ x: Value, weight: Tensor, bias: Tensor?) -> Value {
        let (batch, channels, length) = (x.shape[0], x.shape[1], x.shape[2])
        let outputs = weight.shape[0]
        let padded = length + padBefore + padAfter
        let count = (padded - dilation * (kernelSize - 1) - 1) / stride + 1
        let rows = channels * kernelSize
        var columns = [Float](repeating: 0, count: rows * count)
        var result = [Float](repeating: 0, count: batch * outputs * count)
        for b in 0..<batch {
            for c in 0..<channels {
                for k in 0..<kernelSize {
                    let row = (c * kernelSize + k) * count
                    for t in 0..<count {
                        let position = t * stride + k * dilation - padBefore
                        columns[row + t] = position >= 0 && position < length ? x.data[(b * channels + c) * length + position] : 0
                    }
                }
            }
            weight.scalars.withUnsafeBufferPointer { w in
                columns.withUnsafeBufferPointer { col in
                    result.withUnsafeMutableBufferPointer { out in
                        guard let wBase = w.baseAddress, let colBase = col.baseAddress, let outBase = out.baseAddress else { return }
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outputs), Int32(count), Int32(rows), 1,
                                    wBase, Int32(rows), colBase, Int32(count), 0, outBase + b * outputs * count, Int32(count))
                    }
                }
            }
            for o in 0..<outputs {
                let offset = (b * outputs + o) * count
                let shift = bias?.scalars[o] ?? 0
                for t in 0..<count {
                    let value = result[offset + t] + shift
                    result[offset + t] = relu ? max(value, 0) : value
                }
            }
        }
        return Value(data: result, shape: [batch, outputs, count], batched: true)
    }
}
