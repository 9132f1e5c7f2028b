import CBLAS
import PulseGraph

/// A dense or grouped 1-D convolution over channels-first values that the Winograd kernel does not take (a
/// stride, one tap, groups): per sample, the unfolded input `[channels · taps, count]` goes to scratch (padding as
/// zeros) and one `cblas_sgemm` per group writes `[out, count]` straight into the output, then bias, residual and
/// activation are applied in one pass. With one tap, stride 1 and no padding, the input itself is the unfolded
/// matrix.
struct BLASConvolutionStep: InferenceKernel {
    let convolution: ConvolutionKernel
    let input: InstructionID
    let output: InstructionID
    let weight: [Float]
    let bias: [Float]?

    init?(_ kernel: Kernel, weight: Tensor, bias: Tensor?) {
        guard case .convolution(let planned) = kernel.operation, let convolution = planned.alongLastAxis else { return nil }
        self.convolution = convolution
        self.input = kernel.inputs[0]
        self.output = kernel.output
        self.weight = weight.scalars
        self.bias = bias?.scalars
    }

    private var taps: Int { convolution.kernelSize[0] }
    private var unfolds: Bool { !(taps == 1 && convolution.stride == [1] && convolution.padBefore == [0] && convolution.padAfter == [0]) }

    var scratchElements: Int { unfolds ? convolution.inputChannels * taps * convolution.outputExtent[0] : 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let (c, o, l, t) = (convolution.inputChannels, convolution.outputChannels, convolution.inputExtent[0], convolution.outputExtent[0])
        let (stride, dilation, padBefore) = (convolution.stride[0], convolution.dilation[0], convolution.padBefore[0])
        let residual = convolution.residual.map(arena.pointer)
        for sample in 0..<arena.batch {
            let x = arena.pointer(input) + sample * c * l
            let y = arena.pointer(output) + sample * o * t
            var columns = UnsafePointer(x)
            if unfolds {
                for ci in 0..<c {
                    for k in 0..<taps {
                        let row = scratch + (ci * taps + k) * t
                        let shift = k * dilation - padBefore
                        for position in 0..<t {
                            let source = position * stride + shift
                            row[position] = source >= 0 && source < l ? x[ci * l + source] : 0
                        }
                    }
                }
                columns = UnsafePointer(scratch)
            }
            let groups = convolution.groups
            let (rows, depth) = (o / groups, c / groups * taps)
            weight.withUnsafeBufferPointer { w in
                guard let base = w.baseAddress else { return }
                for group in 0..<groups {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(t), Int32(depth), 1,
                                base + group * rows * depth, Int32(depth), columns + group * depth * t, Int32(t), 0,
                                y + group * rows * t, Int32(t))
                }
            }
            convolution.finishChannelsFirst(y, count: t, bias: bias, residual: residual.map { $0 + sample * o * t })
        }
    }
}
