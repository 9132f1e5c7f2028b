import PulseGraph

/// The four MLPerf Tiny benchmark networks (mlcommons/tiny `benchmark/training`), as deployed for int8 inference:
/// batch normalisation folded into the convolution or dense layer before it (into its bias), dropout removed
/// (the identity at inference), images as `[channels, height, width]`. Keras `same` padding is reproduced exactly,
/// with the odd zero of a stride-2 layer after the row or column; average pooling keeps Keras's window and stride
/// (`AveragePooling2D`, not a global mean), then `Flatten`, the last dense layer and its softmax.
public enum MLPerfTinyNetwork: String, CaseIterable, Sendable {
    /// Anomaly detection (AD): a fully connected autoencoder over 640 log-mel values (5 frames × 128 bands).
    case anomalyDetection = "fc-autoencoder"
    /// Keyword spotting (KWS): DS-CNN over 49 × 10 MFCCs, 12 classes.
    case keywordSpotting = "ds-cnn"
    /// Image classification (IC): ResNet-8 over 32 × 32 RGB, 10 classes.
    case imageClassification = "resnet8"
    /// Visual wake words (VWW): MobileNet v1 with width 0.25 over 96 × 96 RGB, 2 classes.
    case visualWakeWords = "mobilenet-v1-0.25"

    /// The benchmark's short name (AD, KWS, IC, VWW).
    public var benchmark: String {
        switch self {
        case .anomalyDetection: return "AD"
        case .keywordSpotting: return "KWS"
        case .imageClassification: return "IC"
        case .visualWakeWords: return "VWW"
        }
    }

    /// The graph with batch normalisation folded (what an int8 deployment runs), validated.
    /// - Throws: `GraphError` if the graph library rejects a layer.
    public func graph() throws -> Graph {
        var builder = KerasGraphBuilder()
        switch self {
        case .anomalyDetection: try builder.anomalyDetection()
        case .keywordSpotting: try builder.keywordSpotting()
        case .imageClassification: try builder.imageClassification()
        case .visualWakeWords: try builder.visualWakeWords()
        }
        try builder.graph.validate()
        return builder.graph
    }
}

/// Appends Keras layers, as an int8 deployment runs them, to a graph.
struct KerasGraphBuilder {
    var graph = Graph()

    /// `keras_model.py` `get_model(640)`: Dense 128 ×4, Dense 8, Dense 128 ×4, each with batch norm and ReLU, then
    /// Dense 640 without activation.
    mutating func anomalyDetection() throws {
        var x = try input([640])
        for (index, width) in [128, 128, 128, 128, 8, 128, 128, 128, 128].enumerated() {
            x = try dense("dense\(index + 1)", x, outputs: width, relu: true)
        }
        graph.outputs = [try dense("dense10", x, outputs: 640, relu: false)]
    }

    /// `keras_model.py` `ds_cnn`: Conv2D 64 of 10 × 4, stride 2, `same`; four depthwise 3 × 3 then pointwise 64
    /// blocks, each with batch norm and ReLU; `AveragePooling2D((24, 5))` over the 25 × 5 map (the last row is
    /// outside the one window); Flatten, Dense 12, softmax.
    mutating func keywordSpotting() throws {
        var x = try input([1, 49, 10])
        x = try convolution("conv1", x, outputs: 64, kernel: (10, 4), stride: 2)
        for block in 1...4 {
            x = try convolution("dw\(block)", x, outputs: 64, kernel: (3, 3), stride: 1, depthwise: true)
            x = try convolution("pw\(block)", x, outputs: 64, kernel: (1, 1), stride: 1)
        }
        x = try Pool2d("pool", kind: .mean, size: (24, 5))(x, in: &graph)
        graph.outputs = [try classifier(x, classes: 12)]
    }

