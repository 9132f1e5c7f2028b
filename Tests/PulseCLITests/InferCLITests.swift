import Foundation
import PulseEngine
import PulseGraph
import PulseModels
import PulseSignals
import PulseTestSupport
import Testing

/// `pulse infer`: a model on an array of windows from HDF5, with the engine's outputs; bad shapes and values named.
@Suite struct InferCLITests {
    static let baseline = BenchCLITests.baseline

    static func windows(_ count: Int, shape: [Int], seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<(count * shape.reduce(1, *))).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    @Test func outputsEqualTheEngines() throws {
        let folder = try TemporaryDirectory()
        let model = try ModelFile(path: Self.baseline)
        let values = Self.windows(5, shape: model.input.shape, seed: 3)
        let input = folder.path("windows.h5")
        try HDF5File.create(input).write(values, shape: [5] + model.input.shape, as: "batch")
        let output = folder.path("out.h5")
        let run = try PulseProcess.run(["infer", "--model", Self.baseline, "--input", input, "--output", output, "--dataset", "batch"])
        #expect(run.status == 0, "\(run.standardError)")
        let (shape, logits) = try HDF5Contents(path: output).readFloats("output")
        let expected = try Executor(graph: model.graph, parameters: model.parameters)
            .run([ModelFile.inputName: Tensor(shape: [5] + model.input.shape, scalars: values)])[0]
        #expect(shape == expected.shape)
        for (a, b) in zip(logits, expected.scalars) { #expect(Swift.abs(a - b) <= 1e-4 * Swift.max(1, Swift.abs(b))) }
        // The output exists now: a second run needs --force.
        let again = try PulseProcess.run(["infer", "--model", Self.baseline, "--input", input, "--output", output, "--dataset", "batch"])
        #expect(again.status != 0 && again.standardError.contains("--force"))
    }

    @Test func badInputsAreNamed() throws {
        let folder = try TemporaryDirectory()
        let model = try ModelFile(path: Self.baseline)
        let wrongShape = folder.path("wrong.h5")
        try HDF5File.create(wrongShape).write(Self.windows(2, shape: [3, 256], seed: 1), shape: [2, 3, 256], as: "windows")
        var withNaN = Self.windows(2, shape: model.input.shape, seed: 2)
        withNaN[model.input.shape.reduce(1, *) + 7] = .nan
        let nanFile = folder.path("nan.h5")
        try HDF5File.create(nanFile).write(withNaN, shape: [2] + model.input.shape, as: "windows")
        let cases: [([String], String)] = [
            (["--input", wrongShape], "[2, 3, 256]"),
            (["--input", nanFile], "window 1"),
            (["--input", wrongShape, "--dataset", "absent"], "absent"),
        ]
        for (arguments, named) in cases {
            let run = try PulseProcess.run(["infer", "--model", Self.baseline, "--output", folder.path("o.h5")] + arguments)
            #expect(run.status != 0)
            #expect(run.standardError.contains(named), "\(run.standardError)")
        }
    }
}
