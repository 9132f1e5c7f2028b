import PulseGraph

/// A depthwise 1-D convolution kernel of the plan (one filter per channel), with bias, residual add and activation
/// fused, forward and backward, computed directly: `y[c, t] = act(bias[c] + residual[c, t] +
/// Σ_k W[c, k] · x[c, t · stride + k · dilation − padBefore])`, with the inner loop over contiguous positions.
struct DepthwiseConvolution: Sendable {
    let kernel: ConvolutionKernel
    let input: Int
    let output: Int
    let weight: Int
    let bias: Int?
    let residual: Int?
    /// The output's shape per sample, as the graph gives it.
    let outputShape: [Int]

    /// The fast form of `planned`, or `nil` when it is not a depthwise convolution over one spatial axis.
    init?(_ planned: Kernel) {
        guard case .convolution(let convolution) = planned.operation, convolution.kind == .depthwise,
              let kernel = convolution.alongLastAxis else { return nil }
        self.kernel = kernel
        self.input = planned.inputs[0].index
        self.output = planned.output.index
        self.weight = kernel.weight.index
        self.bias = kernel.bias?.index
        self.residual = kernel.residual?.index
        self.outputShape = planned.outputShape
    }

    /// The output `[batch, channels, count]` for `x` `[batch, channels, length]`.
    func forward(_ x: Value, weight: Tensor, bias: Tensor?, residual: Value?) throws -> Value {
        let (channels, length, count, taps) = (kernel.inputChannels, kernel.inputExtent[0], kernel.outputExtent[0], kernel.kernelSize[0])
        guard x.shape.count >= 3, x.shape[1] == channels, x.data.count == x.shape[0] * channels * length, weight.count == channels * taps else {
            throw GraphError("depthwise convolution: input \(x.shape) does not fit weights \(weight.shape)")
        }
        let batch = x.shape[0]
        let (stride, dilation, padBefore) = (kernel.stride[0], kernel.dilation[0], kernel.padBefore[0])
        let ranges = (0..<taps).map(kernel.validOutputs)
        var y = [Float](repeating: 0, count: batch * channels * count)
        x.data.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                for b in 0..<batch {
                    for c in 0..<channels {
                        let row = (b * channels + c) * count
                        let source = (b * channels + c) * length
                        let shift = bias?.scalars[c] ?? 0
                        for t in 0..<count { ys[row + t] = shift }
                        for k in 0..<taps {
                            let w = weight.scalars[c * taps + k]
                            let offset = source + k * dilation - padBefore
                            if stride == 1 {
                                for t in ranges[k] { ys[row + t] += w * xs[offset + t] }
                            } else {
                                for t in ranges[k] { ys[row + t] += w * xs[offset + t * stride] }
                            }
                        }
                        if let residual {
                            for t in 0..<count { ys[row + t] += residual.data[row + t] }
                        }
                        if let activation = kernel.activation {
                            for t in 0..<count { ys[row + t] = activation(ys[row + t]) }
                        }
                    }
                }
            }
        }
        return Value(data: y, shape: [batch] + outputShape, batched: true)
    }

    /// Gradients of the input, weight, bias and residual from the output's gradient `gradient`, with `g` the
    /// gradient before the activation: `dW[c, k] = Σ g[c, t] x[c, t·s + k·d − p]`, `dbias[c] = Σ g[c, t]`,
    /// `dx[c, t·s + k·d − p] += W[c, k] g[c, t]`, and the residual's gradient is `g`.
    func backward(_ gradient: [Float], output: Value, input x: Value, weight: Tensor)
        -> (input: [Float], weight: [Float], bias: [Float], residual: [Float]) {
        let (channels, length, count, taps) = (kernel.inputChannels, kernel.inputExtent[0], kernel.outputExtent[0], kernel.kernelSize[0])
        let batch = x.shape[0]
        let (stride, dilation, padBefore) = (kernel.stride[0], kernel.dilation[0], kernel.padBefore[0])
        let ranges = (0..<taps).map(kernel.validOutputs)
        var g = gradient
        switch kernel.activation {
        case .relu: for i in g.indices where !(output.data[i] > 0) { g[i] = 0 }
        case .clip(let lower, let upper): for i in g.indices where !(output.data[i] > lower && output.data[i] < upper) { g[i] = 0 }
        case nil: break
        }
        var inputGradient = [Float](repeating: 0, count: x.data.count)
        var weightGradient = [Float](repeating: 0, count: channels * taps)
        var biasGradient = [Float](repeating: 0, count: channels)
        g.withUnsafeBufferPointer { gs in
            x.data.withUnsafeBufferPointer { xs in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for b in 0..<batch {
                        for c in 0..<channels {
                            let row = (b * channels + c) * count
                            let source = (b * channels + c) * length
                            var sum: Float = 0
                            for t in 0..<count { sum += gs[row + t] }
                            biasGradient[c] += sum
                            for k in 0..<taps {
                                let w = weight.scalars[c * taps + k]
                                let offset = source + k * dilation - padBefore
                                var dw: Float = 0
                                for t in ranges[k] {
                                    dw += gs[row + t] * xs[offset + t * stride]
                                    dx[offset + t * stride] += w * gs[row + t]
                                }
                                weightGradient[c * taps + k] += dw
                            }
                        }
                    }
                }
            }
        }
        return (inputGradient, weightGradient, biasGradient, residual == nil ? [] : g)
    }
}
