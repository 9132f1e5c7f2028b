/// Where an integer kernel reads a tensor: the arena (an activation, at a byte offset) or a constant array.
public enum IntegerOperand: Sendable, Equatable {
    /// An activation at this byte offset of the arena.
    case arena(offset: Int)
    /// Constant `index` of `QuantisedModel.constants`.
    case constant(Int)
}

/// A 1-D (or fully connected) int8 convolution with per-output-channel weights, fused bias, residual add and
/// activation, over a channels-first `[inputChannels, inputLength]` input:
///
///     acc[o, t] = bias[o] + Σ_{i ∈ group(o), k} w[o, i, k] · (x[i, t·stride + k·dilation − padBefore] − z_x)
///     y[o, t]   = clamp(multipliers[o](acc) + residual(r[o, t] − z_r) + z_y, activationMin, activationMax)
///
/// where positions outside the input read real zero (they are skipped).
public struct IntegerConvolution: Sendable, Equatable {
    /// Channels and positions of the input.
    public var inputChannels: Int
    public var inputLength: Int
    /// Channels and positions of the output.
    public var outputChannels: Int
    public var outputLength: Int
    /// Groups of channels convolved separately.
    public var groups: Int
    /// Taps, positions between outputs, positions between taps, and zeros before the input.
    public var kernelSize: Int
    public var stride: Int
    public var dilation: Int
    public var padBefore: Int
    /// The input's zero point.
    public var inputZeroPoint: Int32
    /// `[outputChannels, inputChannels / groups, kernelSize]` symmetric int8 weights.
    public var weights: [Int8]
    /// One int32 bias per output channel, in units of input scale × weight scale.
    public var bias: [Int32]
    /// One requantisation per output channel: input scale × weight scale / output scale.
    public var multipliers: [FixedPointMultiplier]
    /// The residual added before the activation, if any: its operand, zero point and scale / output scale.
    public var residual: Residual?
    /// The output's zero point, and the clamp of the activation (−128…127 without one).
    public var outputZeroPoint: Int32
    public var activationMin: Int32
    public var activationMax: Int32

    /// A residual operand of a convolution.
    public struct Residual: Sendable, Equatable {
        /// Where the residual is read, its zero point, and its scale / the output's scale.
        public var operand: IntegerOperand
        public var zeroPoint: Int32
        public var multiplier: FixedPointMultiplier
    }

    /// Input channels each output channel reads.
    public var channelsPerGroup: Int { inputChannels / groups }
}

/// Element-wise arithmetic on two int8 tensors with NumPy broadcasting, over an output of four axes (leading
/// axes of extent 1 added); an operand's stride is 0 along an axis it is broadcast on.
public struct IntegerBinary: Sendable, Equatable {
    /// The arithmetic and its requantisation.
    public enum Arithmetic: Sendable, Equatable {
        /// `a ± b` as TensorFlow Lite adds: both operands shifted left by 20 bits and rescaled to twice the larger
        /// input scale, summed, then rescaled to the output.
        case add(left: FixedPointMultiplier, right: FixedPointMultiplier, output: FixedPointMultiplier)
        /// `a − b`, rescaled as an addition is.
        case subtract(left: FixedPointMultiplier, right: FixedPointMultiplier, output: FixedPointMultiplier)
        /// `(a − z_a)(b − z_b)` rescaled to the output.
        case multiply(FixedPointMultiplier)
        /// `((a − z_a) · 2^16) / (b − z_b)` (integer division, towards zero) rescaled to the output; a zero divisor
        /// gives real zero for a zero dividend and saturates otherwise.
        case divide(FixedPointMultiplier)
    }

    /// The arithmetic and its requantisation.
    public var arithmetic: Arithmetic
    /// The operands.
    public var left: IntegerOperand
    public var right: IntegerOperand
    /// The output's four axes, and each operand's strides along them.
    public var shape: [Int]
    public var leftStrides: [Int]
    public var rightStrides: [Int]
    /// The zero points of the operands and the output.
    public var leftZeroPoint: Int32
    public var rightZeroPoint: Int32
    public var outputZeroPoint: Int32

    /// Bits the operands of an addition are shifted left by before rescaling.
    public static let additionShift: Int32 = 20
    /// Fractional bits of a quotient.
    public static let quotientBits: Int32 = 16
}

/// A sum, mean or maximum over axes: the output's four axes and the reduced four axes, each with the input's
/// strides. A maximum keeps the input's quantisation; a sum or mean is rescaled by `multiplier`.
public struct IntegerReduction: Sendable, Equatable {
    /// A maximum (else a sum or mean).
    public var maximum: Bool
    /// The output's four axes and the input's strides along them.
    public var shape: [Int]
    public var strides: [Int]
    /// The reduced four axes and the input's strides along them.
    public var reducedShape: [Int]
    public var reducedStrides: [Int]
    /// The zero points of the input and the output.
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    /// Input scale / output scale, divided by the count for a mean.
    public var multiplier: FixedPointMultiplier
}

