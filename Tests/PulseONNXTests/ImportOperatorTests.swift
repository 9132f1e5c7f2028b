import Foundation
import PulseEngine
import PulseGraph
@testable import PulseONNX
import Testing

/// What the importer makes of single operators, checked by running the graph (no onnxruntime needed).
@Suite struct ImportOperatorTests {
    /// `[batch] + shape` of values 0, 1, 2…, shifted so that some are negative.
    private func counting(_ shape: [Int], batch: Int = 2) -> Tensor {
        let count = batch * shape.reduce(1, *)
        return Tensor(shape: [batch] + shape, scalars: (0..<count).map { Float($0) - Float(count) / 3 })
    }

    private func run(_ maker: ONNXModelMaker, _ input: Tensor) throws -> (model: ImportedModel, outputs: [Tensor]) {
        let model = try ONNXImporter().importModel(try maker.data())
        let name = try #require(model.graph.inputs.first?.name)
        return (model, try Executor(graph: model.graph, parameters: model.parameters).run([name: input]))
    }

    @Test func transposeOfLongAxesMovesTheValues() throws {
        var maker = ONNXModelMaker()
        maker.input("x", [.named("batch"), .fixed(2), .fixed(3), .fixed(4)])
        maker.node("Transpose", ["x"], ["y"], name: "t", [ONNXAttribute.ints("perm", [0, 3, 1, 2])])
        maker.output("y", [.named("batch"), .fixed(4), .fixed(2), .fixed(3)])
        let input = counting([2, 3, 4])
        let (_, outputs) = try run(maker, input)
        let expected = input.permuted([0, 3, 1, 2])
        #expect(outputs[0] == expected)
    }

    @Test func transposeOfAxesOfOneIsAView() throws {
        var maker = ONNXModelMaker()
        maker.input("x", [.named("batch"), .fixed(3), .fixed(1), .fixed(5)])
        maker.node("Transpose", ["x"], ["y"], name: "t", [ONNXAttribute.ints("perm", [0, 2, 1, 3])])
        maker.node("Relu", ["y"], ["z"], name: "r")
        maker.output("z", [.named("batch"), .fixed(1), .fixed(3), .fixed(5)])
        let (model, outputs) = try run(maker, counting([3, 1, 5]))
        #expect(outputs[0].shape == [2, 1, 3, 5])
        // Input, relu, and one reshape to the output's shape: no slices.
        #expect(!model.graph.instructions.contains { if case .slice = $0.primitive { return true } else { return false } })
    }

    @Test func oneDimensionalConvolutionAsTwoDimensionalNeedsNoReshape() throws {
        var maker = ONNXModelMaker()
        maker.input("x", [.named("batch"), .fixed(2), .fixed(8)])
        maker.integers("axes", [2])
        maker.node("Unsqueeze", ["x", "axes"], ["u"], name: "in/Unsqueeze")
        maker.initializer("c.weight", shape: [3, 2, 1, 3], values: (0..<18).map { Float($0) / 9 - 1 })
        maker.node("Conv", ["u", "c.weight"], ["c"], name: "c/Conv", [ONNXAttribute.ints("pads", [0, 1, 0, 1])])
        maker.node("Relu", ["c"], ["r"], name: "c/Relu")
        maker.node("Squeeze", ["r", "axes"], ["y"], name: "out/Squeeze")
        maker.output("y", [.named("batch"), .fixed(3), .fixed(8)])
        let (model, outputs) = try run(maker, counting([2, 8]))
        #expect(!model.graph.instructions.contains { if case .reshape = $0.primitive { return true } else { return false } })
        #expect(model.graph.instructions.map(\.layer).contains("c"))
        // The plan fuses the convolution with its bias and activation.
        let kernels = KernelPlan(graph: model.graph).kernels
        #expect(kernels.count == 1 && kernels[0].kind == .convolution)
        #expect(outputs[0].shape == [2, 3, 8])
    }

    @Test func batchNormalizationFoldsExactly() throws {
        func model(folded: Bool) -> ONNXModelMaker {
            var maker = ONNXModelMaker.convolution()
            maker.nodes.removeLast()
            var source = "c"
            if !folded {
                maker.node("Identity", ["c"], ["i"], name: "keep")
                source = "i"
            }
            maker.initializer("bn.scale", shape: [4], values: [1.5, 0.5, -1, 2])
            maker.initializer("bn.shift", shape: [4], values: [0.1, 0.2, 0.3, 0.4])
            maker.initializer("bn.mean", shape: [4], values: [-0.5, 0, 0.5, 1])
            maker.initializer("bn.var", shape: [4], values: [1, 2, 0.5, 4])
            maker.node("BatchNormalization", [source, "bn.scale", "bn.shift", "bn.mean", "bn.var"], ["y"], name: "bn",
                       [{ var a = Onnx_AttributeProto(); a.name = "epsilon"; a.type = .float; a.f = 1e-3; return a }()])
            return maker
        }
        let input = counting([2, 8], batch: 3)
        let (foldedModel, folded) = try run(model(folded: true), input)
        let (_, affine) = try run(model(folded: false), input)
        #expect(RoundTripTests.relativeDifference(affine, folded) <= 1e-6)
        #expect(!foldedModel.graph.instructions.contains { if case .mul = $0.primitive { return true } else { return false } })
    }

    @Test func softmaxIsStableAndSumsToOne() throws {
        var maker = ONNXModelMaker()
        maker.input("x", [.named("batch"), .fixed(3), .fixed(4)])
        maker.node("Softmax", ["x"], ["y"], name: "s", [ONNXAttribute.int("axis", 1)])
        maker.output("y", [.named("batch"), .fixed(3), .fixed(4)])
        let input = Tensor(shape: [1, 3, 4], scalars: [1000, 0, -5, 2, 1001, 0, -5, 3, 999, 0, -5, 4])
        let (_, outputs) = try run(maker, input)
        let y = outputs[0].scalars
        for column in 0..<4 {
            let sum = (0..<3).reduce(Float(0)) { $0 + y[$1 * 4 + column] }
            #expect(Swift.abs(sum - 1) < 1e-6)
        }
        #expect(Swift.abs(y[4] - 1 / (1 + exp(Float(-1)) + exp(Float(-2)))) < 1e-6)
        #expect(y.allSatisfy { $0.isFinite })
    }

    @Test func averagePoolingWithoutPaddingInTheCount() throws {
        var maker = ONNXModelMaker()
        maker.input("x", [.named("batch"), .fixed(1), .fixed(5)])
        maker.node("AveragePool", ["x"], ["y"], name: "p", [ONNXAttribute.ints("kernel_shape", [3]), ONNXAttribute.ints("pads", [1, 1])])
        maker.output("y", [.named("batch"), .fixed(1), .fixed(5)])
        let input = Tensor(shape: [1, 1, 5], scalars: [1, 2, 3, 4, 5])
        let (_, outputs) = try run(maker, input)
        #expect(outputs[0].scalars == [1.5, 2, 3, 4, 4.5])
    }
}
