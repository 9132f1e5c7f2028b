import Foundation
import PulseEngine
import PulseGraph
import PulseModels
import PulseONNX
import PulseSignals
import PulseTestSupport
import Testing

/// pulse against onnxruntime on the same model: exported from pulse, or written by the onnx Python helper and
/// imported. Outputs must agree within 1e-4 of the largest output.
@Suite(ONNXRuntimeChecker.required) struct ONNXRuntimeAgreementTests {
    /// Writes `inputs` and pulse's `outputs` as `.npy` files in `directory`, runs `model` in onnxruntime on the inputs
    /// and returns its comparison with pulse's outputs.
    private func compare(_ model: String, inputs: [Tensor], outputs: [Tensor], in directory: TemporaryDirectory) throws -> ONNXRuntimeChecker.Comparison {
        var inputPaths: [String] = []
        var outputPaths: [String] = []
        for (index, input) in inputs.enumerated() {
            inputPaths.append(directory.path("input\(index).npy"))
            try NumPyFile.write(input, to: inputPaths[index])
        }
        for (index, output) in outputs.enumerated() {
            outputPaths.append(directory.path("output\(index).npy"))
            try NumPyFile.write(output, to: outputPaths[index])
        }
        let comparison = try ONNXRuntimeChecker.compare(model: model, inputs: inputPaths, references: outputPaths)
        print("onnxruntime against pulse, \(URL(fileURLWithPath: model).lastPathComponent): largest difference "
            + "\(comparison.maxAbsoluteDifference) of largest output \(comparison.maxAbsoluteReference)")
        return comparison
    }

    /// The model input windows of the real recordings (SPC 2015), or of the shipped simulated ones where
    /// `../shared/data` is absent.
    private func windows(for input: ModelInput) throws -> Tensor {
        let paths = SharedData.isAvailable
            ? SharedData.recordings("spc2015").map(\.path)
            : ["rest", "walk", "run", "mixed"].map { ONNXRuntimeChecker.packageRoot.appendingPathComponent("signals/\($0).h5").path }
                .filter { FileManager.default.fileExists(atPath: $0) }
        var scalars: [Float] = []
        var count = 0
        for path in paths {
            let (inputs, _) = try InputPipeline(input: input).windows(try Recording(hdf5Path: path), layout: .standard)
            for window in inputs {
                scalars += window
                count += 1
            }
        }
        return Tensor(shape: [count] + input.shape, scalars: scalars)
    }

    @Test func exportedBaselineAgreesOnRealWindows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let model = try ModelFile(path: ONNXRuntimeChecker.packageRoot.appendingPathComponent("models/baseline.h5").path)
        try ONNXExporter(graph: model.graph, parameters: model.parameters).serializedModel().write(to: URL(fileURLWithPath: directory.path("baseline.onnx")))
        var clock = ContinuousClock.now
        let input = try windows(for: model.input)
        print("windows: \(ContinuousClock.now - clock)"); clock = ContinuousClock.now
        #expect(input.shape[0] > 100)
        let logits = try Executor(graph: model.graph, parameters: model.parameters).run([ModelFile.inputName: input])
        print("infer: \(ContinuousClock.now - clock)"); clock = ContinuousClock.now
        let comparison = try compare(directory.path("baseline.onnx"), inputs: [input], outputs: logits, in: directory)
        #expect(comparison.passed, "\(comparison.report)")
    }

    @Test func exportedCoverageGraphAgrees() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (graph, parameters) = try CoverageGraph.make()
        try ONNXExporter(graph: graph, parameters: parameters).serializedModel().write(to: URL(fileURLWithPath: directory.path("coverage.onnx")))
        let inputs = RoundTripTests.randomInputs(graph, batch: 7, seed: 8)
        let outputs = try Executor(graph: graph, parameters: parameters).run(inputs)
        let comparison = try compare(directory.path("coverage.onnx"), inputs: [inputs["x"]].compactMap { $0 }, outputs: outputs, in: directory)
        #expect(comparison.passed, "\(comparison.report)")
    }

    @Test(arguments: ["temponet", "operators"])
    func modelFromTheONNXHelperImportsAndAgrees(kind: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("\(kind).onnx")
        let made = try ONNXRuntimeChecker.python(["scripts/onnx-make-models.py", kind, path, "--seed", "3"])
        try #require(made.status == 0, "\(made.error)")
        let model = try ONNXImporter().importModel(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(model.producerName == "onnx-make-models")
        let inputs = RoundTripTests.randomInputs(model.graph, batch: 9, seed: 5)
        let outputs = try Executor(graph: model.graph, parameters: model.parameters).run(inputs)
        let comparison = try compare(path, inputs: model.graph.inputs.compactMap { inputs[$0.name] }, outputs: outputs, in: directory)
        #expect(comparison.passed, "\(comparison.report)")
        if kind == "temponet" {
            // Both normalisations fold into their convolutions, and every convolution is a fused kernel.
            #expect(!model.graph.instructions.contains { if case .mul = $0.primitive { return true } else { return false } })
            let kinds = KernelPlan(graph: model.graph).kindCounts
            #expect(kinds[.convolution, default: 0] + kinds[.depthwise, default: 0] + kinds[.pointwise, default: 0] == 7)
        }
    }
}
