import PulseGraph
import PulseModels

/// The graphs the host target is judged on, none of them used to fit it: the baseline spectral CNN and variants of
/// it (widths, depths, kernel sizes), and temporal CNNs in depthwise-separable and grouped forms.
enum HostValidationGraphs {
    static func all() throws -> [(name: String, graph: Graph)] {
        var graphs: [(String, Graph)] = [("baseline", try SpectralCNN.baseline.graph())]
        let variants: [(width: Int, kernel: Int, dilations: [Int])] = [
            (8, 5, [1, 2, 4, 8]), (16, 5, [1, 2, 4, 8]), (24, 5, [1, 2, 4, 8]), (48, 5, [1, 2, 4, 8]), (64, 5, [1, 2, 4, 8]),
            (32, 3, [1, 2, 4, 8]), (32, 7, [1, 2, 4, 8]), (32, 9, [1, 2, 4, 8]), (32, 5, [1, 2]), (32, 5, [1, 2, 4, 8, 16, 32]),
            (16, 3, [1]), (48, 7, [1, 2, 4]),
        ]
        for variant in variants {
            var model = SpectralCNN.baseline
            (model.width, model.kernelSize, model.dilations) = (variant.width, variant.kernel, variant.dilations)
            graphs.append(("spectral w\(variant.width) k\(variant.kernel) depth \(variant.dilations.count)", try model.graph()))
        }
        for (width, kernel, blocks) in [(32, 9, 3), (64, 5, 4), (48, 7, 2)] {
            graphs.append(("separable TCN w\(width) k\(kernel) ×\(blocks)", try temporal(width: width, kernel: kernel, blocks: blocks, groups: nil)))
        }
        for (width, groups) in [(32, 4), (64, 8)] {
            graphs.append(("grouped TCN w\(width) g\(groups)", try temporal(width: width, kernel: 5, blocks: 3, groups: groups)))
        }
        return graphs
    }

    /// A TEMPONet-like temporal CNN over `[4, 256]`: a convolution, `blocks` residual blocks with either a depthwise
    /// + pointwise pair (`groups` nil) or a grouped convolution, then pooling and a dense layer.
    private static func temporal(width: Int, kernel: Int, blocks: Int, groups: Int?) throws -> Graph {
        var graph = Graph()
        var y = try graph.append(.input(name: "x"), shape: [4, 256], layer: "input")
        y = try Conv1d("stem", inputChannels: 4, outputChannels: width, kernelSize: kernel, stride: 2, padding: .valid)(y, in: &graph)
        y = try graph.append(.relu, [y], layer: "stem")
        for block in 0..<blocks {
            let name = "block\(block + 1)"
            var z: Int
            if let groups {
                z = try Conv1d(name + ".grouped", inputChannels: width, outputChannels: width, kernelSize: kernel, dilation: 1 << block,
                               groups: groups)(y, in: &graph)
            } else {
                z = try DepthwiseConv1d(name + ".depthwise", channels: width, kernelSize: kernel, dilation: 1 << block)(y, in: &graph)
                z = try Conv1d(name + ".pointwise", inputChannels: width, outputChannels: width, kernelSize: 1)(z, in: &graph)
            }
            y = try graph.append(.relu, [try graph.append(.add, [y, z], layer: name)], layer: name)
        }
        y = try Pool1d("pool", kind: .mean, size: 4)(y, in: &graph)
        let length = graph.instructions[y].shape[1]
        y = try graph.append(.reshape(shape: [width * length]), [y], layer: "flatten")
        graph.outputs = [try Dense("head", inputs: width * length, outputs: 113)(y, in: &graph)]
        return graph
    }
}
