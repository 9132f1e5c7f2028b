import CBLAS
import PulseGraph

/// A pointwise (one-tap) 1-D convolution reading a channels-last input, as one `cblas_sgemm` per sample:
/// `Y[o, t] = Σ_c W[o, c] · X[t, c]`, written channels-first, then bias, residual (channels-first) and
/// activation in one pass. Channels-first inputs go to `BLASConvolutionStep`, which needs no transpose.
struct PointwiseStep: InferenceKernel {
    let convolution: ConvolutionKernel
    let input: InstructionID
    let output: InstructionID
    let weight: [Float]
    let bias: [Float]?

    /// The step for `kernel`, or `nil` unless it is a one-tap, one-group, stride-1, unpadded 1-D convolution whose
    /// input is channels-last.
    init?(_ kernel: Kernel, weight: Tensor, bias: Tensor?, layouts: [InstructionID: ActivationLayout]) {
        guard case .convolution(let planned) = kernel.operation, let convolution = planned.alongLastAxis, convolution.groups == 1,
              convolution.kernelSize == [1], convolution.stride == [1], convolution.padBefore == [0], convolution.padAfter == [0],
              layouts[kernel.inputs[0]] == .channelsLast else { return nil }
        self.convolution = convolution
        self.input = kernel.inputs[0]
        self.output = kernel.output
        self.weight = weight.scalars
        self.bias = bias?.scalars
    }

    var scratchElements: Int { 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let (c, o, t) = (convolution.inputChannels, convolution.outputChannels, convolution.outputExtent[0])
        let residual = convolution.residual.map(arena.pointer)
        for sample in 0..<arena.batch {
            let x = arena.pointer(input) + sample * c * t
            let y = arena.pointer(output) + sample * o * t
            weight.withUnsafeBufferPointer { w in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(o), Int32(t), Int32(c), 1,
                            w.baseAddress, Int32(c), x, Int32(c), 0, y, Int32(t))
            }
            convolution.finishChannelsFirst(y, count: t, bias: bias, residual: residual.map { $0 + sample * o * t })
        }
    }
}
