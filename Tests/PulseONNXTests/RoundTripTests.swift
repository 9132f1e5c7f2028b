import Foundation
import PulseEngine
import PulseGraph
import PulseModels
@testable import PulseONNX
import PulseTestSupport
import Testing

/// Export then import gives a graph with the outputs of the original (both run by pulse's executor), and the
/// convolutions land in forms the kernel plan fuses.
@Suite struct RoundTripTests {
    /// The largest difference between two output lists, relative to the largest value of the first.
    static func relativeDifference(_ expected: [Tensor], _ actual: [Tensor]) -> Float {
        var worst: Float = 0
        for (a, b) in zip(expected, actual) {
            guard a.shape == b.shape else { return .infinity }
            let scale = max(a.scalars.map { Swift.abs($0) }.max() ?? 0, 1e-30)
            let difference = zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
            worst = max(worst, difference.isNaN ? .infinity : difference / scale)
        }
        return worst
    }

    /// Random inputs of `[batch] + shape` for each of the graph's inputs.
    static func randomInputs(_ graph: Graph, batch: Int, seed: UInt64) -> [String: Tensor] {
        var generator = SeededGenerator(seed: seed)
        var inputs: [String: Tensor] = [:]
        for (name, shape) in graph.inputs {
            let count = batch * shape.reduce(1, *)
            inputs[name] = Tensor(shape: [batch] + shape, scalars: (0..<count).map { _ in Float.random(in: -2...2, using: &generator) })
        }
        return inputs
    }

    @Test func baselineKeepsItsOutputsAndItsKernels() throws {
        let model = try ModelFile(path: ONNXRuntimeChecker.packageRoot.appendingPathComponent("models/baseline.h5").path)
        let data = try ONNXExporter(graph: model.graph, parameters: model.parameters).serializedModel()
        var options = ONNXImporter.Options()
        options.inputName = ModelFile.inputName
        let imported = try ONNXImporter(options: options).importModel(data)
        let inputs = Self.randomInputs(model.graph, batch: 6, seed: 3)
        let expected = try Executor(graph: model.graph, parameters: model.parameters).run(inputs)
        let actual = try Executor(graph: imported.graph, parameters: imported.parameters).run(inputs)
        #expect(Self.relativeDifference(expected, actual) <= 1e-5)
        // The same kernels: every convolution is recognised again, with its residual and activation fused.
        let before = KernelPlan(graph: model.graph)
        let after = KernelPlan(graph: imported.graph)
        #expect(after.kindCounts == before.kindCounts)
        let fused = { (plan: KernelPlan) in plan.kernels.compactMap { kernel -> ConvolutionKernel? in
            if case .convolution(let convolution) = kernel.operation { return convolution } else { return nil }
        }.map { [$0.residual != nil, $0.activation != nil, $0.bias != nil] } }
        #expect(fused(after) == fused(before))
        // Parameter names survive.
        #expect(Set(imported.parameters.keys) == Set(model.parameters.keys))
    }

    @Test func everyKernelKindSurvivesTheRoundTrip() throws {
        let (graph, parameters) = try CoverageGraph.make()
        let data = try ONNXExporter(graph: graph, parameters: parameters).serializedModel()
        let imported = try ONNXImporter().importModel(data)
        let inputs = Self.randomInputs(graph, batch: 5, seed: 4)
        let expected = try Executor(graph: graph, parameters: parameters).run(inputs)
        let actual = try Executor(graph: imported.graph, parameters: imported.parameters).run(inputs)
        #expect(Self.relativeDifference(expected, actual) <= 1e-5)
        let kinds = KernelPlan(graph: imported.graph).kindCounts
        #expect(kinds[.convolution, default: 0] >= 4)
        #expect(kinds[.depthwise, default: 0] >= 2)
        #expect(kinds[.pointwise, default: 0] >= 2)
    }

    @Test func windowsOutsideAPatternAreRefusedByName() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [2, 16], layer: "input")
        let windows = try graph.append(.window(axis: 1, size: 3, stride: 1, dilation: 1), [x], layer: "unfold")
        graph.outputs = [try graph.append(.relu, [windows], layer: "after")]
        #expect { try ONNXExporter(graph: graph, parameters: [:]).serializedModel() } throws: { error in
            guard let error = error as? ONNXError else { return false }
            return error.location == "instruction 1 (unfold: window(axis: 1, size: 3, stride: 1, dilation: 1))"
                && error.message.hasPrefix("a window outside a convolution or pooling pattern has no simple ONNX form")
        }
        let (coverage, parameters) = try CoverageGraph.make()
        var missing = parameters
        missing["scale"] = nil
        #expect(throws: ONNXError("parameter scale", "is missing")) { try ONNXExporter(graph: coverage, parameters: missing).serializedModel() }
    }
}
