import CBLAS
import PulseGraph

/// A fully connected layer (a convolution with no spatial axis) for the whole tile as one `cblas_sgemm`:
/// `Y[sample, o] = Σ_c X[sample, c] · W[o, c]`, then bias, residual and activation in one pass.
struct DenseStep: InferenceKernel {
    let convolution: ConvolutionKernel
    let input: InstructionID
    let output: InstructionID
    let weight: [Float]
    let bias: [Float]?

    init?(_ kernel: Kernel, weight: Tensor, bias: Tensor?) {
        guard case .convolution(let convolution) = kernel.operation, convolution.spatialRank == 0, convolution.groups == 1 else { return nil }
        self.convolution = convolution
        self.input = kernel.inputs[0]
        self.output = kernel.output
        self.weight = weight.scalars
        self.bias = bias?.scalars
    }

    var scratchElements: Int { 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let (c, o) = (convolution.inputChannels, convolution.outputChannels)
        let y = arena.pointer(output)
        weight.withUnsafeBufferPointer { w in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(arena.batch), Int32(o), Int32(c), 1,
                        arena.pointer(input), Int32(c), w.baseAddress, Int32(c), 0, y, Int32(o))
        }
        let residual = convolution.residual.map(arena.pointer)
        for sample in 0..<arena.batch {
            for oi in 0..<o {
                var value = y[sample * o + oi] + (bias?[oi] ?? 0)
                if let residual { value += residual[sample * o + oi] }
                y[sample * o + oi] = convolution.activation.map { $0(value) } ?? value
            }
        }
    }
}
