import Foundation
import Testing
import PulseGraph
import PulseEngine
import PulseHardware

@Suite struct NCNNImporterTests {
    /// ncnn's benchmark graphs: `../shared/devices/ncnn` beside the package, or `ncnn` in `$PULSE_SHARED_DEVICES`.
    static let folder: URL = {
        if let devices = ProcessInfo.processInfo.environment["PULSE_SHARED_DEVICES"] {
            return URL(fileURLWithPath: devices).appendingPathComponent("ncnn")
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/devices/ncnn")
    }()

    /// The trait of tests that read ncnn's graphs: skipped, with this message, where the folder is absent.
    static let required = ConditionTrait.enabled(
        if: FileManager.default.fileExists(atPath: folder.appendingPathComponent("mobilenet.param").path),
        "needs ncnn's benchmark graphs in ../shared/devices/ncnn (or $PULSE_SHARED_DEVICES/ncnn), which are absent")

    static func network(_ name: String) throws -> Graph {
        try NCNNImporter.graph(contentsOf: folder.appendingPathComponent(name + ".param"))
    }

    /// Multiply-accumulates of the contractions alone (convolutions and fully connected layers), as published.
    static func contractionMACs(_ graph: Graph, layer: String? = nil) -> Int {
        graph.instructions.indices.reduce(0) { total, index in
            let instruction = graph.instructions[index]
            guard case .contract = instruction.primitive, layer == nil || instruction.layer == layer else { return total }
            return total + graph.cost(of: index).multiplyAccumulates
        }
    }

    /// The description of the error importing `text` raises.
    static func failure(_ text: String, file: String = "bad.param") -> String {
        do {
            _ = try NCNNImporter.graph(param: text, file: file)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// A published network with its published multiply-accumulates and parameters, and the relative tolerance
    /// within which the imported graph must match them.
    struct Published: Sendable, CustomStringConvertible {
        var name: String
        var macs: Double
        var parameters: Double
        var tolerance: Double
        var description: String { name }
    }

    /// MobileNet v1 569 M MACs, 4.2 M parameters; ResNet-18 1.82 G, 11.7 M; AlexNet (Caffe's, two groups, 227 × 227)
    /// 0.72 G, 61 M; ShuffleNet v2 1.0× 146 M, 2.3 M.
    static let published = [
        Published(name: "mobilenet", macs: 569e6, parameters: 4.2e6, tolerance: 0.01),
        Published(name: "resnet18", macs: 1.82e9, parameters: 11.7e6, tolerance: 0.01),
        Published(name: "alexnet", macs: 0.72e9, parameters: 61e6, tolerance: 0.01),
        Published(name: "shufflenet_v2", macs: 146e6, parameters: 2.3e6, tolerance: 0.015),
    ]

    @Test(required, arguments: published)
    func importsAtThePublishedSize(_ network: Published) throws {
        let graph = try Self.network(network.name)
        #expect(graph.outputs.map { graph.instructions[$0].shape } == [[1000]])
        #expect(abs(Double(Self.contractionMACs(graph)) / network.macs - 1) < network.tolerance)
        #expect(abs(Double(graph.parameterCount) / network.parameters - 1) < network.tolerance)
    }

    /// ncnn's MobileNet v2 (a Caffe conversion) expands the first bottleneck, whose expansion factor is 1, with a
    /// 1 × 1 convolution of 32 × 32 channels at 112 × 112 the paper does not have: 300 M MACs and that layer.
    @Test(required) func mobileNetV2IsThePapersPlusAnExpansionOfOne() throws {
        let graph = try Self.network("mobilenet_v2")
        let expansion = Self.contractionMACs(graph, layer: "conv2_1/expand")
        #expect(expansion == 32 * 32 * 112 * 112)
        #expect(abs(Double(Self.contractionMACs(graph) - expansion) / 300e6 - 1) < 0.01)
        #expect(abs(Double(graph.parameterCount) / 3.5e6 - 1) < 0.01)
    }

    /// SqueezeNet v1.1 costs 0.35-0.39 G MACs, but the Caffe model's conv10 (1 × 1) pads by 1, as ncnn's hint
    /// confirms (16 × 16 outputs, not 14 × 14): the rest plus an unpadded conv10 is in range.
    @Test(required) func squeezeNetIsPublishedOnesWithConv10Padded() throws {
        let graph = try Self.network("squeezenet")
        let conv10 = Self.contractionMACs(graph, layer: "conv10")
        #expect(conv10 == 1000 * 512 * 16 * 16)
        let unpadded = Self.contractionMACs(graph) - conv10 + 1000 * 512 * 14 * 14
        #expect((350_000_000...390_000_000).contains(unpadded))
        #expect(abs(Double(graph.parameterCount) / 1.24e6 - 1) < 0.01)
    }

    @Test(required) func mobileNetPlansAsItsConvolutionsAndTheClassifier() throws {
        let counts = KernelPlan(graph: try Self.network("mobilenet")).kindCounts
        // conv1 dense; 13 depthwise; 13 pointwise 1 × 1 convolutions and the fully connected classifier.
        #expect(counts[.convolution] == 1)
        #expect(counts[.depthwise] == 13)
        #expect(counts[.pointwise] == 14)
    }

    static let small = """
        7767517
        6 6
        Input            data   0 1 data -23330=4,3,8,8,3 0=8 1=8 2=3
        Convolution      conv1  1 1 data conv1 -23330=4,3,8,8,4 0=4 1=3 4=1 5=1 6=108
        ReLU             relu1  1 1 conv1 relu1
        Pooling          pool1  1 1 relu1 pool1 -23330=4,3,4,4,4 0=0 1=2 2=2
        InnerProduct     fc     1 1 pool1 fc -23330=4,1,10,1,1 0=10 1=1 2=640
        Softmax          prob   1 1 fc prob
        """

    @Test func aSmallNetworkRunsInTheExecutor() throws {
        let graph = try NCNNImporter.graph(param: Self.small, file: "small.param")
        #expect(graph.inputs.map(\.shape) == [[3, 8, 8]])
        #expect(graph.outputs.map { graph.instructions[$0].shape } == [[10]])
        var generator = SeededGenerator(seed: 3)
        let input = Tensor(shape: [1, 3, 8, 8], scalars: (0..<192).map { _ in Float.random(in: -1...1, using: &generator) })
        let output = try Executor(graph: graph, parameters: graph.initialParameters(seed: 7)).infer(["data": input])[0]
        #expect(output.shape == [1, 10])
        #expect(output.scalars.allSatisfy { $0.isFinite })
        #expect(abs(output.scalars.reduce(0, +) - 1) < 1e-5)
    }

    /// Runs `layers` after an input `data` of shape `[c, h, w]` holding `values`; returns the outputs.
    static func run(_ layers: [String], input shape: [Int], _ values: [Float]) throws -> [Tensor] {
        let header = "7767517\n\(layers.count + 1) \(2 * layers.count + 1)\nInput data 0 1 data 0=\(shape[2]) 1=\(shape[1]) 2=\(shape[0])\n"
        let graph = try NCNNImporter.graph(param: header + layers.joined(separator: "\n"), file: "test.param")
        return try Executor(graph: graph, parameters: graph.initialParameters(seed: 1)).run(["data": Tensor(shape: [1] + shape, scalars: values)])
    }

    @Test func shuffleChannelInterleavesTheGroups() throws {
        // Output channel i·g + j is input channel j·n + i: with g = 2, n = 3, channels 0 3 1 4 2 5.
        let shuffled = try Self.run(["ShuffleChannel shuffle 1 1 data out 0=2"], input: [6, 1, 2], (0..<12).map(Float.init))[0]
        #expect(shuffled.shape == [1, 6, 1, 2])
        #expect(shuffled.scalars == [0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11])
        let reversed = try Self.run(["ShuffleChannel shuffle 1 1 data out 0=2 1=1"], input: [6, 1, 1], (0..<6).map(Float.init))[0]
        #expect(reversed.scalars == [0, 2, 4, 1, 3, 5])
    }

    @Test func splitSliceEltwiseAndBinaryOpComputeNcnnsValues() throws {
        let outputs = try Self.run([
            "Split split 1 2 data a b",
            "Slice slice 1 2 a low high -23300=2,-233,-233",
            "Eltwise max 2 1 low high max 0=2",
            "ReLU leaky 1 1 b leaky 0=0.5",
            "BinaryOp scaled 1 1 leaky scaled 0=2 1=1 2=3",
        ], input: [4, 1, 1], [-2, 4, 1, -3])
        // The outputs are the blobs no layer reads: max(x₀..₁, x₂..₃), then 3 · leaky(x).
        #expect(outputs.map(\.shape) == [[1, 2, 1, 1], [1, 4, 1, 1]])
        #expect(outputs[0].scalars == [1, 4])
        #expect(outputs[1].scalars == [-3, 12, 3, -4.5])
    }

    @Test func theOtherLayerTypesImportAndRun() throws {
        let outputs = try Self.run([
            "Convolution c1 1 1 data c1 -23330=4,3,6,6,8 0=8 1=3 4=1 5=1 6=288 9=2 -23310=1,0.1",
            "ConvolutionDepthWise dw 1 1 c1 dw 0=8 1=3 4=-233 5=1 6=72 7=8 9=6 -23310=2,0.2,0.5",
            "BatchNorm bn 1 1 dw bn 0=8",
            "Scale scale 1 1 bn scale 0=8 1=1",
            "HardSwish hs 1 1 scale hs",
            "Split split 1 2 hs s1 s2",
            "Padding pad 1 1 s1 pad -23330=4,3,8,8,8 0=1 1=1 2=1 3=1",
            "Crop crop 1 1 pad crop -23330=4,3,6,6,8 -23309=2,1,1 -23310=2,-1,-1 -23311=2,1,2",
            "Eltwise sum 2 1 crop s2 sum 0=1 -23301=2,0.5,0.5",
            "LRN lrn 1 1 sum lrn 0=1 1=3",
            "Pooling avg 1 1 lrn avg -23330=4,3,3,3,8 0=1 1=2 2=2",
            "Concat cat 2 1 avg avg cat -23330=4,3,3,3,16",
            "Reshape rs 1 1 cat rs -23330=4,2,9,16,1 0=9 1=-1",
            "InnerProduct ip 1 1 rs ip -23330=4,2,5,16,1 0=5 1=1 2=45",
            "Softmax sm 1 1 ip sm 0=1 1=1",
            "Flatten flat 1 1 sm flat -23330=4,1,80,1,1",
            "Sigmoid sig 1 1 flat sig",
            "Clip clip 1 1 sig clip 0=0.1 1=0.9",
            "BinaryOp max 1 1 clip max 0=4 1=1 2=0.5",
            "Dropout drop 1 1 max out 0=2.0",
        ], input: [4, 6, 6], (0..<144).map { Float($0 % 7) - 3 })
        #expect(outputs.map(\.shape) == [[1, 80]])
        // 2 · max(clip(·, 0.1, 0.9), 0.5) lies in [1, 1.8].
        #expect(outputs[0].scalars.allSatisfy { $0 >= 1 && $0 <= 1.8 })
    }

    @Test func poolingRoundsUpUnlessValidAndConvolutionPadsSame() throws {
        let full = try NCNNImporter.graph(param: "7767517\n2 2\nInput data 0 1 data 0=6 1=6 2=3\nPooling pool 1 1 data pool 1=3 2=2", file: "p.param")
        #expect(full.outputs.map { full.instructions[$0].shape } == [[3, 3, 3]])
        let valid = try NCNNImporter.graph(param: "7767517\n2 2\nInput data 0 1 data 0=6 1=6 2=3\nPooling pool 1 1 data pool 1=3 2=2 5=1", file: "p.param")
        #expect(valid.outputs.map { valid.instructions[$0].shape } == [[3, 2, 2]])
        let same = try NCNNImporter.graph(param: "7767517\n2 2\nInput data 0 1 data 0=7 1=5 2=3\nConvolution conv 1 1 data conv 0=8 1=3 3=2 4=-233 5=1 6=216",
                                          file: "c.param")
        #expect(same.outputs.map { same.instructions[$0].shape } == [[8, 3, 4]])
    }

    @Test func errorsNameTheFileLineLayerAndCause() throws {
        #expect(Self.failure("7767517\n2 2\nInput data 0 1 data 0=4\nFancyLayer fancy 1 1 data out", file: "m.param")
            == "m.param:4: layer fancy (FancyLayer): layer type FancyLayer is not supported")
        #expect(Self.failure("7767517\n3 3\nInput data 0 1 data 0=4\nReLU relu 1 1 data out").contains("promises 3 layers, the file has 2 (truncated?)"))
        #expect(Self.failure("7767518\n1 1\nInput data 0 1 data 0=4").hasPrefix("bad.param:1: the first line `7767518` is not ncnn's magic number"))
        #expect(Self.failure("7767517\n2 2\nInput data 0 1 data 0=4\nReLU relu 1 1 nowhere out")
            == "bad.param:4: layer relu (ReLU): reads blob nowhere, which no earlier layer writes")
        #expect(Self.failure("7767517\n2 2\nInput data 0 1 data 0=4\nReLU relu 1 1 data out 0=zero")
            == "bad.param:4: layer relu (ReLU): parameter `0=zero`: `zero` is not a number")
        #expect(Self.failure("7767517\n2 2\nInput data 0 1 data 0=4\nReLU relu x 1 data out").contains(":4: layer relu (ReLU): bottom count `x` is not a count"))
        #expect(Self.failure("7767517\n2 2\nInput data 0 1 data 0=4\nReLU relu 1 1 data out -23330=4,1,5,1,1")
            .contains(":4: layer relu (ReLU): computes shape [4] for blob out, its shape hint (-23330) says [5]"))
        #expect(Self.failure("7767517\n2 2\nInput data 0 1 data 0=8 1=8 2=3\nConvolution conv 1 1 data out 0=4 1=3 6=100")
            .contains(":4: layer conv (Convolution): weight_data_size 100 is not 4 outputs × 3 inputs per group × 3 × 3"))
        #expect(Self.failure("7767517\n2 2\nInput data 0 1 data 0=2 1=2 2=3\nConvolution conv 1 1 data out 0=4 1=3")
            .contains(":4: layer conv (Convolution): window(axis: 1"))
    }

    @Test func anUnreadableFileIsAnNCNNError() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/absent.param")
        #expect(throws: NCNNError.self) { try NCNNImporter.graph(contentsOf: missing) }
    }
}
