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

    /// The instruction whose value the kernel produces.
    var output: Int { covered[covered.count - 1] }

    /// Runs the kernel on `x` of shape `[batch, channels, length]` with weights `[out, channels, kernel]`; returns
    /// the output `[batch, out, count]` and the unfolded input (`[channels · kernel, batch · count]`, one matrix for
    /// the whole batch so that a single large product replaces many small ones) for `backward`.
    func forward(_ x: Value, weight: Tensor, bias: Tensor?) throws -> (Value, [Float]) {
        guard x.shape.count == 3, weight.shape.count == 3, weight.shape[1] == x.shape[1] else {
            throw GraphError("fused convolution: input \(x.shape) does not fit weights \(weight.shape)")
        }
        let (batch, channels, length) = (x.shape[0], x.shape[1], x.shape[2])
        let outputs = weight.shape[0]
        let count = (length + padBefore + padAfter - dilation * (kernelSize - 1) - 1) / stride + 1
        let rows = channels * kernelSize
        let columnsPerRow = batch * count
        let ranges = (0..<kernelSize).map(validOutputs(length: length, count: count))
        // Every entry is written below (a copy inside the valid range, zeros for the padding), so the matrix
        // starts uninitialised.
        let columns = [Float](unsafeUninitializedCapacity: rows * columnsPerRow) { col, initialised in
            x.data.withUnsafeBufferPointer { input in
                guard let base = col.baseAddress, let inputBase = input.baseAddress else { return }
                for c in 0..<channels {
                    for k in 0..<kernelSize {
                        let row = (c * kernelSize + k) * columnsPerRow
                        let valid = ranges[k]
                        for b in 0..<batch {
                            let destination = base + row + b * count
                            let source = (b * channels + c) * length + k * dilation - padBefore
                            destination.initialize(repeating: 0, count: valid.lowerBound)
                            if stride == 1 {
                                (destination + valid.lowerBound).initialize(from: inputBase + source + valid.lowerBound, count: valid.count)
                            } else {
                                for t in valid { (destination + t).initialize(to: input[source + t * stride]) }
                            }
                            (destination + valid.upperBound).initialize(repeating: 0, count: count - valid.upperBound)
                        }
                    }
                }
            }
            initialised = rows * columnsPerRow
        }
        var product = [Float](repeating: 0, count: outputs * columnsPerRow)
        gemm(transposeLeft: false, transposeRight: false, m: outputs, n: columnsPerRow, k: rows,
             weight.scalars, columns, into: &product)
        var result = [Float](repeating: 0, count: batch * outputs * count)
        product.withUnsafeBufferPointer { p in
            result.withUnsafeMutableBufferPointer { out in
                for o in 0..<outputs {
                    let shift = bias?.scalars[o] ?? 0
                    for b in 0..<batch {
                        let source = o * columnsPerRow + b * count
                        let destination = (b * outputs + o) * count
                        for t in 0..<count {
                            let value = p[source + t] + shift
                            out[destination + t] = relu ? max(value, 0) : value
                        }
                    }
                }
            }
        }
        return (Value(data: result, shape: [batch, outputs, count], batched: true), columns)
    }

    /// Gradients of the input, the weights and the bias from the output's gradient `g` (`[batch, out, count]`),
    /// with `G` its `[out, batch · count]` rearrangement: `dW = G · colᵀ`, `dbias = Σ G`, `dcol = Wᵀ · G`, and `dcol`
    /// folded back onto the input positions it was unfolded from.
    func backward(_ gradient: [Float], output: Value, columns: [Float], weight: Tensor, inputShape: [Int]) -> (input: [Float], weight: [Float], bias: [Float]) {
        let (batch, channels, length) = (inputShape[0], inputShape[1], inputShape[2])
        let outputs = weight.shape[0]
        let count = output.shape[2]
        let rows = channels * kernelSize
        let columnsPerRow = batch * count
        var g = [Float](repeating: 0, count: outputs * columnsPerRow)
        var biasGradient = [Float](repeating: 0, count: outputs)
        gradient.withUnsafeBufferPointer { source in
            output.data.withUnsafeBufferPointer { y in
                for b in 0..<batch {
                    for o in 0..<outputs {
                        let from = (b * outputs + o) * count
                        let to = o * columnsPerRow + b * count
                        var sum: Float = 0
                        for t in 0..<count {
                            let value = relu && y[from + t] <= 0 ? 0 : source[from + t]
                            g[to + t] = value
                            sum += value
                        }
                        biasGradient[o] += sum
                    }
                }
            }
        }
        var weightGradient = [Float](repeating: 0, count: outputs * rows)
        gemm(transposeLeft: false, transposeRight: true, m: outputs, n: rows, k: columnsPerRow, g, columns, into: &weightGradient)
        var columnGradient = [Float](repeating: 0, count: rows * columnsPerRow)
        gemm(transposeLeft: true, transposeRight: false, m: rows, n: columnsPerRow, k: outputs, weight.scalars, g, into: &columnGradient)
        var inputGradient = [Float](repeating: 0, count: batch * channels * length)
        let ranges = (0..<kernelSize).map(validOutputs(length: length, count: count))
        columnGradient.withUnsafeBufferPointer { dCol in
            inputGradient.withUnsafeMutableBufferPointer { dX in
                for c in 0..<channels {
                    for k in 0..<kernelSize {
                        let row = (c * kernelSize + k) * columnsPerRow
                        for b in 0..<batch {
                            let source = row + b * count
                            let destination = (b * channels + c) * length + k * dilation - padBefore
                            for t in ranges[k] { dX[destination + t * stride] += dCol[source + t] }
                        }
                    }
                }
            }
        }
        return (inputGradient, weightGradient, biasGradient)
    }

    /// For kernel tap `k`, the outputs `t` whose input position `t · stride + k · dilation − padBefore` lies inside
    /// `[0, length)`; the others read padding.
    private func validOutputs(length: Int, count: Int) -> (Int) -> Range<Int> {
        { k in
            let shift = k * dilation - padBefore
            let first = shift >= 0 ? 0 : (-shift + stride - 1) / stride
            let last = min(count, (length - 1 - shift) >= 0 ? (length - 1 - shift) / stride + 1 : 0)
            return first < last ? first..<last : 0..<0
        }
    }
}

/// `C = op(A) · op(B)` (row-major, `op` a transpose when asked) through `cblas_sgemm`; `C` is `m × n`, the inner
/// dimension `k`.
func gemm(transposeLeft: Bool, transposeRight: Bool, m: Int, n: Int, k: Int, _ a: [Float], _ b: [Float], into c: inout [Float]) {
    guard m > 0, n > 0, k > 0 else { return }
    a.withUnsafeBufferPointer { aBuffer in
        b.withUnsafeBufferPointer { bBuffer in
            c.withUnsafeMutableBufferPointer { cBuffer in
                guard let aBase = aBuffer.baseAddress, let bBase = bBuffer.baseAddress, let cBase = cBuffer.baseAddress else { return }
                cblas_sgemm(CblasRowMajor, transposeLeft ? CblasTrans : CblasNoTrans, transposeRight ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), 1, aBase, Int32(transposeLeft ? m : k), bBase, Int32(transposeRight ? k : n),
                            0, cBase, Int32(n))
            }
        }
    }
}
