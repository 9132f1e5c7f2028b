import PulseGraph
import PulseModels

extension Rewrite {
    /// `scale · conv(x) + shift` → a convolution with `W′[o] = scale_o · W[o]` and `b′_o = scale_o · b_o + shift_o`.
    static func foldAffine(_ affineName: String, _ model: ModelFile, name: String) throws -> ModelFile {
        let graph = model.graph
        let affine: GraphRegion
        do { affine = try graph.region(layer: affineName) } catch { throw SearchError.rewrite(name, reason: "layer \(affineName) is not in the model") }
        let operations = affine.instructions.filter {
            switch graph.instructions[$0].primitive { case .param, .const: return false; default: return true }
        }
        guard affine.inputs.count == 1, operations.count == 2, graph.instructions[operations[0]].primitive == .mul,
              graph.instructions[operations[1]].primitive == .add, graph.instructions[operations[1]].inputs.contains(operations[0]) else {
            throw SearchError.rewrite(name, reason: "layer \(affineName) is not scale · x + shift")
        }
        func values(_ position: Int) -> [Float]? {
            switch graph.instructions[position].primitive {
            case .param(let parameter): return model.parameters[parameter]?.scalars
            case .const(let tensor): return tensor.scalars
            default: return nil
            }
        }
        let input = affine.inputs[0]
        guard let scalePosition = graph.instructions[operations[0]].inputs.first(where: { $0 != input }),
              let shiftPosition = graph.instructions[operations[1]].inputs.first(where: { $0 != operations[0] }),
              let scale = values(scalePosition), let shift = values(shiftPosition) else {
            throw SearchError.rewrite(name, reason: "the scale or shift of \(affineName) is not a parameter or constant")
        }
        let producer = graph.instructions[input].layer
        let convolution = try ConvolutionLayer(producer, in: model, for: name)
        let channels = convolution.outputChannels
        guard !convolution.activated, graph.consumers[input].allSatisfy({ graph.instructions[$0].layer == affineName }),
              scale.count == channels, shift.count == channels,
              graph.instructions[scalePosition].shape == [channels, 1], graph.instructions[shiftPosition].shape == [channels, 1] else {
            throw SearchError.rewrite(name, reason: "\(affineName) does not scale and shift each channel of convolution \(producer) alone")
        }
        let perRow = convolution.weight.count / channels
        let weight = convolution.weight.enumerated().map { $0.element * scale[$0.offset / perRow] }
        let bias = (0..<channels).map { scale[$0] * convolution.bias[$0] + shift[$0] }
        let region = try graph.region(layers: [producer, affineName])
        var replacement = try Replacement(inputs: [[convolution.inputChannels, convolution.inputLength]])
        replacement.graph.outputs = [try replacement.convolution(
            replacement.inputs[0], name: producer, inputChannels: convolution.inputChannels, outputChannels: channels,
            kernelSize: convolution.kernelSize, dilation: convolution.dilation, stride: convolution.stride, padding: convolution.padding,
            groups: convolution.geometry.groups, weight: weight, bias: bias)]
        return try model.replacing(region, with: replacement, rewrite: name)
    }

    /// Merges each `pad` that alone reads another `pad` on the same axis, and removes `pad`s of nothing, one region
    /// at a time.
    static func foldPadding(_ model: ModelFile, name: String) throws -> ModelFile {
        var model = model
        while true {
            let graph = model.graph
            let consumers = graph.consumers
            var found: (region: GraphRegion, replacement: Replacement)?
            for (position, instruction) in graph.instructions.enumerated() {
                guard case .pad(let axis, let before, let after) = instruction.primitive, let source = instruction.inputs.first else { continue }
                if before == 0 && after == 0 {
                    var replacement = try Replacement(inputs: [graph.instructions[source].shape])
                    replacement.graph.outputs = [replacement.inputs[0]]
                    found = (try graph.region(of: [position]), replacement)
                } else if case .pad(let innerAxis, let innerBefore, let innerAfter) = graph.instructions[source].primitive, innerAxis == axis,
                          consumers[source].count == 1, !graph.outputs.contains(source), let origin = graph.instructions[source].inputs.first {
                    var replacement = try Replacement(inputs: [graph.instructions[origin].shape])
                    replacement.graph.outputs = [try replacement.graph.append(
                        .pad(axis: axis, before: before + innerBefore, after: after + innerAfter), [replacement.inputs[0]], layer: instruction.layer)]
                    found = (try graph.region(of: [source, position]), replacement)
                }
                if found != nil { break }
            }
            guard let (region, replacement) = found else { return model }
            model = try model.replacing(region, with: replacement, rewrite: name)
        }
    }
}
