import Foundation
import PulseDSP
import PulseEngine
import PulseGraph
@testable import PulseModels
import PulseSignals
import PulseTestSupport
import Testing

/// A small spectral CNN (8 channels, two blocks) so that tests train in well under a second.
let tinyArchitecture = SpectralCNN(input: .standard, bins: SpectralCNN.baseline.bins, width: 8, kernelSize: 3, dilations: [1, 2])

@Suite struct ModelFileTests {
    func model() throws -> ModelFile {
        let graph = try tinyArchitecture.graph()
        return ModelFile(graph: graph, parameters: graph.initialParameters(seed: 3), input: .standard, output: tinyArchitecture.bins,
                         metadata: ["training_data": "none"])
    }

    @Test func saveLoadRunIsBitIdentical() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let original = try model()
        try original.write(to: directory.path("m.h5"))
        let loaded = try ModelFile(path: directory.path("m.h5"))
        #expect(loaded == original)
        var generator = SeededGenerator(seed: 1)
        let input = Tensor(shape: [3, 4, 256], scalars: (0..<(3 * 4 * 256)).map { _ in Float.random(in: -2...2, using: &generator) })
        let a = try Executor(graph: original.graph, parameters: original.parameters).infer(["window": input])[0]
        let b = try Executor(graph: loaded.graph, parameters: loaded.parameters).infer(["window": input])[0]
        #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
    }

    @Test func corruptOrMismatchedModelsAreNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A recording is not a model.
        try SyntheticRecording.make().writeHDF5(to: directory.path("recording.h5"))
        #expect(throws: RecordingError(path: directory.path("recording.h5"), .missingAttribute("format"))) {
            try ModelFile(path: directory.path("recording.h5"))
        }
        // A parameter of the wrong size.
        var broken = try model()
        broken.parameters["conv0.weight"] = Tensor(shape: [2], scalars: [1, 2])
        try broken.write(to: directory.path("broken.h5"))
        #expect { try ModelFile(path: directory.path("broken.h5")) } throws: { error in
            guard let error = error as? RecordingError, case .badShape(let field, _) = error.reason else { return false }
            return field == "/param.conv0.weight"
        }
        // A graph attribute that is not JSON.
        let garbled = directory.path("garbled.h5")
        try model().write(to: garbled)
        do {
            let file = try HDF5File.create(directory.path("garbled2.h5"))
            try file.write(.text(ModelFile.format), as: "format")
            try file.write(.text("{not json"), as: "graph")
        }
        #expect(throws: RecordingError(path: directory.path("garbled2.h5"), .unreadable("attribute graph is not a valid Graph"))) {
            try ModelFile(path: directory.path("garbled2.h5"))
        }
        // A graph whose constant holds fewer values than its shape, or refers to an instruction that comes later.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(try model().graph)) as? [String: Any]
        let instructions = try #require(json?["instructions"] as? [[String: Any]])
        for (edit, name) in [(0, "short-const.h5"), (1, "forward-reference.h5")] {
            var edited = instructions
            if edit == 0, let index = edited.firstIndex(where: { ($0["primitive"] as? [String: Any])?["const"] != nil }) {
                edited[index]["primitive"] = ["const": ["_0": ["shape": [1, 256], "scalars": [1, 2, 3]]]]
            } else {
                edited[2]["inputs"] = [40]
            }
            do {
                let file = try HDF5File.create(directory.path(name))
                try file.write(.text(ModelFile.format), as: "format")
                var graph = json ?? [:]
                graph["instructions"] = edited
                try file.write(.text(String(decoding: try JSONSerialization.data(withJSONObject: graph), as: UTF8.self)), as: "graph")
            }
            #expect {
                try ModelFile(path: directory.path(name))
            } throws: { error in
                guard let error = error as? RecordingError, case .unreadable(let detail) = error.reason else { return false }
                return detail.contains(edit == 0 ? "is not a valid Graph" : "does not hold together")
            }
        }
    }
}

