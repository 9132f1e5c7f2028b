/// One step of a kernel plan: a group of instructions that runs as one unit, with what it computes and on what
/// shapes. Shapes are per sample; every activation also carries the batch axis in front.
public struct Kernel: Sendable, Equatable {
    /// What the kernel computes, with its geometry.
    public var operation: KernelOperation
    /// The instructions the kernel covers, in graph order; the last one's value is the kernel's output. The
    /// values of the others are never stored.
    public var instructions: [InstructionID]
    /// The activations the kernel reads (values that depend on the input, made by earlier kernels), in the
    /// order the operation lists them.
    public var inputs: [InstructionID]
    /// The parameters and constants the kernel reads.
    public var parameters: [InstructionID]
    /// The shapes of `inputs`, per sample.
    public var inputShapes: [[Int]]
    /// The shape of the output, per sample.
    public var outputShape: [Int]
    /// The number format the kernel computes in.
    public var dataType: DataType
    /// Whether the output depends on the model's input. A kernel that does not (it reads only parameters and
    /// constants) gives the same value for every sample.
    public var dependsOnInput: Bool
    /// The layer that emitted the kernel's last instruction.
    public var layer: String

    /// The instruction whose value the kernel produces.
    public var output: InstructionID { instructions[instructions.count - 1] }

    /// The class of the kernel, which cost models key their coefficients on.
    public var kind: KernelKind { operation.kind }
}

/// The classes of kernels, which cost models, code generators and reports speak of.
public enum KernelKind: String, Sendable, Codable, CaseIterable {
    /// A dense or grouped convolution over one or two spatial axes.
    case convolution
    /// A convolution with one filter per channel.
    case depthwise
    /// A 1 × 1 convolution or a fully connected layer: a matrix product with a weight.
    case pointwise
    /// A window reduced by its mean, maximum or sum.
    case pooling
    /// Arithmetic or a function applied value by value (with broadcasting).
    case elementwise
    /// A sum, mean or maximum over axes.
    case reduction
    /// A contraction of an activation with a constant or parameter matrix that no convolution form matches,
    /// such as a DFT.
    case constantContraction
    /// A contraction of two activations.
    case contraction
    /// Padding, windows, slices, joins, reshapes and shifts: moves of data without arithmetic.
    case dataMove
}

/// What a kernel computes.
public enum KernelOperation: Sendable, Equatable {
    /// A convolution with its bias, residual add and activation fused (`ConvolutionKernel.kind` tells whether
    /// it is dense, depthwise or pointwise).
    case convolution(ConvolutionKernel)
    /// A window reduced by mean, maximum or sum.
    case pooling(PoolingKernel)
    /// One element-wise instruction.
    case elementwise(Primitive)
    /// One `reduce` instruction.
    case reduction(kind: Primitive.ReduceKind, axes: [Int])
    /// A contraction of the activation `inputs[0]` with the parameter or constant `parameters[0]`.
    case constantContraction(ContractionKernel)
    /// A contraction of two activations.
    case contraction(ContractionKernel)
    /// One data-moving instruction (`pad`, `window`, `slice`, `concat`, `reshape`, `shift`).
    case dataMove(Primitive)

    /// The class of the operation.
    public var kind: KernelKind {
        switch self {
        case .convolution(let convolution): return convolution.kind
        case .pooling: return .pooling
        case .elementwise: return .elementwise
        case .reduction: return .reduction
        case .constantContraction: return .constantContraction
        case .contraction: return .contraction
        case .dataMove: return .dataMove
        }
    }
}

/// A contraction seen as batched matrix products: `[batch, m, k] · [batch, k, n] → [batch, m, n]`, with the
/// operands' axes permuted into that order where needed.
public struct ContractionKernel: Sendable, Equatable {
    /// The contraction's axes.
    public var spec: ContractSpec
    /// Whether the parameter or constant is the left operand of `spec` (for a constant contraction).
    public var constantIsLeft: Bool
    /// The product of the extents shared by both operands and the output.
    public var batch: Int
    /// The product of the left operand's free extents.
    public var m: Int
    /// The product of the contracted extents.
    public var k: Int
    /// The product of the right operand's free extents.
    public var n: Int
}

/// A window reduced by its mean, maximum or sum: `[channels…, length] → [channels…, count]` along `axis`.
public struct PoolingKernel: Sendable, Equatable {
    /// Mean, maximum or sum.
    public var reduction: Primitive.ReduceKind
    /// The pooled axis of the input.
    public var axis: Int
    /// Positions per window.
    public var size: Int
    /// Positions between windows.
    public var stride: Int
    /// Positions between the entries of a window.
    public var dilation: Int
    /// Zeros added before the axis (they take part in the mean and the maximum).
    public var padBefore: Int
    /// Zeros added after the axis.
    public var padAfter: Int
}
