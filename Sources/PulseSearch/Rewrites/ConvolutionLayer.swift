import PulseGraph
import PulseModels

/// A layer that is one 1-D convolution (optionally followed by a ReLU), read from a model: what the
/// convolution rewrites start from.
struct ConvolutionLayer {
    /// The layer's tag.
    let name: String
    /// Its instructions and boundary: one input, one output.
    let region: GraphRegion
    /// The convolution's geometry, over one spatial axis.
    let geometry: ConvolutionKernel
    /// `[outputChannels, inputChannels / groups, kernelSize]` values.
    let weight: [Float]
    /// `[outputChannels]` values (zeros when the layer has no bias).
    let bias: [Float]
    /// Whether the layer's output is the ReLU of the convolution.
    let activated: Bool

    var inputChannels: Int { geometry.inputChannels }
    var outputChannels: Int { geometry.outputChannels }
    var kernelSize: Int { geometry.kernelSize[0] }
    var dilation: Int { geometry.dilation[0] }
    var stride: Int { geometry.stride[0] }
    /// Zeros the layer itself adds before and after its input (the kernel plan may also fuse a `pad` of the layer
    /// before it, which stays outside the layer's region).
    let padBefore: Int
    let padAfter: Int
    /// The length of the layer's input (its region's input).
    let inputLength: Int
    var padding: Conv1d.Padding { .explicit(before: padBefore, after: padAfter) }
    var outputLength: Int { geometry.outputExtent[0] }

    /// `weight[o, i, k]` for a dense convolution.
    func weight(_ o: Int, _ i: Int, _ k: Int) -> Float { weight[(o * geometry.channelsPerGroup + i) * kernelSize + k] }

    /// Reads layer `name` of `model`.
    /// - Throws: `SearchError.rewrite` naming `rewrite` when the layer is not one convolution over one axis with
    ///   one input and one output.
    init(_ name: String, in model: ModelFile, for rewrite: String) throws {
        func fail(_ reason: String) -> SearchError { .rewrite(rewrite, reason: "layer \(name) \(reason)") }
        let graph = model.graph
        let region: GraphRegion
        do { region = try graph.region(layer: name) } catch { throw fail("is not in the model") }
        guard region.inputs.count == 1, region.outputs.count == 1 else {
            throw fail("has \(region.inputs.count) inputs and \(region.outputs.count) outputs; a convolution layer has one of each")
        }
        let inside = Set(region.instructions)
        let convolutions: [(Kernel, ConvolutionKernel)] = KernelPlan(graph: graph).kernels.compactMap { kernel in
            guard case .convolution(let convolution) = kernel.operation, inside.contains(convolution.weight.index) else { return nil }
            return (kernel, convolution)
        }
        guard convolutions.count == 1, let (kernel, full) = convolutions.first else {
            throw fail("holds \(convolutions.count) convolutions, not one")
        }
        guard let geometry = full.alongLastAxis, geometry.spatialRank == 1 else { throw fail("is not a convolution over one axis") }
        let output = region.outputs[0]
        let activated = graph.instructions[output].primitive == .relu
        let covered = Set(kernel.instructions.map(\.index))
        for position in region.instructions {
            switch graph.instructions[position].primitive {
            case .param, .const: continue
            case .relu where position == output && activated: continue
            default:
                guard covered.contains(position) else { throw fail("holds more than a convolution and a ReLU") }
            }
        }
        func values(_ id: InstructionID?) throws -> [Float]? {
            guard let id else { return nil }
            guard case .param(let parameter) = graph.instructions[id.index].primitive else { throw fail("has a constant weight or bias") }
            guard let tensor = model.parameters[parameter] else { throw fail("has no values for \(parameter)") }
            return tensor.scalars
        }
        guard let weight = try values(geometry.weight) else { throw fail("has no weight") }
        self.name = name
        self.region = region
        self.geometry = geometry
        self.weight = weight
        self.bias = try values(geometry.bias) ?? [Float](repeating: 0, count: geometry.outputChannels)
        self.activated = activated
        var pads = (0, 0)
        for position in region.instructions {
            if case .pad(_, let before, let after) = graph.instructions[position].primitive { pads = (before, after) }
        }
        (padBefore, padAfter) = pads
        inputLength = graph.instructions[region.inputs[0]].shape.last ?? 0
    }
}
