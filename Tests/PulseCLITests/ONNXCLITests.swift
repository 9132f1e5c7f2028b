import Foundation
import PulseModels
import PulseTestSupport
import Testing

/// `pulse export onnx` and `pulse import onnx`: a round trip keeps the estimates and the model's specs; outputs are
/// never overwritten without `--force`; bad files and options are named.
@Suite struct ONNXCLITests {
    static let baseline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/baseline.h5").path

    @Test func exportThenImportKeepsTheEstimates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let onnx = directory.path("baseline.onnx")
        let exported = try PulseProcess.run(["export", "onnx", "--model", Self.baseline, "--out", onnx])
        #expect(exported.status == 0, "\(exported.standardError)")
        #expect(exported.standardOutput.contains("opset 17"))
        // Not again without --force; the file stays as it was.
        let size = try FileManager.default.attributesOfItem(atPath: onnx)[.size] as? Int
        let again = try PulseProcess.run(["export", "onnx", "--model", Self.baseline, "--out", onnx])
        #expect(again.status == 1 && again.standardError.contains("already exists (pass --force to overwrite)"))
        #expect(try FileManager.default.attributesOfItem(atPath: onnx)[.size] as? Int == size)

        let model = directory.path("imported.h5")
        let imported = try PulseProcess.run(["import", "onnx", onnx, "--out", model])
        #expect(imported.status == 0, "\(imported.standardError)")
        let original = try ModelFile(path: Self.baseline)
        let file = try ModelFile(path: model)
        #expect(file.input == original.input && file.output == original.output)
        #expect(file.metadata["onnx_producer"] == "pulse" && file.metadata["imported_by"] == "pulse import onnx")
        #expect(file.metadata["onnx_doc"]?.hasPrefix("pulse model baseline") == true)
        #expect(Set(file.parameters.keys) == Set(original.parameters.keys))

        let recording = directory.path("synthetic.h5")
        try SyntheticRecording.make(name: "synthetic", seconds: 40, bpm: 84).writeHDF5(to: recording)
        let before = try PulseProcess.run(["estimate", recording, "--model", Self.baseline, "--format", "csv"])
        let after = try PulseProcess.run(["estimate", recording, "--model", model, "--format", "csv"])
        #expect(before.status == 0 && after.status == 0, "\(after.standardError)")
        #expect(after.standardOutput == before.standardOutput)
    }

    @Test func importTakesTheSpecFromOptions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let onnx = directory.path("baseline.onnx")
        #expect(try PulseProcess.run(["export", "onnx", "--model", Self.baseline, "--out", onnx]).status == 0)
        let model = directory.path("m.h5")
        let run = try PulseProcess.run(["import", "onnx", onnx, "--out", model, "--rate-hz", "25", "--band-high", "3.5", "--first-bpm", "40",
                                        "--bin-bpm", "1.5"])
        #expect(run.status == 0, "\(run.standardError)")
        let file = try ModelFile(path: model)
        #expect(file.input.sampleRateHz == 25 && file.input.bandHighHz == 3.5 && file.input.channels == 4)
        #expect(file.output == RateBins(firstBpm: 40, binBpm: 1.5, count: 113))
        // An option that contradicts the file, and one out of range, are named.
        let channels = try PulseProcess.run(["import", "onnx", onnx, "--out", directory.path("c.h5"), "--channels", "3"])
        #expect(channels.status == 1 && channels.standardError.contains("--channels 3: the model's input has 4 channels"))
        let bins = try PulseProcess.run(["import", "onnx", onnx, "--out", directory.path("b.h5"), "--bin-bpm", "50"])
        #expect(bins.status == 1 && bins.standardError.contains("binBpm 50.0"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("c.h5")))
    }

    @Test func badFilesAreNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let garbage = directory.path("garbage.onnx")
        try Data("this is not a model".utf8).write(to: URL(fileURLWithPath: garbage))
        let run = try PulseProcess.run(["import", "onnx", garbage, "--out", directory.path("m.h5")])
        #expect(run.status == 1)
        #expect(run.standardError.contains("Error: \(garbage): file: not an ONNX model"))
        let missing = try PulseProcess.run(["import", "onnx", directory.path("none.onnx"), "--out", directory.path("m.h5")])
        #expect(missing.status == 1 && missing.standardError.contains("no such file"))
        // The output may not be the input.
        let onnx = directory.path("baseline.onnx")
        #expect(try PulseProcess.run(["export", "onnx", "--model", Self.baseline, "--out", onnx]).status == 0)
        let overInput = try PulseProcess.run(["import", "onnx", onnx, "--out", onnx, "--force"])
        #expect(overInput.status == 1 && overInput.standardError.contains("is also an input of this run"))
        // A recording is not a model to export.
        let recording = directory.path("recording.h5")
        try SyntheticRecording.make().writeHDF5(to: recording)
        let export = try PulseProcess.run(["export", "onnx", "--model", recording, "--out", directory.path("r.onnx")])
        #expect(export.status == 1 && export.standardError.contains("attribute format is missing"))
    }
}
