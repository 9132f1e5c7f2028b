/// A dense 1-D convolution over `[channels, length]`: `pad → window → contract("oik,ikt->ot") → add bias`.
/// `.same` padding keeps the length (stride 1); `.causal` pads only on the left, so output `t` sees inputs up to `t`.
public struct Conv1d: Layer, Sendable {
    public enum Padding: Sendable { case valid, same, causal }

    public let name: String
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let dilation: Int
    public let stride: Int
    public let padding: Padding

    public init(_ name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, dilation: Int = 1, stride: Int = 1,
                padding: Padding = .same) {
        self.name = name
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.dilation = dilation
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        let weight = try graph.append(.param(name: name + ".weight"), shape: [outputChannels, inputChannels, kernelSize], layer: name)
        let bias = try graph.append(.param(name: name + ".bias"), shape: [outputChannels, 1], layer: name)
        let padded = try convolutionPadding(input, in: &graph)
        let windows = try graph.append(.window(axis: 1, size: kernelSize, stride: stride, dilation: dilation), [padded], layer: name)
        let product = try graph.append(.contract(spec: "oik,ikt->ot"), [weight, windows], layer: name)
        return try graph.append(.add, [product, bias], layer: name)
    }

    func convolutionPadding(_ input: Int, in graph: inout Graph) throws -> Int {
        let span = dilation * (kernelSize - 1)
        switch padding {
        case .valid: return input
        case .same where span > 0: return try graph.append(.pad(axis: 1, before: span / 2, after: span - span / 2), [input], layer: name)
        case .causal where span > 0: return try graph.append(.pad(axis: 1, before: span, after: 0), [input], layer: name)
        default: return input
        }
    }
}

/// A depthwise 1-D convolution: each channel filtered by its own kernel, `contract("ck,ckt->ct")`.
public struct DepthwiseConv1d: Layer, Sendable {
    public let name: String
    public let channels: Int
    public let kernelSize: Int
    public let dilation: Int
    public let padding: Conv1d.Padding

    public init(_ name: String, channels: Int, kernelSize: Int, dilation: Int = 1, padding: Conv1d.Padding = .same) {
        self.name = name
        self.channels = channels
        self.kernelSize = kernelSize
        self.dilation = dilation
        self.padding = padding
    }

    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        let weight = try graph.append(.param(name: name + ".weight"), shape: [channels, kernelSize], layer: name)
        let bias = try graph.append(.param(name: name + ".bias"), shape: [channels, 1], layer: name)
        let padded = try Conv1d(name, inputChannels: channels, outputChannels: channels, kernelSize: kernelSize, dilation: dilation,
                                padding: padding).convolutionPadding(input, in: &graph)
        let windows = try graph.append(.window(axis: 1, size: kernelSize, stride: 1, dilation: dilation), [padded], layer: name)
        let product = try graph.append(.contract(spec: "ck,ckt->ct"), [weight, windows], layer: name)
        return try graph.append(.add, [product, bias], layer: name)
    }
}
