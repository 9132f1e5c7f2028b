import PulseGraph
import PulseModels

extension Rewrite {
    static func requireDense(_ layer: ConvolutionLayer, _ name: String) throws {
        guard layer.geometry.groups == 1 else { throw SearchError.rewrite(name, reason: "layer \(layer.name) is grouped") }
        guard layer.kernelSize > 1 else { throw SearchError.rewrite(name, reason: "layer \(layer.name) is already pointwise") }
    }

    /// `W[o, i, :] ≈ P[o, i] · D[i, :]`: for each input channel the best rank-1 fit (leading singular pair) of its
    /// `O × K` slice of the weight.
    static func depthwiseSeparable(_ layerName: String, _ model: ModelFile, name: String) throws -> ModelFile {
        let layer = try ConvolutionLayer(layerName, in: model, for: name)
        try requireDense(layer, name)
        let (o, c, k) = (layer.outputChannels, layer.inputChannels, layer.kernelSize)
        var depthwise = [Float](repeating: 0, count: c * k)
        var pointwise = [Float](repeating: 0, count: o * c)
        for i in 0..<c {
            let slice = (0..<o).flatMap { row in (0..<k).map { layer.weight(row, i, $0) } }
            let svd = try SingularValueDecomposition(slice, rows: o, columns: k)
            for tap in 0..<k { depthwise[i * k + tap] = svd.values[0] * svd.vt[tap] }
            for row in 0..<o { pointwise[row * c + i] = svd.u[row * svd.rank] }
        }
        var replacement = try Replacement(inputs: [[c, layer.inputLength]])
        var y = try replacement.depthwise(replacement.inputs[0], name: layerName + ".depthwise", channels: c, kernelSize: k,
                                          dilation: layer.dilation, stride: layer.stride, padding: layer.padding,
                                          weight: depthwise, bias: [Float](repeating: 0, count: c))
        y = try replacement.convolution(y, name: layerName + ".pointwise", inputChannels: c, outputChannels: o, kernelSize: 1,
                                        padding: .valid, weight: pointwise, bias: layer.bias)
        replacement.graph.outputs = [try replacement.relu(y, if: layer.activated, layer: layerName)]
        replacement.graph.retag(as: layerName)
        return try model.replacing(layer.region, with: replacement, rewrite: name)
    }

    /// `W ≈ U_r S_r V_rᵀ` over `[O, I·K]`: a convolution with the rows `√s_j v_j` then a pointwise mix `u_j √s_j`.
    static func lowRank(_ layerName: String, rank: Int, _ model: ModelFile, name: String) throws -> ModelFile {
        let layer = try ConvolutionLayer(layerName, in: model, for: name)
        guard layer.geometry.groups == 1 else { throw SearchError.rewrite(name, reason: "layer \(layerName) is grouped") }
        let (o, c, k) = (layer.outputChannels, layer.inputChannels, layer.kernelSize)
        guard rank >= 1, rank < min(o, c * k) else {
            throw SearchError.rewrite(name, reason: "rank \(rank) must lie in 1..<\(min(o, c * k)) for layer \(layerName)")
        }
        let svd = try SingularValueDecomposition(layer.weight, rows: o, columns: c * k)
        var basis = [Float](repeating: 0, count: rank * c * k)
        var mix = [Float](repeating: 0, count: o * rank)
        for j in 0..<rank {
            let root = svd.values[j].squareRoot()
            for column in 0..<(c * k) { basis[j * c * k + column] = root * svd.vt[j * c * k + column] }
            for row in 0..<o { mix[row * rank + j] = svd.u[row * svd.rank + j] * root }
        }
        var replacement = try Replacement(inputs: [[c, layer.inputLength]])
        var y = try replacement.convolution(replacement.inputs[0], name: layerName + ".basis", inputChannels: c, outputChannels: rank,
                                            kernelSize: k, dilation: layer.dilation, stride: layer.stride, padding: layer.padding,
                                            weight: basis, bias: [Float](repeating: 0, count: rank))
        y = try replacement.convolution(y, name: layerName + ".mix", inputChannels: rank, outputChannels: o, kernelSize: 1,
                                        padding: .valid, weight: mix, bias: layer.bias)
        replacement.graph.outputs = [try replacement.relu(y, if: layer.activated, layer: layerName)]
        replacement.graph.retag(as: layerName)
        return try model.replacing(layer.region, with: replacement, rewrite: name)
    }

