import PulseGraph
import PulseModels

/// A replacement under construction: a subgraph with one boundary input and the parameters of its new layers.
struct Replacement {
    var graph = Graph()
    var parameters: [String: Tensor] = [:]
    /// The boundary inputs, in order.
    var inputs: [Int] = []

    /// A replacement reading values of `shapes`.
    init(inputs shapes: [[Int]]) throws {
        for (number, shape) in shapes.enumerated() {
            inputs.append(try graph.append(.input(name: "boundary\(number)"), shape: shape, layer: "boundary"))
        }
    }

    /// Appends a convolution and records its weight `[outputChannels, inputChannels / groups, kernelSize]` and bias.
    mutating func convolution(_ input: Int, name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, dilation: Int = 1,
                              stride: Int = 1, padding: Conv1d.Padding, groups: Int = 1, weight: [Float], bias: [Float]) throws -> Int {
        let y = try Conv1d(name, inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize, dilation: dilation,
                           stride: stride, padding: padding, groups: groups)(input, in: &graph)
        try record(name, weight: weight, bias: bias)
        return y
    }

    /// Appends a depthwise convolution and records its weight `[channels, kernelSize]` and bias.
    mutating func depthwise(_ input: Int, name: String, channels: Int, kernelSize: Int, dilation: Int, stride: Int, padding: Conv1d.Padding,
                            weight: [Float], bias: [Float]) throws -> Int {
        let y = try DepthwiseConv1d(name, channels: channels, kernelSize: kernelSize, dilation: dilation, stride: stride,
                                    padding: padding)(input, in: &graph)
        try record(name, weight: weight, bias: bias)
        return y
    }

    private mutating func record(_ name: String, weight: [Float], bias: [Float]) throws {
        for (parameter, values) in [(name + ".weight", weight), (name + ".bias", bias)] {
            guard let shape = graph.parameters.first(where: { $0.name == parameter })?.shape, shape.reduce(1, *) == values.count else {
                throw SearchError.rewrite(name, reason: "\(parameter) gets \(values.count) values that do not fit its shape")
            }
            parameters[parameter] = Tensor(shape: shape, scalars: values)
        }
    }

    /// Appends a ReLU when `activated`.
    mutating func relu(_ value: Int, if activated: Bool, layer: String) throws -> Int {
        activated ? try graph.append(.relu, [value], layer: layer) : value
    }
}

extension ModelFile {
    /// The model with `region` replaced by `replacement` (whose outputs must be set), dead instructions pruned, the
    /// parameters of removed layers dropped and those of the new ones added.
    /// - Throws: `GraphError` from `Graph.replace`; `SearchError.rewrite` when a parameter of the result has no values.
    func replacing(_ region: GraphRegion, with replacement: Replacement, rewrite: String) throws -> ModelFile {
        var result = self
        try result.graph.replace(region, with: replacement.graph)
        result.graph.prune()
        var parameters: [String: Tensor] = [:]
        for (name, shape) in result.graph.parameters {
            guard let tensor = replacement.parameters[name] ?? self.parameters[name], tensor.shape == shape else {
                throw SearchError.rewrite(rewrite, reason: "parameter \(name) of shape \(shape) has no values")
            }
            parameters[name] = tensor
        }
        result.parameters = parameters
        return result
    }
}
