import ArgumentParser
import Foundation
import PulseEngine
import PulseDSP
import PulseModels
import PulseSignals

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the baseline neural estimator (a spectral CNN) on recordings, optionally cross-validated by recording.")

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: "Recordings (.h5) or folders of them.")
    var data: [String]

    @Option(help: "Where to write the trained model (.h5).")
    var out: String

    @Option(help: "Training epochs.")
    var epochs = TrainingSettings().epochs

    @Flag(help: "Augment each training window beyond the time stretch: accelerometer lag of up to 125 ms against the PPG, one axis in ten dropped, noise up to 0.3 standard deviations.")
    var augment = false

    @Option(help: "Cross-validate with this many folds by recording before training on everything.")
    var folds: Int?

    @Option(help: "Seed of initialisation, shuffling and augmentation.")
    var seed: UInt64 = TrainingSettings().seed

    @Option(help: "Also write the cross-validation and training figures as JSON to this file.")
    var json: String?

    @Flag(help: "Overwrite an existing model file or --json file.")
    var force = false

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
    }

    func run() throws {
        let started = Date()
        let paths = try RecordingPaths.expand(data)
        // Find a clash or an unwritable destination now, not after half an hour of training.
        var outputs = OutputPlan(inputs: paths)
        try outputs.add(out, force: force)
        if let json { try outputs.add(json, force: force) }
        if let folds, folds > paths.count {
            throw CommandError("--folds \(folds) needs at least \(folds) recordings, one per fold; \(paths.count) given")
        }
        let recordings = try paths.map { try Recording(hdf5Path: $0) }
        let pipeline = InputPipeline(input: SpectralCNN.baseline.input)
        var all = TrainingSet()
        for (path, recording) in zip(paths, recordings) {
            do { try all.add(recording, pipeline: pipeline) } catch var error as RecordingError {
                error.path = path
                throw error
            }
        }
        var settings = TrainingSettings()
        settings.epochs = epochs
        settings.seed = seed
        if augment { settings.augmentation = .standard }
        let trainer = ModelTrainer(architecture: .baseline, settings: settings)
        var results: [String: Any] = ["recordings": recordings.count, "windows": all.count, "epochs": epochs, "seed": seed]
        var metadata: [String: String] = [:]
        if let folds {
            let report = try crossValidate(trainer, all: all, recordings: recordings, paths: paths, folds: folds)
            results["cross_validation"] = report
            metadata["cross_validation"] = try JSONText.encode(report)
        }
        FileHandle.standardError.write(Data("training on all \(all.count) windows of \(recordings.count) recordings\n".utf8))
        var model = try trainer.train(all) { Self.show($0, prefix: "final") }
        let seconds = Date().timeIntervalSince(started)
        metadata["training_data"] = paths.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ",")
        metadata["training_windows"] = String(all.count)
        metadata["parameters"] = String(model.graph.parameterCount)
        metadata["macs_per_window"] = String(model.graph.multiplyAccumulates)
        metadata["seed"] = String(seed)
        metadata["epochs"] = String(epochs)
        metadata["created_by"] = "pulse train"
        model.metadata = metadata
        try model.write(to: out, replacing: force)
        results["parameters"] = model.graph.parameterCount
        results["macs_per_window"] = model.graph.multiplyAccumulates
        results["seconds"] = seconds
        print("wrote \(out): \(model.graph.parameterCount) parameters, \(model.graph.multiplyAccumulates) MACs per window, "
              + "\(format(seconds / 60, 1)) min in all")
        if let json { try OutputFile.write(try JSONText.encode(results), to: json, force: force) }
    }

    /// Trains one model per fold, scores it (with tracking) on the held-out recordings next to the spectral estimator.
    private func crossValidate(_ trainer: ModelTrainer, all: TrainingSet, recordings: [Recording], paths: [String], folds k: Int) throws -> [String: Any] {
        let folds = CrossValidation.folds(count: recordings.count, k: k, seed: seed)
        var neural: [(dataset: String, estimate: WindowEstimate)] = []
        var classical: [(dataset: String, estimate: WindowEstimate)] = []
        var foldReports: [[String: Any]] = []
        for (number, held) in folds.enumerated() {
            let heldSet = Set(held)
            let training = all.subset(recordings: Set(recordings.indices).subtracting(heldSet))
            let validation = all.subset(recordings: heldSet)
            let model = try trainer.train(training, validation: validation) { Self.show($0, prefix: "fold \(number + 1)/\(k)") }
            let estimator = try NeuralEstimator(model: model, name: "fold \(number + 1)")
            var foldNeural: [WindowEstimate] = []
            var foldClassical: [WindowEstimate] = []
            for index in held {
                let dataset = Recording.datasetName(ofPath: paths[index])
                let n = try estimator.estimate(recordings[index], layout: .standard)
                let c = try SpectralEstimator().estimate(recordings[index], layout: .standard)
                neural += n.map { (dataset, $0) }
                classical += c.map { (dataset, $0) }
                foldNeural += n
                foldClassical += c
            }
            let (n, c) = (AccuracySummary(foldNeural), AccuracySummary(foldClassical))
            FileHandle.standardError.write(Data("fold \(number + 1)/\(k): neural MAE \(format(n.maeBpm, 2)) BPM, spectral \(format(c.maeBpm, 2)) BPM on \(n.scoredWindows) windows of \(held.map { recordings[$0].name }.joined(separator: ", "))\n".utf8))
            foldReports.append(["fold": number + 1, "recordings": held.map { recordings[$0].name }, "neural_mae_bpm": n.maeBpm,
                                "spectral_mae_bpm": c.maeBpm, "windows": n.scoredWindows])
        }
        var report: [String: Any] = ["folds": foldReports,
                                     "neural_mae_bpm": AccuracySummary(neural.map(\.estimate)).maeBpm,
                                     "spectral_mae_bpm": AccuracySummary(classical.map(\.estimate)).maeBpm]
        for dataset in Set(neural.map(\.dataset)).sorted() {
            report["neural_mae_bpm_\(dataset)"] = AccuracySummary(neural.filter { $0.dataset == dataset }.map(\.estimate)).maeBpm
            report["spectral_mae_bpm_\(dataset)"] = AccuracySummary(classical.filter { $0.dataset == dataset }.map(\.estimate)).maeBpm
        }
        FileHandle.standardError.write(Data("cross-validation (\(k) folds by recording): neural MAE \(format(report["neural_mae_bpm"] as? Double ?? .nan, 2)) BPM, spectral \(format(report["spectral_mae_bpm"] as? Double ?? .nan, 2)) BPM\n".utf8))
        return report
    }

    private static func show(_ report: EpochReport, prefix: String) {
        let validation = report.validationMaeBpm.map { "validation MAE \(format($0, 2)) BPM, " } ?? ""
        let line = "\(prefix) epoch \(report.epoch)/\(report.epochs): loss \(format(Double(report.loss), 3)), \(validation)"
            + "\(format(report.windowsPerSecond, 0)) windows/s, \(format(report.secondsLeft / 60, 1)) min left\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
