import PulseGraph

/// A graph that uses every kind of kernel the exporter writes, with random parameters: grouped, depthwise, strided and
/// pointwise 1-D convolutions (with residual and activations fused), a per-channel affine map on the image layout, 2-D
/// convolutions (dense with stride, grouped, depthwise with padding), a fully connected layer, pooling (mean over
/// padded windows, max, and sum and mean over dilated, padded windows), reductions, a contraction of two activations,
/// broadcasting against an activation of lower rank and against a value computed from parameters alone, pad, slice,
/// concat, shifts both ways, and element-wise functions. It reads `x` of `[4, 32]` and returns three outputs.
enum CoverageGraph {
    static func make() throws -> (graph: Graph, parameters: [String: Tensor]) {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 32], layer: "input")
        var a = try Conv1d("grouped", inputChannels: 4, outputChannels: 8, kernelSize: 3, dilation: 2, groups: 2)(x, in: &graph)
        a = try graph.append(.relu, [a], layer: "grouped")
        var b = try DepthwiseConv1d("depthwise", channels: 8, kernelSize: 3, padding: .causal)(a, in: &graph)
        b = try graph.append(.clip(lower: -1, upper: 1), [b], layer: "depthwise")
        b = try ChannelAffine("affine", channels: 8)(b, in: &graph)
        var c = try Conv1d("pointwise", inputChannels: 8, outputChannels: 8, kernelSize: 1)(b, in: &graph)
        c = try graph.append(.relu, [try graph.append(.add, [c, a], layer: "pointwise")], layer: "pointwise")      // [8, 32]

        // Five ways to [8, 16].
        func pool(_ name: String, _ kind: Primitive.ReduceKind, size: Int, stride: Int, dilation: Int, pad: (Int, Int)) throws -> Int {
            var source = c
            if pad.0 + pad.1 > 0 { source = try graph.append(.pad(axis: 1, before: pad.0, after: pad.1), [source], layer: name) }
            let windows = try graph.append(.window(axis: 1, size: size, stride: stride, dilation: dilation), [source], layer: name)
            return try graph.append(.reduce(kind: kind, axes: [1]), [windows], layer: name)
        }
        let mean = try pool("meanpool", .mean, size: 3, stride: 2, dilation: 1, pad: (1, 1))
        let maximum = try pool("maxpool", .max, size: 2, stride: 2, dilation: 1, pad: (0, 0))
        let summed = try pool("sumpool", .sum, size: 2, stride: 2, dilation: 2, pad: (0, 1))
        let dilatedMean = try pool("dilatedpool", .mean, size: 3, stride: 2, dilation: 3, pad: (3, 3))
        let strided = try Conv1d("strided", inputChannels: 8, outputChannels: 8, kernelSize: 3, stride: 2)(c, in: &graph)
        let pooled = try graph.append(.concat(axis: 0), [mean, maximum, summed, dilatedMean, strided], layer: "join")   // [40, 16]

        // Broadcasting: a batched [16] against the batched [40, 16], and a value computed from a parameter alone.
        let profile = try graph.append(.reduce(kind: .max, axes: [0]), [pooled], layer: "profile")
        let scale = try graph.append(.param(name: "scale"), shape: [40, 1], layer: "scale")
        let two = try graph.append(.const(Tensor(shape: [1], scalars: [2])), layer: "scale")
        let doubled = try graph.append(.mul, [scale, two], layer: "scale")
        var mixed = try graph.append(.sub, [pooled, profile], layer: "mix")
        mixed = try graph.append(.sigmoid, [try graph.append(.mul, [mixed, doubled], layer: "mix")], layer: "mix")
        let later = try graph.append(.shift(axis: 1, amount: 3), [mixed], layer: "shift")
        let earlier = try graph.append(.shift(axis: 1, amount: -2), [mixed], layer: "shift")
        let sliced = try graph.append(.slice(axis: 1, start: 2, count: 10), [try graph.append(.add, [later, earlier], layer: "shift")],
                                      layer: "slice")                                                              // [40, 10]
        let one = try graph.append(.const(Tensor(shape: [], scalars: [1])), layer: "log")
        let logged = try graph.append(.log, [try graph.append(.add, [try graph.append(.abs, [sliced], layer: "log"), one], layer: "log")],
                                      layer: "log")
        let bent = try graph.append(.tanh, [try graph.append(.pad(axis: 0, before: 1, after: 0), [sliced], layer: "bend")], layer: "bend")
        let gram = try graph.append(.contract(spec: try ContractSpec("ct,dt->cd")),
                                    [logged, try graph.append(.slice(axis: 0, start: 0, count: 40), [bent], layer: "gram")],
                                    layer: "gram")                                                                 // [40, 40]

        // 2-D: [8, 16] as [8, 4, 4].
        let image = try graph.append(.reshape(shape: [8, 4, 4]), [mean], layer: "image")
        var y = try Conv2d("dense2d", inputChannels: 8, outputChannels: 4, kernelSize: (3, 3), stride: (1, 2), padding: (1, 1, 1, 1))(image, in: &graph)
        y = try graph.append(.relu, [y], layer: "dense2d")                                                        // [4, 4, 2]
        y = try Conv2d("grouped2d", inputChannels: 4, outputChannels: 6, kernelSize: (2, 1), groups: 2)(y, in: &graph)   // [6, 3, 2]
        y = try Conv2d("depthwise2d", inputChannels: 6, outputChannels: 6, kernelSize: (2, 2), padding: (0, 0, 1, 0),
                       groups: 6)(y, in: &graph)                                                                  // [6, 2, 2]
        let features = try graph.append(.reduce(kind: .sum, axes: [1, 2]), [y], layer: "features")             // [6]
        let dense = try graph.append(.exp, [try Dense("dense", inputs: 6, outputs: 5)(features, in: &graph)], layer: "dense")
        graph.outputs = [dense, gram, y]
        // He-uniform weights, and biases, scales and shifts away from their neutral starting values.
        var generator = SeededGenerator(seed: 11)
        var parameters = graph.initialParameters(seed: 11)
        for name in parameters.keys.sorted() {
            guard let tensor = parameters[name] else { continue }
            parameters[name] = Tensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 + Float.random(in: -0.2...0.2, using: &generator) })
        }
        return (graph, parameters)
    }
}
