import Foundation
@testable import PulseONNX
import Testing

/// Bad ONNX input: each case is a named `ONNXError`, never a crash.
@Suite struct ImportErrorTests {
    /// The error importing `data` throws.
    private func error(_ data: Data) -> ONNXError? {
        do {
            _ = try ONNXImporter().importModel(data)
            return nil
        } catch {
            return error as? ONNXError
        }
    }

    private func error(_ maker: ONNXModelMaker) throws -> ONNXError? { error(try maker.data()) }

    @Test func theBaseModelImports() throws {
        let model = try ONNXImporter().importModel(try ONNXModelMaker.convolution().data())
        #expect(model.graph.inputs.map(\.shape) == [[2, 8]])
        #expect(model.graph.instructions[model.graph.outputs[0]].shape == [4, 8])
    }

    @Test func truncatedFilesAreNamed() throws {
        let data = try ONNXModelMaker.convolution().data()
        // Every cut of the file either fails to decode or decodes into a model missing something; none crashes.
        for length in stride(from: 0, to: data.count, by: 7) {
            let failure = try #require(error(data.prefix(length)), "a file cut at \(length) of \(data.count) bytes imported")
            #expect(!failure.message.isEmpty)
        }
        let cut = try #require(error(data.prefix(data.count - 3)))
        #expect(cut.location == "file" || cut.location.hasPrefix("graph") || cut.location.hasPrefix("output"))
    }

    /// The most negative 64-bit integer as an attribute, and batch normalisation over a batch axis alone: named
    /// errors, not traps.
    @Test func extremeAttributesAndAxisFreeNormalisationAreNamed() throws {
        var stride = ONNXModelMaker.convolution()
        var attribute = ONNXAttribute.ints("strides", [1])
        attribute.ints = [Int64.min]
        stride.nodes[0].attribute.append(attribute)
        let strideFailure = try #require(try error(stride))
        #expect(strideFailure.message.contains("strides"))

        var normalisation = ONNXModelMaker()
        normalisation.input("x", [.named("batch")])
        for name in ["scale", "shift", "mean", "variance"] { normalisation.initializer(name, shape: [1], values: [1]) }
        normalisation.node("BatchNormalization", ["x", "scale", "shift", "mean", "variance"], ["y"], name: "bn")
        normalisation.output("y", [.named("batch")])
        let failure = try #require(try error(normalisation))
        #expect(failure.location.contains("bn") || failure.message.contains("BatchNormalization"), "\(failure)")
    }

