/// A fully connected layer over a vector: `contract("oi,i->o") → add bias`.
public struct Dense: Layer, Sendable {
    /// The layer's name, which prefixes its parameters.
    public let name: String
    public let inputs: Int
    public let outputs: Int

    /// A layer named `name` from `inputs` to `outputs` values; parameters `name.weight` and `name.bias`.
    public init(_ name: String, inputs: Int, outputs: Int) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Appends the layer after `input`; returns its output.
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        let weight = try graph.append(.param(name: name + ".weight"), shape: [outputs, inputs], layer: name)
        let bias = try graph.append(.param(name: name + ".bias"), shape: [outputs], layer: name)
        let product = try graph.append(.contract(spec: try ContractSpec("oi,i->o")), [weight, input], layer: name)
        return try graph.append(.add, [product, bias], layer: name)
    }
}

/// Pooling over the length of `[channels, length]`: `window(size, stride) → reduce(mean | max)`.
public struct Pool1d: Layer, Sendable {
    /// The layer's name.
    public let name: String
    public let kind: Primitive.ReduceKind
    public let size: Int
    public let stride: Int

    /// Pooling by `kind` over windows of `size` every `stride` positions (`size` by default).
    public init(_ name: String, kind: Primitive.ReduceKind, size: Int, stride: Int? = nil) {
        self.name = name
        self.kind = kind
        self.size = size
        self.stride = stride ?? size
    }

    /// Appends the layer after `input`; returns its output.
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        let windows = try graph.append(.window(axis: 1, size: size, stride: stride, dilation: 1), [input], layer: name)
        return try graph.append(.reduce(kind: kind, axes: [1]), [windows], layer: name)
    }
}

/// A per-channel affine map `scale · x + shift` over `[channels, length]`: the form a normalisation takes at
/// inference, and one the search can fuse into the convolution before it.
public struct ChannelAffine: Layer, Sendable {
    /// The layer's name, which prefixes its parameters (`name.scale`, `name.shift`).
    public let name: String
    public let channels: Int

    /// An affine map of `channels` channels.
    public init(_ name: String, channels: Int) {
        self.name = name
        self.channels = channels
    }

    /// Appends the layer after `input`; returns its output.
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        let scale = try graph.append(.param(name: name + ".scale"), shape: [channels, 1], layer: name)
        let shift = try graph.append(.param(name: name + ".shift"), shape: [channels, 1], layer: name)
        let scaled = try graph.append(.mul, [input, scale], layer: name)
        return try graph.append(.add, [scaled, shift], layer: name)
    }
}