@Suite struct InputPipelineTests {
    @Test(arguments: [(125.0, 125.0), (50.0, 50.0), (64.0, 32.0)])
    func windowsAtAnyRate(_ rates: (ppg: Double, acc: Double)) throws {
        let recording = SyntheticRecording.make(bpm: 90, ppgRateHz: rates.ppg, accRateHz: rates.acc)
        let (windows, valid) = try InputPipeline(input: .standard).windows(recording, layout: .standard)
        #expect(windows.count == 17 && valid.allSatisfy { $0 })
        for window in windows {
            #expect(window.count == 4 * 256)
            // Accelerometer axes are standardised (mean 0, variance 1); the PPG channel is the mean of standardised
            // channels (mean 0, variance at most 1).
            for channel in 0..<4 {
                let values = window[(channel * 256)..<((channel + 1) * 256)]
                let mean = values.reduce(0, +) / 256
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 256
                #expect(abs(mean) < 1e-3)
                #expect(channel == 0 ? variance <= 1.001 && variance > 0.1 : abs(variance - 1) < 1e-2)
            }
        }
    }

    @Test func gapsMakeWindowsInvalid() throws {
        var recording = SyntheticRecording.make()
        recording.ppg.channels[0][2625] = .nan
        let valid = try InputPipeline(input: .standard).windows(recording, layout: .standard).valid
        #expect(valid.indices.filter { !valid[$0] } == [7, 8, 9, 10])
    }
}

@Suite struct NeuralTrainingTests {
    @Test func foldsKeepRecordingsApart() {
        let folds = CrossValidation.folds(count: 38, k: 5, seed: 7)
        #expect(folds.count == 5)
        #expect(folds.flatMap { $0 }.sorted() == Array(0..<38))
        #expect(folds.allSatisfy { $0.count >= 7 && $0.count <= 8 })
        #expect(folds == CrossValidation.folds(count: 38, k: 5, seed: 7))
    }

    @Test func targetsAreNormalisedGaussians() {
        let bins = SpectralCNN.baseline.bins
        let target = bins.target(bpm: 90, sigmaBpm: 2)
        #expect(abs(target.reduce(0, +) - 1) < 1e-5)
        let peak = target.indices.max { target[$0] < target[$1] } ?? 0
        #expect(abs(bins.bpm(peak) - 90) <= bins.binBpm / 2)
    }

    /// A tiny model learns synthetic pulses of known rates, and the estimator built from it follows them.
    @Test func tinyModelLearnsSyntheticPulses() throws {
        var training = TrainingSet()
        let pipeline = InputPipeline(input: .standard)
        for (index, bpm) in [60.0, 75, 90, 105, 120, 135, 150].enumerated() {
            try training.add(SyntheticRecording.make(name: "r\(index)", seconds: 24, bpm: bpm, motionHz: 2.1), pipeline: pipeline)
        }
        var settings = TrainingSettings()
        settings.epochs = 40
        settings.batchSize = 7
        settings.learningRate = 1e-2
        settings.stretch = 0
        let model = try ModelTrainer(architecture: tinyArchitecture, settings: settings).train(training)
        let estimates = try NeuralEstimator(model: model, name: "tiny").estimate(SyntheticRecording.make(seconds: 24, bpm: 98, motionHz: 2.1), layout: .standard)
        let summary = AccuracySummary(estimates)
        #expect(summary.maeBpm < 8, "MAE \(summary.maeBpm)")
    }

    @Test func stretchingScalesTheRate() throws {
        let recording = SyntheticRecording.make(bpm: 80)
        var window = try InputPipeline(input: .standard).windows(recording, layout: .standard).inputs[3]
        ModelTrainer.stretch(&window, samples: 256, factor: 1.1)
        // The strongest bin of the stretched PPG channel (its first 200 samples, before the reflected end) lies near 88 BPM.
        let bins = tinyArchitecture.bins
        var best = (bin: 0, power: -1.0)
        for k in 0..<bins.count {
            let hz = bins.bpm(k) / 60
            var re = 0.0
            var im = 0.0
            for t in 0..<200 {
                re += Double(window[t]) * cos(2 * .pi * hz * Double(t) / 32)
                im += Double(window[t]) * sin(2 * .pi * hz * Double(t) / 32)
            }
            if re * re + im * im > best.power { best = (k, re * re + im * im) }
        }
        #expect(abs(bins.bpm(best.bin) - 88) < 3)
    }
}