/// Windows reduced by sum, mean or maximum along one axis of an input seen as `[outer, length, inner]`; padded
/// positions are real zero and take part.
public struct IntegerPooling: Sendable, Equatable {
    /// A maximum (else a sum or mean).
    public var maximum: Bool
    /// The input as `[outer, length, inner]`.
    public var outer: Int
    public var length: Int
    public var inner: Int
    /// Positions per window, between windows, between entries; zeros before the axis; windows.
    public var size: Int
    public var stride: Int
    public var dilation: Int
    public var padBefore: Int
    public var count: Int
    /// The zero points of the input and the output.
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    /// Input scale / output scale, divided by the window size for a mean.
    public var multiplier: FixedPointMultiplier
}

/// `Σ (a − z_a)(b − z_b)` over up to four contracted axes for each of up to four output axes, rescaled: a
/// contraction of an activation with a constant (such as a DFT) or with another activation.
public struct IntegerContraction: Sendable, Equatable {
    /// The operands.
    public var left: IntegerOperand
    public var right: IntegerOperand
    /// The output's four axes and each operand's strides along them.
    public var shape: [Int]
    public var leftStrides: [Int]
    public var rightStrides: [Int]
    /// The summed four axes and each operand's strides along them.
    public var summedShape: [Int]
    public var leftSummedStrides: [Int]
    public var rightSummedStrides: [Int]
    /// The zero points of the operands and the output.
    public var leftZeroPoint: Int32
    public var rightZeroPoint: Int32
    public var outputZeroPoint: Int32
    /// Left scale × right scale / output scale.
    public var multiplier: FixedPointMultiplier
}

/// Pad, slice, concatenation or copy along one axis of an output seen as `[outer, length, inner]`: positions no
/// piece writes hold `fill`; each piece copies `count` positions of its source (`[outer, sourceLength, inner]`)
/// from `sourceStart` to `destinationStart`, rescaled when its quantisation differs.
public struct IntegerMove: Sendable, Equatable {
    /// One source of a move.
    public struct Piece: Sendable, Equatable {
        /// The source, its extent along the axis, and the positions copied (from where to where, how many).
        public var source: IntegerOperand
        public var sourceLength: Int
        public var sourceStart: Int
        public var destinationStart: Int
        public var count: Int
        /// Source zero point, source scale / output scale, output zero point, when they differ from the output's.
        public var requantisation: Requantisation?
    }

    /// `y = z_y + multiplier(x − z_x)`.
    public struct Requantisation: Sendable, Equatable {
        /// `z_x`, the scale ratio and `z_y`.
        public var inputZeroPoint: Int32
        public var multiplier: FixedPointMultiplier
        public var outputZeroPoint: Int32
    }

    /// The output as `[outer, length, inner]`.
    public var outer: Int
    public var length: Int
    public var inner: Int
    /// What positions outside every piece hold, if any.
    public var fill: Int8?
    /// The sources, in order.
    public var pieces: [Piece]
}

/// What one integer kernel computes.
public enum IntegerOperation: Sendable, Equatable {
    /// A convolution of `input`.
    case convolution(input: IntegerOperand, IntegerConvolution)
    /// Element-wise arithmetic on two operands.
    case binary(IntegerBinary)
    /// A function of one value through a 256-entry table indexed by `q + 128`.
    case lookup(input: IntegerOperand, count: Int, table: [Int8])
    /// A sum, mean or maximum over axes of `input`.
    case reduction(input: IntegerOperand, IntegerReduction)
    /// Windows of `input` reduced along one axis.
    case pooling(input: IntegerOperand, IntegerPooling)
    /// A contraction of two operands.
    case contraction(IntegerContraction)
    /// A pad, slice, concatenation or copy.
    case move(IntegerMove)

    /// The name of the C function (and kernel kind) that runs the operation in the int8 model.
    public var functionName: String {
        switch self {
        case .convolution: return "pulse_convolution_s8"
        case .binary: return "pulse_binary_s8"
        case .lookup: return "pulse_lookup_s8"
        case .reduction: return "pulse_reduction_s8"
        case .pooling: return "pulse_pooling_s8"
        case .contraction: return "pulse_contraction_s8"
        case .move: return "pulse_move_s8"
        }
    }

    /// The name of the C function that runs the operation in the float32 variant.
    public var floatFunctionName: String {
        switch self {
        case .lookup: return "pulse_unary_f32"
        default: return functionName.replacingOccurrences(of: "_s8", with: "_f32")
        }
    }
}

/// One kernel of a quantised model: where it came from in the kernel plan, what it computes, and where its
/// output goes.
public struct IntegerKernel: Sendable, Equatable {
    /// The kernel's index in the kernel plan.
    public var kernel: Int
    /// The layer of the kernel.
    public var layer: String
    /// What it computes.
    public var operation: IntegerOperation
    /// Byte offset of the output in the arena.
    public var outputOffset: Int
}