    @Test func randomBytesAreNotAModel() throws {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 16, 1000, 100_000] {
            let bytes = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let failure = try #require(error(bytes))
            #expect(["file", "ir_version", "opset_import", "graph"].contains(failure.location), "\(failure)")
        }
        #expect(error(Data()) == ONNXError("ir_version", "is missing: not an ONNX model"))
        #expect(error(Data("not an onnx file at all".utf8))?.location == "file")
    }

    @Test func unknownOperatorNamesTheNode() throws {
        var maker = ONNXModelMaker.convolution()
        maker.nodes[1].opType = "Gelu"
        let failure = try #require(try error(maker))
        #expect(failure.location == "node 1 \"relu\" (Gelu)")
        #expect(failure.message.hasPrefix("operator Gelu is not supported"))
    }

    @Test func unsupportedAttributeNamesTheNodeAndAttribute() throws {
        var maker = ONNXModelMaker.convolution()
        maker.nodes[0].attribute.append(ONNXAttribute.int("channels_last", 1))
        let failure = try #require(try error(maker))
        #expect(failure.location == "node 0 \"conv\" (Conv)")
        #expect(failure.message.hasPrefix("attribute channels_last is not supported"))
    }

    @Test func opsetOutsideTheKnownRangeIsNamed() throws {
        var maker = ONNXModelMaker.convolution()
        maker.opset = 99
        #expect(try error(maker) == ONNXError("opset_import", "opset 99 lies outside the versions pulse reads (11...28)"))
        maker.opset = 7
        #expect(try error(maker)?.location == "opset_import")
        maker.opset = 17
        maker.irVersion = 99
        #expect(try error(maker)?.location == "ir_version")
    }

    @Test func openAxesAreRefusedUnlessGiven() throws {
        var maker = ONNXModelMaker.convolution()
        maker.inputs = []
        maker.input("x", [.named("batch"), .fixed(2), .named("length")])
        maker.outputs = []
        maker.output("y", [.named("batch"), .fixed(4), .named("length")])
        let failure = try #require(try error(maker))
        #expect(failure.location == "input x")
        #expect(failure.message.contains("axis 2 has the open size \"length\""))
        // Given from outside, the open axis is fixed; the file's fixed axis stands.
        var options = ONNXImporter.Options()
        options.inputShape = [3, 16]
        let model = try ONNXImporter(options: options).importModel(try maker.data())
        #expect(model.graph.inputs.map(\.shape) == [[2, 16]])
        #expect(model.graph.instructions[model.graph.outputs[0]].shape == [4, 16])
    }

    @Test func initializerOfTheWrongSizeIsNamed() throws {
        var maker = ONNXModelMaker.convolution()
        maker.initializers.removeAll { $0.name == "conv.weight" }
        maker.initializer("conv.weight", shape: [4, 2, 3], values: [Float](repeating: 0, count: 24), rawBytes: 90)
        #expect(try error(maker) == ONNXError("initializer conv.weight", "holds 90 raw bytes but its shape [4, 2, 3] needs 96"))
        maker = ONNXModelMaker.convolution()
        maker.initializers[1].dims = [5]
        #expect(try error(maker)?.location == "initializer conv.bias")
        maker = ONNXModelMaker.convolution()
        maker.initializers[0].dims = [1 << 20, 1 << 20]
        #expect(try error(maker)?.message.contains("more than") == true)
    }

    @Test func missingInputIsNamed() throws {
        var maker = ONNXModelMaker.convolution()
        maker.nodes[1].input = ["nowhere"]
        #expect(try error(maker) == ONNXError("node 1 \"relu\" (Relu)",
                                              "input 0 \"nowhere\" is neither a graph input, an initializer nor the output of an earlier node"))
        maker = ONNXModelMaker.convolution()
        maker.nodes[0].input = ["x"]
        #expect(try error(maker)?.message == "input 1 (weight W) is missing")
    }

    @Test func whatTheGraphCannotHoldIsNamed() throws {
        // A weight that is computed from the input.
        var maker = ONNXModelMaker.convolution()
        maker.nodes[0].input = ["x", "x", "conv.bias"]
        #expect(try error(maker)?.message.contains("must be an initializer or a constant") == true)
        // Reducing over the batch axis.
        maker = ONNXModelMaker.convolution()
        maker.node("ReduceMean", ["y"], ["z"], name: "mean", [ONNXAttribute.ints("axes", [0])])
        maker.outputs = []
        maker.output("z", [.fixed(4), .fixed(8)])
        #expect(try error(maker)?.location == "node 2 \"mean\" (ReduceMean)")
        // A transpose moving the batch axis.
        maker = ONNXModelMaker.convolution()
        maker.node("Transpose", ["y"], ["z"], name: "swap", [ONNXAttribute.ints("perm", [1, 0, 2])])
        maker.outputs = []
        maker.output("z", [.fixed(4), .named("batch"), .fixed(8)])
        #expect(try error(maker)?.message.contains("moves the batch axis") == true)
        // A graph output that does not depend on the input.
        maker = ONNXModelMaker.convolution()
        maker.outputs = []
        maker.output("conv.bias", [.fixed(4)])
        #expect(try error(maker) == ONNXError("output conv.bias", "does not depend on the model's input"))
        // A declared output shape pulse does not compute.
        maker = ONNXModelMaker.convolution()
        maker.outputs = []
        maker.output("y", [.named("batch"), .fixed(4), .fixed(9)])
        #expect(try error(maker)?.location == "output y")
        // Non-finite weights.
        maker = ONNXModelMaker.convolution()
        maker.initializers.removeAll { $0.name == "conv.bias" }
        maker.initializer("conv.bias", shape: [4], values: [0, .nan, 0, 0])
        #expect(try error(maker)?.message.contains("must be finite") == true)
    }
}
