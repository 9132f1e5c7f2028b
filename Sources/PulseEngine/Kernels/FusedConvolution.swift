import PulseGraph
import CBLAS

/// A dense or grouped 1-D convolution kernel of the plan run through BLAS: the unfolded input is written straight
/// into a column matrix (padding as zeros, never stored), multiplied by the weights with one `cblas_sgemm` per
/// group for the whole batch, then the bias, the residual and the activation are applied in one pass.
struct FusedConvolution: Sendable {
    let kernel: ConvolutionKernel
    /// The instruction of the input activation.
    let input: Int
    /// The instruction whose value the kernel produces.
    let output: Int
    let weight: Int
    let bias: Int?
    let residual: Int?
    let activation: ConvolutionKernel.Activation?
    let padBefore: Int
    let padAfter: Int
    let kernelSize: Int
    let stride: Int
    let dilation: Int
    /// The output's shape per sample, as the graph gives it.
    let outputShape: [Int]

    /// The fast form of `kernel` of the plan, or `nil` when it is not a dense or grouped 1-D convolution.
    init?(_ planned: Kernel) {
        guard case .convolution(let convolution) = planned.operation, convolution.kind != .depthwise,
              let kernel = convolution.alongLastAxis else { return nil }
        self.kernel = kernel
        self.input = planned.inputs[0].index
        self.output = planned.output.index
        self.weight = kernel.weight.index
        self.bias = kernel.bias?.index
        self.residual = kernel.residual?.index
        self.activation = kernel.activation
        self.padBefore = kernel.padBefore[0]
        self.padAfter = kernel.padAfter[0]
        self.kernelSize = kernel.kernelSize[0]
        self.stride = kernel.stride[0]
        self.dilation = kernel.dilation[0]
        self.outputShape = planned.outputShape
    }

    /// Runs the kernel on `x` of shape `[batch, channels, length]` with weights `[out, channels, kernel]`; returns
    /// the output `[batch, out, count]` and the unfolded input (`[channels · kernel, batch · count]`, one matrix for
    /// the whole batch so that a single large product replaces many small ones) for `backward`.
    func forward(_ x: Value, weight: Tensor, bias: Tensor?, residual: Value?) throws -> (Value, [Float]) {
        guard x.shape.count >= 3, x.shape[1] == kernel.inputChannels, x.data.count == x.shape[0] * kernel.inputChannels * kernel.inputExtent[0],
              weight.count == kernel.weightCount else {
            throw GraphError("fused convolution: input \(x.shape) does not fit weights \(weight.shape)")
        }
        let (batch, channels, length) = (x.shape[0], kernel.inputChannels, kernel.inputExtent[0])
        let outputs = kernel.outputChannels
        let count = (length + padBefore + padAfter - dilation * (kernelSize - 1) - 1) / stride + 1
        let rows = channels * kernelSize
        let columnsPerRow = batch * count
        let ranges = (0..<kernelSize).map(kernel.validOutputs)
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
        let groups = kernel.groups
        gemm(transposeLeft: false, transposeRight: false, m: outputs / groups, n: columnsPerRow, k: rows / groups, groups: groups,
             weight.scalars, columns, into: &product)
        var result = [Float](repeating: 0, count: batch * outputs * count)
        let skip = residual?.data ?? []
        product.withUnsafeBufferPointer { p in
            skip.withUnsafeBufferPointer { r in
                result.withUnsafeMutableBufferPointer { out in
                    for o in 0..<outputs {
                        let shift = bias?.scalars[o] ?? 0
                        for b in 0..<batch {
                            let source = o * columnsPerRow + b * count
                            let destination = (b * outputs + o) * count
                            for t in 0..<count {
                                var value = p[source + t] + shift
                                if residual != nil { value += r[destination + t] }
                                out[destination + t] = activation.map { $0(value) } ?? value
                            }
                        }
                    }
                }
            }
        }
        return (Value(data: result, shape: [batch] + outputShape, batched: true), columns)
    }

