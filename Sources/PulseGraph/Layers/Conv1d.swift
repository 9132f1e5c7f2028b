/// A 1-D convolution over `[channels, length]`: `pad → window → contract("oik,ikt->ot") → add bias`. With
/// `groups` > 1 the channels are split into groups convolved separately: the input is reshaped to
/// `[groups, channels / groups, length]` and the weight has shape `[groups, out / groups, channels / groups, kernel]`
/// (`contract("goik,gikt->got")`, then a reshape back to `[out, count]`).
/// `.same` padding keeps the length (stride 1); `.causal` pads only on the left, so output `t` sees inputs up to `t`.
public struct Conv1d: Layer, Sendable {
    /// Zeros around the length axis.
    public enum Padding: Sendable {
        /// None: the output is shorter by the kernel's span.
        case valid
        /// Half the span on each side (the extra one after), keeping the length at stride 1.
        case same
        /// The whole span before, so that output `t` depends on inputs up to `t` only.
        case causal
        /// These many zeros before and after: for rewrites that keep another layer's geometry.
        case explicit(before: Int, after: Int)
    }

    /// The layer's name, which prefixes its parameters.
    public let name: String
    /// Channels of the input.
    public let inputChannels: Int
    /// Channels of the output.
    public let outputChannels: Int
    /// Taps of the filter.
    public let kernelSize: Int
    /// Positions between taps.
    public let dilation: Int
    /// Positions between outputs.
    public let stride: Int
    /// Zeros around the length axis.
    public let padding: Padding
    /// Groups of channels convolved separately; divides both channel counts.
    public let groups: Int

    /// A convolution layer named `name`; parameters `name.weight` and `name.bias`.
    public init(_ name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, dilation: Int = 1, stride: Int = 1,
                padding: Padding = .same, groups: Int = 1) {
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.dilation = dilation
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    /// Appends the convolution after `input` (`[inputChannels, length]`).
    /// - Throws: `GraphError` when `groups` does not divide both channel counts or the shapes do not fit.
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        guard groups >= 1, inputChannels % groups == 0, outputChannels % groups == 0 else {
            throw GraphError("\(name): \(groups) groups do not divide \(inputChannels) input and \(outputChannels) output channels")
        }
        guard groups > 1 else {
            let weight = try graph.append(.param(name: name + ".weight"), shape: [outputChannels, inputChannels, kernelSize], layer: name)
            let bias = try graph.append(.param(name: name + ".bias"), shape: [outputChannels, 1], layer: name)
            let padded = try convolutionPadding(input, axis: 1, in: &graph)
            let windows = try graph.append(.window(axis: 1, size: kernelSize, stride: stride, dilation: dilation), [padded], layer: name)
            let product = try graph.append(.contract(spec: try ContractSpec("oik,ikt->ot")), [weight, windows], layer: name)
            return try graph.append(.add, [product, bias], layer: name)
        }
        let weight = try graph.append(
            .param(name: name + ".weight"), shape: [groups, outputChannels / groups, inputChannels / groups, kernelSize], layer: name)
        let bias = try graph.append(.param(name: name + ".bias"), shape: [outputChannels, 1], layer: name)
        let length = graph.instructions[input].shape.last ?? 0
        let split = try graph.append(.reshape(shape: [groups, inputChannels / groups, length]), [input], layer: name)
        let padded = try convolutionPadding(split, axis: 2, in: &graph)
        let windows = try graph.append(.window(axis: 2, size: kernelSize, stride: stride, dilation: dilation), [padded], layer: name)
        let product = try graph.append(.contract(spec: try ContractSpec("goik,gikt->got")), [weight, windows], layer: name)
        let count = graph.instructions[product].shape.last ?? 0
        let joined = try graph.append(.reshape(shape: [outputChannels, count]), [product], layer: name)
        return try graph.append(.add, [joined, bias], layer: name)
    }

    func convolutionPadding(_ input: Int, axis: Int = 1, in graph: inout Graph) throws -> Int {
        let span = dilation * (kernelSize - 1)
        switch padding {
        case .valid: return input
        case .same where span > 0: return try graph.append(.pad(axis: axis, before: span / 2, after: span - span / 2), [input], layer: name)
        case .causal where span > 0: return try graph.append(.pad(axis: axis, before: span, after: 0), [input], layer: name)
        case .explicit(let before, let after) where before > 0 || after > 0:
            return try graph.append(.pad(axis: axis, before: before, after: after), [input], layer: name)
        default: return input
        }
    }
}

/// A depthwise 1-D convolution: each channel filtered by its own kernel, `contract("ck,ckt->ct")`.
public struct DepthwiseConv1d: Layer, Sendable {
    /// The layer's name, which prefixes its parameters.
    public let name: String
    /// Channels of the input and the output.
    public let channels: Int
    /// Taps of each channel's filter.
    public let kernelSize: Int
    /// Positions between taps.
    public let dilation: Int
    /// Positions between outputs.
    public let stride: Int
    /// Zeros around the length axis.
    public let padding: Conv1d.Padding

    /// A depthwise convolution named `name`; parameters `name.weight` (`[channels, kernelSize]`) and `name.bias`.
    public init(_ name: String, channels: Int, kernelSize: Int, dilation: Int = 1, stride: Int = 1, padding: Conv1d.Padding = .same) {
        self.name = name
        self.channels = channels
        self.kernelSize = kernelSize
        self.dilation = dilation
        self.stride = stride
        self.padding = padding
    }

    /// Appends the convolution after `input` (`[channels, length]`).
    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        let weight = try graph.append(.param(name: name + ".weight"), shape: [channels, kernelSize], layer: name)
        let bias = try graph.append(.param(name: name + ".bias"), shape: [channels, 1], layer: name)
        let padded = try Conv1d(name, inputChannels: channels, outputChannels: channels, kernelSize: kernelSize, dilation: dilation,
                                padding: padding).convolutionPadding(input, in: &graph)
        let windows = try graph.append(.window(axis: 1, size: kernelSize, stride: stride, dilation: dilation), [padded], layer: name)
        let product = try graph.append(.contract(spec: try ContractSpec("ck,ckt->ct")), [weight, windows], layer: name)
        return try graph.append(.add, [product, bias], layer: name)
    }
}