    /// `keras_model.py` `resnet_v1_eembc`: Conv2D 16 of 3 × 3 with batch norm and ReLU, then three stacks of
    /// 16, 32, 64 filters: two 3 × 3 convolutions (the first with stride 2 from the second stack on), the second
    /// without ReLU, added to the identity or to a 1 × 1 stride-2 projection (no batch norm), then ReLU;
    /// `AveragePooling2D(8)`, Flatten, Dense 10, softmax.
    mutating func imageClassification() throws {
        var x = try input([3, 32, 32])
        x = try convolution("conv1", x, outputs: 16, kernel: (3, 3), stride: 1)
        for (stack, width) in [16, 32, 64].enumerated() {
            let stride = stack == 0 ? 1 : 2
            let name = "stack\(stack + 1)"
            var y = try convolution(name + ".conv1", x, outputs: width, kernel: (3, 3), stride: stride)
            y = try convolution(name + ".conv2", y, outputs: width, kernel: (3, 3), stride: 1, relu: false)
            let shortcut = stride == 1 ? x : try convolution(name + ".shortcut", x, outputs: width, kernel: (1, 1), stride: stride, relu: false)
            x = try graph.append(.relu, [try graph.append(.add, [shortcut, y], layer: name + ".add")], layer: name + ".add")
        }
        x = try Pool2d("pool", kind: .mean, size: (8, 8))(x, in: &graph)
        graph.outputs = [try classifier(x, classes: 10)]
    }

    /// `vww_model.py` `mobilenet_v1` (width 0.25): Conv2D 8 of 3 × 3, stride 2, then 13 depthwise 3 × 3 and
    /// pointwise blocks (strides 2 at blocks 2, 4, 6 and 12), every convolution with batch norm and ReLU;
    /// `AveragePooling2D(3)`, Flatten, Dense 2, softmax.
    mutating func visualWakeWords() throws {
        var x = try input([3, 96, 96])
        x = try convolution("conv1", x, outputs: 8, kernel: (3, 3), stride: 2)
        let blocks: [(outputs: Int, stride: Int)] = [
            (16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1), (128, 1), (128, 1), (256, 2), (256, 1),
        ]
        for (index, block) in blocks.enumerated() {
            x = try convolution("dw\(index + 1)", x, outputs: channels(x), kernel: (3, 3), stride: block.stride, depthwise: true)
            x = try convolution("pw\(index + 1)", x, outputs: block.outputs, kernel: (1, 1), stride: 1)
        }
        x = try Pool2d("pool", kind: .mean, size: (3, 3))(x, in: &graph)
        graph.outputs = [try classifier(x, classes: 2)]
    }

    private mutating func input(_ shape: [Int]) throws -> Int {
        try graph.append(.input(name: "input"), shape: shape, layer: "input")
    }

    private func channels(_ value: Int) -> Int { graph.instructions[value].shape[0] }

    /// Keras `same` padding of one axis: `(before, after)` with the odd zero after.
    private static func samePadding(extent: Int, taps: Int, stride: Int) -> (before: Int, after: Int) {
        let count = (extent + stride - 1) / stride
        let total = max((count - 1) * stride + taps - extent, 0)
        return (total / 2, total - total / 2)
    }

    /// A `same`-padded convolution (depthwise: one filter per channel), its folded batch norm as bias, then ReLU.
    private mutating func convolution(_ name: String, _ x: Int, outputs: Int, kernel: (height: Int, width: Int), stride: Int,
                                      depthwise: Bool = false, relu: Bool = true) throws -> Int {
        let shape = graph.instructions[x].shape
        let vertical = Self.samePadding(extent: shape[1], taps: kernel.height, stride: stride)
        let horizontal = Self.samePadding(extent: shape[2], taps: kernel.width, stride: stride)
        let y = try Conv2d(name, inputChannels: shape[0], outputChannels: outputs, kernelSize: kernel, stride: (stride, stride),
                           padding: (vertical.before, vertical.after, horizontal.before, horizontal.after),
                           groups: depthwise ? shape[0] : 1)(x, in: &graph)
        return relu ? try graph.append(.relu, [y], layer: name) : y
    }

    private mutating func dense(_ name: String, _ x: Int, outputs: Int, relu: Bool) throws -> Int {
        let y = try Dense(name, inputs: graph.instructions[x].shape.reduce(1, *), outputs: outputs)(x, in: &graph)
        return relu ? try graph.append(.relu, [y], layer: name) : y
    }

    /// Flatten, a dense layer and a softmax.
    private mutating func classifier(_ x: Int, classes: Int) throws -> Int {
        let flat = try graph.append(.reshape(shape: [graph.instructions[x].shape.reduce(1, *)]), [x], layer: "flatten")
        return try Softmax("softmax")(try dense("dense", flat, outputs: classes, relu: false), in: &graph)
    }
}
