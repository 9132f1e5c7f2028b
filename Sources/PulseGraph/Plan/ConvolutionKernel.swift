/// A convolution as one kernel: zero padding, the windowed product with a weight, then optionally a bias, a
/// residual add and an activation, in that order:
///
///     y[o, t] = act( bias[o] + residual[o, t] + Σ_{i ∈ group(o), k} W[o, i, k] · x[i, t · stride + k · dilation − padBefore] )
///
/// over one or two spatial axes (`t` and `k` are then pairs), or none (a fully connected layer). The weight holds
/// `[outputChannels, inputChannels / groups] + kernelSize` values in that order (ONNX's layout), whichever of the
/// graph forms below wrote it:
///
/// | form | weight | windowed input | spec (labels renamed) |
/// |---|---|---|---|
/// | dense 1-D | `[O, C, K]` | `[C, K, T]` | `"oik,ikt->ot"` |
/// | depthwise 1-D | `[C, K]` | `[C, K, T]` | `"ck,ckt->ct"` |
/// | grouped 1-D | `[G, O/G, C/G, K]` | `[G, C/G, K, T]` (input reshaped to `[G, C/G, L]`) | `"goik,gikt->got"` |
/// | dense 2-D | `[O, C, Kh, Kw]` | `[C, Kh, H, Kw, W]` | `"oikl,ikhlw->ohw"` |
/// | depthwise 2-D | `[C, Kh, Kw]` | `[C, Kh, H, Kw, W]` | `"ckl,ckhlw->chw"` |
/// | grouped 2-D | `[G, O/G, C/G, Kh, Kw]` | `[G, C/G, Kh, H, Kw, W]` | `"goikl,gikhlw->gohw"` |
/// | pointwise | `[O, C]` | `[C, T…]` (no window) | `"oi,it->ot"`, `"oi,i->o"`, `"oi,ihw->ohw"` |
///
/// The bias is a parameter of shape `[O, 1…]` (one 1 per spatial axis); the residual an activation of the output's
/// shape.
public struct ConvolutionKernel: Sendable, Equatable {
    /// A function applied to each output value.
    public enum Activation: Sendable, Equatable {
        /// `max(x, 0)`.
        case relu
        /// `min(max(x, lower), upper)`.
        case clip(lower: Float, upper: Float)

        /// The activation applied to `x`.
        @inlinable public func callAsFunction(_ x: Float) -> Float {
            switch self {
            case .relu: return max(x, 0)
            case .clip(let lower, let upper): return min(max(x, lower), upper)
            }
        }
    }

    /// Channels of the input.
    public var inputChannels: Int
    /// Channels of the output.
    public var outputChannels: Int
    /// Groups of channels convolved separately (1: dense; `inputChannels`: depthwise).
    public var groups: Int
    /// Extents of the input's spatial axes (empty for a fully connected layer).
    public var inputExtent: [Int]
    /// Extents of the output's spatial axes.
    public var outputExtent: [Int]
    /// Taps per spatial axis.
    public var kernelSize: [Int]
    /// Positions between outputs, per spatial axis.
    public var stride: [Int]
    /// Positions between taps, per spatial axis.
    public var dilation: [Int]
    /// Zeros before each spatial axis.
    public var padBefore: [Int]
    /// Zeros after each spatial axis.
    public var padAfter: [Int]
    /// The weight's parameter.
    public var weight: InstructionID
    /// The bias's parameter, if any.
    public var bias: InstructionID?
    /// A value (of the output's shape) added to the output before the activation function, if any.
    public var residual: InstructionID?
    /// The activation, if any.
    public var activation: Activation?

    /// Spatial axes: 0 (fully connected), 1 or 2.
    public var spatialRank: Int { inputExtent.count }

    /// Input channels that each output channel sees.
    public var channelsPerGroup: Int { inputChannels / groups }

    /// Multiply-accumulates of the product for one sample (bias, residual and activation excluded).
    public var multiplyAccumulates: Int {
        outputChannels * channelsPerGroup * kernelSize.reduce(1, *) * outputExtent.reduce(1, *)
    }

    /// Values of the weight.
    public var weightCount: Int { outputChannels * channelsPerGroup * kernelSize.reduce(1, *) }

    /// The same convolution over its last spatial axis alone, when every other spatial axis is one position wide
    /// with a one-tap filter (a 2-D convolution over `[C, 1, L]`, the form ONNX files often give 1-D
    /// convolutions); `nil` otherwise. The weight, bias, residual and output hold the same values in the same order.
    public var alongLastAxis: ConvolutionKernel? {
        guard spatialRank >= 1 else { return nil }
        let leading = 0..<(spatialRank - 1)
        guard leading.allSatisfy({ inputExtent[$0] == 1 && kernelSize[$0] == 1 && stride[$0] == 1 && padBefore[$0] == 0 && padAfter[$0] == 0 })
        else { return nil }
        var line = self
        line.inputExtent = [inputExtent[spatialRank - 1]]
        line.outputExtent = [outputExtent[spatialRank - 1]]
        line.kernelSize = [kernelSize[spatialRank - 1]]
        line.stride = [stride[spatialRank - 1]]
        line.dilation = [dilation[spatialRank - 1]]
        line.padBefore = [padBefore[spatialRank - 1]]
        line.padAfter = [padAfter[spatialRank - 1]]
        return line
    }

    /// Dense, depthwise or pointwise.
    public var kind: KernelKind {
        if groups == 1 && kernelSize.allSatisfy({ $0 == 1 }) && stride.allSatisfy({ $0 == 1 })
            && padBefore.allSatisfy({ $0 == 0 }) && padAfter.allSatisfy({ $0 == 0 }) {
            return .pointwise
        }
        if groups > 1 && groups == inputChannels && groups == outputChannels { return .depthwise }
        return .convolution
    }
}
