/// The mathematical instructions a model is made of. Shapes exclude the batch axis, which every activation
/// carries implicitly in front; parameters and constants have none.
public enum Primitive: Sendable, Equatable, Codable {
    /// The model's input, of the instruction's shape.
    case input(name: String)
    /// A named trainable tensor.
    case param(name: String)
    /// A constant tensor (small: scalars, masks).
    case const(Tensor)
    /// Zeros added before and after `axis`.
    case pad(axis: Int, before: Int, after: Int)
    /// The unfold behind convolution and pooling: `axis` of length `L` becomes two axes `(size, count)`, with
    /// `out[..., k, t, ...] = in[..., t · stride + k · dilation, ...]` and `count = (L − dilation (size − 1) − 1) / stride + 1`.
    case window(axis: Int, size: Int, stride: Int, dilation: Int)
    /// `count` entries of `axis` from `start`.
    case slice(axis: Int, start: Int, count: Int)
    /// The inputs joined along `axis`.
    case concat(axis: Int)
    /// The same values in another shape of the same size.
    case reshape(shape: [Int])
    /// `out[..., t, ...] = in[..., t − amount, ...]`, zero where `t − amount` falls outside.
    case shift(axis: Int, amount: Int)
    /// Multiply-accumulate of two operands over named axes, einsum-like (`"oik,ikt->ot"`); see `ContractSpec`.
    case contract(spec: ContractSpec)
    /// Element-wise arithmetic with NumPy broadcasting.
    case add, sub, mul, div
    /// `max(x, 0)`.
    case relu
    /// `min(max(x, lower), upper)`.
    case clip(lower: Float, upper: Float)
    /// Element-wise functions.
    case abs, exp, log, sigmoid, tanh
    /// Sum, mean or maximum over `axes`, which are removed from the shape.
    case reduce(kind: ReduceKind, axes: [Int])

    /// How a `reduce` combines the values it removes.
    public enum ReduceKind: String, Sendable, Codable { case sum, mean, max }
}
