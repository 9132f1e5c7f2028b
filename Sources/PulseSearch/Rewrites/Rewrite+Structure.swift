import PulseGraph
import PulseModels

extension Rewrite {
    /// The convolution layer that alone reads layer `first`'s output.
    static func follower(of first: ConvolutionLayer, _ model: ModelFile, name: String) throws -> ConvolutionLayer {
        let output = first.region.outputs[0]
        let readers = Set(model.graph.consumers[output].map { model.graph.instructions[$0].layer })
        guard readers.count == 1, let next = readers.first, !model.graph.outputs.contains(output) else {
            throw SearchError.rewrite(name, reason: "the output of \(first.name) is read by \(readers.sorted()), not by one convolution layer")
        }
        let second = try ConvolutionLayer(next, in: model, for: name)
        guard second.region.inputs == [output] else {
            throw SearchError.rewrite(name, reason: "layer \(next) reads more than the output of \(first.name)")
        }
        return second
    }

    /// Keeps the `keep` output channels of a dense convolution with the largest `‖W_a[o]‖ · ‖W_b[:, o]‖`, and the
    /// matching input channels of the dense convolution that reads it.
    static func pruneChannels(_ layerName: String, keep: Int, _ model: ModelFile, name: String) throws -> ModelFile {
        let first = try ConvolutionLayer(layerName, in: model, for: name)
        let second = try follower(of: first, model, name: name)
        guard first.geometry.groups == 1, second.geometry.groups == 1 else {
            throw SearchError.rewrite(name, reason: "\(layerName) and \(second.name) must be dense convolutions")
        }
        let channels = first.outputChannels
        guard keep >= 1, keep < channels else { throw SearchError.rewrite(name, reason: "keep \(keep) must lie in 1..<\(channels)") }
        let (k1, k2, c, o) = (first.kernelSize, second.kernelSize, first.inputChannels, second.outputChannels)
        func norm(_ values: [Float]) -> Float { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let importance = (0..<channels).map { channel in
            norm((0..<c).flatMap { i in (0..<k1).map { first.weight(channel, i, $0) } })
                * norm((0..<o).flatMap { row in (0..<k2).map { second.weight(row, channel, $0) } })
        }
        let kept = (0..<channels).sorted { importance[$0] > importance[$1] }.prefix(keep).sorted()
        let firstWeight = kept.flatMap { channel in (0..<c).flatMap { i in (0..<k1).map { first.weight(channel, i, $0) } } }
        let secondWeight = (0..<o).flatMap { row in kept.flatMap { channel in (0..<k2).map { second.weight(row, channel, $0) } } }
        let region = try model.graph.region(layers: [first.name, second.name])
        var replacement = try Replacement(inputs: [[c, first.inputLength]])
        var y = try replacement.convolution(replacement.inputs[0], name: first.name, inputChannels: c, outputChannels: keep, kernelSize: k1,
                                            dilation: first.dilation, stride: first.stride, padding: first.padding,
                                            weight: firstWeight, bias: kept.map { first.bias[$0] })
        y = try replacement.relu(y, if: first.activated, layer: first.name)
        y = try replacement.convolution(y, name: second.name, inputChannels: keep, outputChannels: o, kernelSize: k2,
                                        dilation: second.dilation, stride: second.stride, padding: second.padding,
                                        weight: secondWeight, bias: second.bias)
        replacement.graph.outputs = [try replacement.relu(y, if: second.activated, layer: second.name)]
        return try model.replacing(region, with: replacement, rewrite: name)
    }

    /// `kernelSize` taps over the same span: old tap `k` at `k · d` lands at `k · d / d′` on the new grid and goes
    /// to its two nearest new taps in proportion.
    static func dilate(_ layerName: String, kernelSize: Int, _ model: ModelFile, name: String) throws -> ModelFile {
        let layer = try ConvolutionLayer(layerName, in: model, for: name)
        let (k, span) = (layer.kernelSize, (layer.kernelSize - 1) * layer.dilation)
        guard kernelSize >= 2, kernelSize < k, span % (kernelSize - 1) == 0 else {
            throw SearchError.rewrite(name, reason: "\(kernelSize) taps cannot cover the span \(span) of \(layerName)'s \(k) taps evenly")
        }
        let dilation = span / (kernelSize - 1)
        let rows = layer.outputChannels * layer.geometry.channelsPerGroup
        var weight = [Float](repeating: 0, count: rows * kernelSize)
        for row in 0..<rows {
            for tap in 0..<k {
                let position = Double(tap * layer.dilation) / Double(dilation)
                let lower = min(Int(position), kernelSize - 1)
                let fraction = Float(position - Double(lower))
                let value = layer.weight[row * k + tap]
                weight[row * kernelSize + lower] += (1 - fraction) * value
                if fraction > 0 { weight[row * kernelSize + lower + 1] += fraction * value }
            }
        }
        var replacement = try Replacement(inputs: [[layer.inputChannels, layer.inputLength]])
        let y: Int
        if layer.geometry.kind == .depthwise {
            y = try replacement.depthwise(replacement.inputs[0], name: layerName, channels: layer.inputChannels, kernelSize: kernelSize,
                                          dilation: dilation, stride: layer.stride, padding: layer.padding, weight: weight, bias: layer.bias)
        } else {
            y = try replacement.convolution(replacement.inputs[0], name: layerName, inputChannels: layer.inputChannels,
                                            outputChannels: layer.outputChannels, kernelSize: kernelSize, dilation: dilation,
                                            stride: layer.stride, padding: layer.padding, groups: layer.geometry.groups,
                                            weight: weight, bias: layer.bias)
        }
        replacement.graph.outputs = [try replacement.relu(y, if: layer.activated, layer: layerName)]
        return try model.replacing(layer.region, with: replacement, rewrite: name)
    }

    /// Layer `first` at stride 2; the next convolution at half the length and half the dilation; its output
    /// repeated twice along the length (nearest-neighbour) and cut back to the original length.
    static func subsample(_ layerName: String, _ model: ModelFile, name: String) throws -> ModelFile {
        let first = try ConvolutionLayer(layerName, in: model, for: name)
        let second = try follower(of: first, model, name: name)
        let length = first.inputLength
        for layer in [first, second] where layer.stride != 1 || layer.outputLength != layer.inputLength {
            throw SearchError.rewrite(name, reason: "layer \(layer.name) must keep its length at stride 1")
        }
        guard length >= 4 else { throw SearchError.rewrite(name, reason: "layer \(layerName) is too short (\(length)) to subsample") }
        let half = (length + 1) / 2
        let dilation = max(1, second.dilation / 2)
        let span = dilation * (second.kernelSize - 1)
        let region = try model.graph.region(layers: [first.name, second.name])
        var replacement = try Replacement(inputs: [[first.inputChannels, length]])
        let g1 = first.geometry.groups, g2 = second.geometry.groups
        var y = try replacement.convolution(replacement.inputs[0], name: first.name, inputChannels: first.inputChannels,
                                            outputChannels: first.outputChannels, kernelSize: first.kernelSize, dilation: first.dilation,
                                            stride: 2, padding: first.padding, groups: g1, weight: first.weight, bias: first.bias)
        y = try replacement.relu(y, if: first.activated, layer: first.name)
        y = try replacement.convolution(y, name: second.name, inputChannels: second.inputChannels, outputChannels: second.outputChannels,
                                        kernelSize: second.kernelSize, dilation: dilation, padding: .explicit(before: span / 2, after: span - span / 2),
                                        groups: g2, weight: second.weight, bias: second.bias)
        y = try replacement.relu(y, if: second.activated, layer: second.name)
        let channels = second.outputChannels
        let column = try replacement.graph.append(.reshape(shape: [channels, half, 1]), [y], layer: second.name)
        let pairs = try replacement.graph.append(.concat(axis: 2), [column, column], layer: second.name)
        y = try replacement.graph.append(.reshape(shape: [channels, 2 * half]), [pairs], layer: second.name)
        if 2 * half > length { y = try replacement.graph.append(.slice(axis: 1, start: 0, count: length), [y], layer: second.name) }
        replacement.graph.outputs = [y]
        return try model.replacing(region, with: replacement, rewrite: name)
    }

    /// `relu(x + body(x))` → `relu(x)`, or `x` when `x` is already a ReLU's output.
    static func removeResidualBody(_ block: String, _ model: ModelFile, name: String) throws -> ModelFile {
        let graph = model.graph
        let layers = graph.layers.filter { $0 == block || $0.hasPrefix(block + ".") }
        let region: GraphRegion
        do { region = try graph.region(layers: layers) } catch { throw SearchError.rewrite(name, reason: "block \(block) is not in the model") }
        guard region.inputs.count == 1, region.outputs.count == 1 else {
            throw SearchError.rewrite(name, reason: "block \(block) has \(region.inputs.count) inputs and \(region.outputs.count) outputs")
        }
        let (input, output) = (region.inputs[0], region.outputs[0])
        guard graph.instructions[output].primitive == .relu, let sum = graph.instructions[output].inputs.first,
              graph.instructions[sum].primitive == .add, graph.instructions[sum].inputs.contains(input) else {
            throw SearchError.rewrite(name, reason: "block \(block) does not end in relu(input + body)")
        }
        var replacement = try Replacement(inputs: [graph.instructions[input].shape])
        let x = replacement.inputs[0]
        replacement.graph.outputs = [graph.instructions[input].primitive == .relu ? x : try replacement.graph.append(.relu, [x], layer: block)]
        return try model.replacing(region, with: replacement, rewrite: name)
    }
}