    /// Gradients of the input, the weights, the bias and the residual from the output's gradient `g`
    /// (`[batch, out, count]`). With `G` the gradient before the activation in its `[out, batch · count]`
    /// rearrangement: `dW = G · colᵀ`, `dbias = Σ G`, `dcol = Wᵀ · G`, `dcol` folded back onto the input positions it
    /// was unfolded from, and the residual's gradient is `G` itself (in the output's layout).
    func backward(_ gradient: [Float], output: Value, columns: [Float], weight: Tensor, inputShape: [Int])
        -> (input: [Float], weight: [Float], bias: [Float], residual: [Float]) {
        let (batch, channels, length) = (inputShape[0], kernel.inputChannels, kernel.inputExtent[0])
        let outputs = kernel.outputChannels
        let count = kernel.outputExtent[0]
        let rows = channels * kernelSize
        let columnsPerRow = batch * count
        var g = [Float](repeating: 0, count: outputs * columnsPerRow)
        var biasGradient = [Float](repeating: 0, count: outputs)
        var residualGradient = [Float](repeating: 0, count: residual == nil ? 0 : batch * outputs * count)
        gradient.withUnsafeBufferPointer { source in
            output.data.withUnsafeBufferPointer { y in
                g.withUnsafeMutableBufferPointer { gs in
                    for b in 0..<batch {
                        for o in 0..<outputs {
                            let from = (b * outputs + o) * count
                            let to = o * columnsPerRow + b * count
                            // The activation passes the gradient where its output is positive (ReLU) or strictly
                            // inside the clip's bounds.
                            switch activation {
                            case .relu:
                                for t in 0..<count { gs[to + t] = y[from + t] > 0 ? source[from + t] : 0 }
                            case .clip(let lower, let upper):
                                for t in 0..<count { gs[to + t] = y[from + t] > lower && y[from + t] < upper ? source[from + t] : 0 }
                            case nil:
                                for t in 0..<count { gs[to + t] = source[from + t] }
                            }
                            var sum: Float = 0
                            for t in 0..<count { sum += gs[to + t] }
                            biasGradient[o] += sum
                        }
                    }
                }
            }
        }
        if residual != nil {
            // The residual's gradient is G in the output's layout.
            g.withUnsafeBufferPointer { gs in
                residualGradient.withUnsafeMutableBufferPointer { dR in
                    for b in 0..<batch {
                        for o in 0..<outputs {
                            let (from, to) = (o * columnsPerRow + b * count, (b * outputs + o) * count)
                            for t in 0..<count { dR[to + t] = gs[from + t] }
                        }
                    }
                }
            }
        }
        let groups = kernel.groups
        var weightGradient = [Float](repeating: 0, count: outputs * rows / groups)
        gemm(transposeLeft: false, transposeRight: true, m: outputs / groups, n: rows / groups, k: columnsPerRow, groups: groups,
             g, columns, into: &weightGradient)
        var columnGradient = [Float](repeating: 0, count: rows * columnsPerRow)
        gemm(transposeLeft: true, transposeRight: false, m: rows / groups, n: columnsPerRow, k: outputs / groups, groups: groups,
             weight.scalars, g, into: &columnGradient)
        var inputGradient = [Float](repeating: 0, count: batch * channels * length)
        let ranges = (0..<kernelSize).map(kernel.validOutputs)
        columnGradient.withUnsafeBufferPointer { dCol in
            inputGradient.withUnsafeMutableBufferPointer { dX in
                for c in 0..<channels {
                    for k in 0..<kernelSize {
                        let row = (c * kernelSize + k) * columnsPerRow
                        for b in 0..<batch {
                            let source = row + b * count
                            let destination = (b * channels + c) * length + k * dilation - padBefore
                            if stride == 1 {
                                for t in ranges[k] { dX[destination + t] += dCol[source + t] }
                            } else {
                                for t in ranges[k] { dX[destination + t * stride] += dCol[source + t] }
                            }
                        }
                    }
                }
            }
        }
        return (inputGradient, weightGradient, biasGradient, residualGradient)
    }
}

/// `C = op(A) · op(B)` (row-major, `op` a transpose when asked) through `cblas_sgemm`; `C` is `m × n`, the inner
/// dimension `k`. With `groups` > 1, `groups` independent products of consecutive blocks (`m · k` values of `A`,
/// `k · n` of `B`, `m · n` of `C` each): a grouped convolution's.
func gemm(transposeLeft: Bool, transposeRight: Bool, m: Int, n: Int, k: Int, groups: Int = 1, _ a: [Float], _ b: [Float],
          into c: inout [Float]) {
    guard m > 0, n > 0, k > 0 else { return }
    a.withUnsafeBufferPointer { aBuffer in
        b.withUnsafeBufferPointer { bBuffer in
            c.withUnsafeMutableBufferPointer { cBuffer in
                guard let aBase = aBuffer.baseAddress, let bBase = bBuffer.baseAddress, let cBase = cBuffer.baseAddress else { return }
                for group in 0..<groups {
                    cblas_sgemm(CblasRowMajor, transposeLeft ? CblasTrans : CblasNoTrans, transposeRight ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, aBase + group * m * k, Int32(transposeLeft ? m : k),
                                bBase + group * k * n, Int32(transposeRight ? k : n), 0, cBase + group * m * n, Int32(n))
                }
            }
        }
    }
}
