import PulseGraph

/// The graphs the host target is fitted to: one kind of layer each over a grid of shapes, so that every kernel
/// class is timed over the sizes pulse's models use. None of them is a graph `HostValidationGraphs` judges on.
enum MicroBenchmarkGraphs {
    static func all() throws -> [(name: String, graph: Graph)] {
        var graphs: [(String, Graph)] = []
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<72 {
            let cin = [4, 8, 16, 24, 32, 48, 64].randomElement(using: &generator) ?? 8
            let cout = [8, 12, 16, 32, 40, 64].randomElement(using: &generator) ?? 8
            let k = [1, 2, 3, 5, 7, 9].randomElement(using: &generator) ?? 3
            let dilation = k == 1 ? 1 : ([1, 2, 4].randomElement(using: &generator) ?? 1)
            let stride = [1, 1, 1, 2].randomElement(using: &generator) ?? 1
            let length = [64, 113, 128, 200].randomElement(using: &generator) ?? 64
            let groups = [1, 1, 2, 4, 8].randomElement(using: &generator) ?? 1
            // A chain, as in a model: the middle convolutions read and write the layouts they would inside one.
            graphs.append(("conv \(cin)→\(cout) k\(k) d\(dilation) s\(stride) g\(groups) L\(length)", try single([cin, length]) { x, graph in
                var y = try Conv1d("conv1", inputChannels: cin, outputChannels: cout, kernelSize: k, dilation: dilation, stride: stride,
                                   padding: stride == 1 ? .same : .valid)(x, in: &graph)
                y = try graph.append(.relu, [y], layer: "relu1")
                let z = try Conv1d("conv2", inputChannels: cout, outputChannels: cout, kernelSize: k, dilation: dilation,
                                   groups: cout % (4 * groups) == 0 ? groups : 1)(y, in: &graph)
                y = try graph.append(.relu, [try graph.append(.add, [y, z], layer: "residual")], layer: "relu2")
                y = try Conv1d("conv3", inputChannels: cout, outputChannels: cout, kernelSize: k, dilation: dilation)(y, in: &graph)
                return try graph.append(.relu, [y], layer: "relu3")
            }))
        }
        for channels in [8, 16, 32, 64] {
            for k in [3, 5, 9] {
                let length = [64, 128, 256][(channels + k) % 3]
                graphs.append(("depthwise \(channels) k\(k) L\(length)", try single([channels, length]) { x, graph in
                    try DepthwiseConv1d("depthwise", channels: channels, kernelSize: k)(x, in: &graph)
                }))
            }
        }
        for (inputs, outputs) in [(64, 16), (256, 64), (512, 113), (1024, 32), (2048, 128), (4096, 16)] {
            graphs.append(("dense \(inputs)→\(outputs)", try single([inputs]) { x, graph in
                try Dense("dense", inputs: inputs, outputs: outputs)(x, in: &graph)
            }))
        }
        for (channels, length, size) in [(8, 128, 2), (16, 256, 4), (32, 113, 2), (64, 64, 4), (4, 256, 8)] {
            for kind in [Primitive.ReduceKind.mean, .max] {
                graphs.append(("pool \(kind) \(channels)×\(length) /\(size)", try single([channels, length]) { x, graph in
                    let pooled = try Pool1d("pool", kind: kind, size: size)(x, in: &graph)
                    return try graph.append(.reduce(kind: .max, axes: [1]), [pooled], layer: "reduce")
                }))
            }
        }
        for (channels, samples, bins) in [(1, 128, 32), (4, 256, 113), (4, 256, 64), (2, 200, 160), (4, 128, 200)] {
            graphs.append(("dft \(channels)×\(samples)→\(bins)", try single([channels, samples]) { x, graph in
                let basis = Tensor(shape: [bins, samples], scalars: (0..<(bins * samples)).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 })
                let constant = try graph.append(.const(basis), layer: "dft")
                let product = try graph.append(.contract(spec: try ContractSpec("ft,ct->cf")), [constant, x], layer: "dft")
                let square = try graph.append(.mul, [product, product], layer: "power")
                let scale = try graph.append(.const(Tensor(shape: [channels, 1], repeating: 0.5)), layer: "power")
                return try graph.append(.div, [square, scale], layer: "power")
            }))
        }
        for (channels, size) in [(3, 12), (4, 16), (8, 10)] {
            graphs.append(("conv2d \(channels)×\(size)²", try single([channels, size, size]) { x, graph in
                let y = try Conv2d("conv2d", inputChannels: channels, outputChannels: 8, kernelSize: (3, 3), padding: (1, 1, 1, 1))(x, in: &graph)
                let sliced = try graph.append(.slice(axis: 1, start: 1, count: size - 2), [y], layer: "slice")
                return try graph.append(.pad(axis: 2, before: 1, after: 0), [sliced], layer: "pad")
            }))
        }
        return graphs
    }

    /// A graph of `body` over an input of `shape`.
    private static func single(_ shape: [Int], _ body: (Int, inout Graph) throws -> Int) throws -> Graph {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: shape, layer: "input")
        graph.outputs = [try body(x, &graph)]
        return graph
    }
}