    /// The block-diagonal part of the weight: output channel `o` of group `g` keeps its input channels of group `g`.
    static func grouped(_ layerName: String, groups: Int, _ model: ModelFile, name: String) throws -> ModelFile {
        let layer = try ConvolutionLayer(layerName, in: model, for: name)
        guard layer.geometry.groups == 1 else { throw SearchError.rewrite(name, reason: "layer \(layerName) is already grouped") }
        let (o, c, k) = (layer.outputChannels, layer.inputChannels, layer.kernelSize)
        guard groups >= 2, o % groups == 0, c % groups == 0 else {
            throw SearchError.rewrite(name, reason: "\(groups) groups do not divide the \(c) input and \(o) output channels of \(layerName)")
        }
        let (og, cg) = (o / groups, c / groups)
        var weight: [Float] = []
        weight.reserveCapacity(o * cg * k)
        for row in 0..<o {
            let group = row / og
            for i in 0..<cg { for tap in 0..<k { weight.append(layer.weight(row, group * cg + i, tap)) } }
        }
        var replacement = try Replacement(inputs: [[c, layer.inputLength]])
        let y = try replacement.convolution(replacement.inputs[0], name: layerName, inputChannels: c, outputChannels: o, kernelSize: k,
                                            dilation: layer.dilation, stride: layer.stride, padding: layer.padding, groups: groups,
                                            weight: weight, bias: layer.bias)
        replacement.graph.outputs = [try replacement.relu(y, if: layer.activated, layer: layerName)]
        replacement.graph.retag(as: layerName)
        return try model.replacing(layer.region, with: replacement, rewrite: name)
    }

    /// Input channels split into `K` contiguous blocks; block `j` is shifted by tap `j`'s offset
    /// (`padBefore − j · dilation`) and mixed with `W[:, i, j]`.
    static func shiftPointwise(_ layerName: String, _ model: ModelFile, name: String) throws -> ModelFile {
        let layer = try ConvolutionLayer(layerName, in: model, for: name)
        try requireDense(layer, name)
        let (o, c, k) = (layer.outputChannels, layer.inputChannels, layer.kernelSize)
        let length = layer.inputLength
        guard layer.stride == 1, layer.outputLength == length, c >= k else {
            throw SearchError.rewrite(name, reason: "layer \(layerName) must keep its length at stride 1 and have at least \(k) input channels")
        }
        var replacement = try Replacement(inputs: [[c, length]])
        var pieces: [Int] = []
        var tapOfChannel: [Int] = []
        for tap in 0..<k {
            let (start, end) = (tap * c / k, (tap + 1) * c / k)
            var piece = try replacement.graph.append(.slice(axis: 0, start: start, count: end - start), [replacement.inputs[0]], layer: layerName)
            let amount = layer.padBefore - tap * layer.dilation
            if amount != 0 { piece = try replacement.graph.append(.shift(axis: 1, amount: amount), [piece], layer: layerName) }
            pieces.append(piece)
            tapOfChannel += Array(repeating: tap, count: end - start)
        }
        let shifted = try replacement.graph.append(.concat(axis: 0), pieces, layer: layerName)
        var pointwise = [Float](repeating: 0, count: o * c)
        for row in 0..<o { for i in 0..<c { pointwise[row * c + i] = layer.weight(row, i, tapOfChannel[i]) } }
        let y = try replacement.convolution(shifted, name: layerName + ".pointwise", inputChannels: c, outputChannels: o, kernelSize: 1,
                                            padding: .valid, weight: pointwise, bias: layer.bias)
        replacement.graph.outputs = [try replacement.relu(y, if: layer.activated, layer: layerName)]
        replacement.graph.retag(as: layerName)
        return try model.replacing(layer.region, with: replacement, rewrite: name)
    }
}
