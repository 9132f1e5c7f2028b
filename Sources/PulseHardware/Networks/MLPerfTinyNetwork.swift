import PulseGraph

/// The four MLPerf Tiny benchmark networks (mlcommons/tiny `benchmark/training`), as an int8 deployment runs them:
/// batch normalisation folded into the convolution or dense layer before it (its bias), dropout removed, images
/// as `[channels, height, width]`. Keras `same` padding with stride 2 pads the extra row and column after.
public enum MLPerfTinyNetwork: String, CaseIterable, Sendable {
    /// Anomaly detection (AD): a fully connected autoencoder over 640 log-mel values.
    case anomalyDetection = "fc-autoencoder"
    /// Keyword spotting (KWS): DS-CNN over 49 × 10 MFCCs.
    case keywordSpotting = "ds-cnn"
    /// Image classification (IC): ResNet-8 over 32 × 32 RGB.
    case imageClassification = "resnet8"
    /// Visual wake words (VWW): MobileNet v1 with width 0.25 over 96 × 96 RGB.
    case visualWakeWords = "mobilenet-v1-0.25"

    /// The benchmark's short name.
    public var benchmark: String {
        switch self {
        case .anomalyDetection: return "AD"
        case .keywordSpotting: return "KWS"
        case .imageClassification: return "IC"
        case .visualWakeWords: return "VWW"
        }
    }

    /// The network's instruction graph.
    public func graph() throws -> Graph {
        var builder = NetworkBuilder()
        switch self {
        case .anomalyDetection:
            var x = try builder.input([640])
            for (index, width) in [128, 128, 128, 128, 8, 128, 128, 128, 128].enumerated() {
                x = try builder.dense("dense\(index + 1)", x, outputs: width, relu: true)
            }
            builder.graph.outputs = [try builder.dense("dense10", x, outputs: 640, relu: false)]
        case .keywordSpotting:
            var x = try builder.input([1, 49, 10])
            x = try builder.convolution("conv1", x, outputs: 64, kernel: (10, 4), stride: 2)
            for block in 1...4 {
                x = try builder.convolution("dw\(block)", x, outputs: 64, kernel: (3, 3), stride: 1, depthwise: true)
                x = try builder.convolution("pw\(block)", x, outputs: 64, kernel: (1, 1), stride: 1)
            }
            x = try Pool2d("pool", kind: .mean, size: (25, 5))(x, in: &builder.graph)
            builder.graph.outputs = [try builder.classifier(x, classes: 12)]
        case .imageClassification:
            var x = try builder.input([3, 32, 32])
            x = try builder.convolution("conv1", x, outputs: 16, kernel: (3, 3), stride: 1)
            for (stack, width) in [16, 32, 64].enumerated() {
                let stride = stack == 0 ? 1 : 2
                let name = "stack\(stack + 1)"
                var y = try builder.convolution(name + ".conv1", x, outputs: width, kernel: (3, 3), stride: stride)
                y = try builder.convolution(name + ".conv2", y, outputs: width, kernel: (3, 3), stride: 1, relu: false)
                let shortcut = stride == 1 ? x : try builder.convolution(name + ".shortcut", x, outputs: width, kernel: (1, 1), stride: stride, relu: false)
                x = try builder.graph.append(.relu, [try builder.graph.append(.add, [shortcut, y], layer: name)], layer: name)
            }
            x = try Pool2d("pool", kind: .mean, size: (8, 8))(x, in: &builder.graph)
            builder.graph.outputs = [try builder.classifier(x, classes: 10)]
        case .visualWakeWords:
            var x = try builder.input([3, 96, 96])
            x = try builder.convolution("conv1", x, outputs: 8, kernel: (3, 3), stride: 2)
            let blocks: [(outputs: Int, stride: Int)] = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1),
                                                         (128, 1), (128, 1), (256, 2), (256, 1)]
            for (index, block) in blocks.enumerated() {
                x = try builder.convolution("dw\(index + 1)", x, outputs: builder.channels(x), kernel: (3, 3), stride: block.stride, depthwise: true)
                x = try builder.convolution("pw\(index + 1)", x, outputs: block.outputs, kernel: (1, 1), stride: 1)
            }
            x = try Pool2d("pool", kind: .mean, size: (3, 3))(x, in: &builder.graph)
            builder.graph.outputs = [try builder.classifier(x, classes: 2)]
        }
        try builder.graph.validate()
        return builder.graph
    }
}

/// Appends Keras-style layers to a graph.
private struct NetworkBuilder {
    var graph = Graph()

    mutating func input(_ shape: [Int]) throws -> Int {
        try graph.append(.input(name: "input"), shape: shape, layer: "input")
    }

    func channels(_ value: Int) -> Int { graph.instructions[value].shape[0] }

    /// A convolution with Keras `same` padding (the extra zero after), its folded batch norm as bias, then ReLU.
    mutating func convolution(_ name: String, _ x: Int, outputs: Int, kernel: (Int, Int), stride: Int, depthwise: Bool = false,
                              relu: Bool = true) throws -> Int {
        let shape = graph.instructions[x].shape
        func padding(_ extent: Int, _ taps: Int) -> (Int, Int) {
            let count = (extent + stride - 1) / stride
            let total = max((count - 1) * stride + taps - extent, 0)
            return (total / 2, total - total / 2)
        }
        let (top, bottom) = padding(shape[1], kernel.0)
        let (left, right) = padding(shape[2], kernel.1)
        let y = try Conv2d(name, inputChannels: shape[0], outputChannels: outputs, kernelSize: (kernel.0, kernel.1), stride: (stride, stride),
                           padding: (top, bottom, left, right), groups: depthwise ? shape[0] : 1)(x, in: &graph)
        return relu ? try graph.append(.relu, [y], layer: name) : y
    }

    mutating func dense(_ name: String, _ x: Int, outputs: Int, relu: Bool) throws -> Int {
        let y = try Dense(name, inputs: graph.instructions[x].shape.reduce(1, *), outputs: outputs)(x, in: &graph)
        return relu ? try graph.append(.relu, [y], layer: name) : y
    }

    /// Flatten, a dense layer and a softmax.
    mutating func classifier(_ x: Int, classes: Int) throws -> Int {
        let flat = try graph.append(.reshape(shape: [graph.instructions[x].shape.reduce(1, *)]), [x], layer: "flatten")
        return try Softmax("softmax")(try dense("dense", flat, outputs: classes, relu: false), in: &graph)
    }
}
