import ArgumentParser
import Foundation
import PulseModels
import PulseSignals

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score an estimator against the reference heart rate of recordings (MAE in BPM).",
        discussion: """
            The default estimator is the fused one (--method fused): the baseline model shipped inside pulse and the \
            spectral evidence in one tracker, with weights cross-validation chose (pulse evaluate --folds; see the README). \
            --method spectral or neural runs either alone; --model uses another model.
            """)

    @Argument(help: "Recordings (.h5) or folders of them.")
    var paths: [String]

    @OptionGroup var estimator: EstimatorOptions

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Cross-validate instead, with this many folds by recording: each fold's baseline (trained as pulse train --folds does) scores the held-out recordings alone (neural), fused with the spectral evidence at each combination of --neural-weights, --spectral-weights and --harmonic-weights, and beside the spectral estimator.")
    var folds: Int?

    @Option(name: .customLong("fold-models"), help: "With --folds: a folder where fold baselines are kept and reused.")
    var foldModels: String?

    @Option(name: .customLong("spectral-weights"), parsing: .upToNextOption, help: "With --folds: the spectral weights to try.")
    var spectralWeights: [Double] = [0.25, 0.5, 0.75, 1, 1.5]

    @Option(name: .customLong("neural-weights"), parsing: .upToNextOption, help: "With --folds: the neural weights to try (each with every spectral and harmonic weight).")
    var neuralWeights: [Double] = [1]

    @Option(name: .customLong("harmonic-weights"), parsing: .upToNextOption, help: "With --folds: the harmonic-check weights to try.")
    var harmonicWeights: [Double] = [0]

    @Option(name: .customLong("baseline-epochs"), help: "With --folds: epochs of each fold's baseline.")
    var baselineEpochs = TrainingSettings().epochs

    @Option(help: "With --folds: the baselines' seed (folds, initialisation, shuffling).")
    var seed = TrainingSettings().seed

    @Flag(help: "With --folds: train the fold baselines with pulse train --augment's augmentation.")
    var augment = false

    func validate() throws {
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
        if folds != nil, estimator.model != nil || estimator.method != nil || estimator.causal || estimator.spectralWeight != nil
            || estimator.neuralWeight != nil || estimator.harmonicWeight != nil {
            throw ValidationError("--folds trains its own fold models and runs every estimator: give no --model, --method, --neural-weight, "
                + "--spectral-weight, --harmonic-weight or --causal")
        }
        if let weight = (spectralWeights + harmonicWeights).first(where: { !($0.isFinite && $0 >= 0) }) {
            throw ValidationError("--spectral-weights and --harmonic-weights must be finite and at least 0 (got \(weight))")
        }
        if let weight = neuralWeights.first(where: { !($0.isFinite && $0 > 0) }) {
            throw ValidationError("--neural-weights must be finite and above 0 (got \(weight))")
        }
    }

    func run() throws {
        if let folds { return try crossValidate(folds: folds) }
        let estimator = try estimator.makeEstimator()
        let files = try RecordingPaths.expand(paths)
        let progress = Progress(total: files.count, label: "evaluate")
        var rows: [EvaluationReport.Row] = []
        var seconds = 0.0
        for (index, path) in files.enumerated() {
            progress.update(index, detail: URL(fileURLWithPath: path).lastPathComponent)
            let recording = try Recording(hdf5Path: path)
            let started = ContinuousClock.now
            let estimates = try EstimationRun.estimate(estimator, recording, path: path)
            let elapsed = ContinuousClock.now - started
            guard estimates.contains(where: { $0.referenceBpm != nil }) else { throw RecordingError(path: path, .noReference) }
            seconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            rows.append(.init(name: recording.name, estimates: estimates))
        }
        progress.finish()
        let report = EvaluationReport(method: estimator.name, rows: rows, estimatorSeconds: seconds)
        print(json ? try report.json() : report.table(), terminator: json ? "\n" : "")
    }

    private func crossValidate(folds: Int) throws {
        let files = try RecordingPaths.expand(paths)
        guard folds <= files.count else { throw CommandError("--folds \(folds) needs at least \(folds) recordings, one per fold; \(files.count) given") }
        let members = try files.map { path in
            EstimatorCrossValidation.Member(recording: try Recording(hdf5Path: path),
                                            dataset: Recording.datasetName(ofPath: path))
        }
        var settings = TrainingSettings()
        settings.epochs = baselineEpochs
        settings.seed = seed
        if augment { settings.augmentation = .standard }
        let validation = EstimatorCrossValidation(members: members, baselines: FoldBaselines(settings: settings, folds: folds, directory: foldModels),
                                                  neuralWeights: neuralWeights, spectralWeights: spectralWeights, harmonicWeights: harmonicWeights)
        let progress = Progress(total: folds, label: "cross-validate")
        let scores = try validation.run { fold, stage in progress.update(fold, detail: stage) }
        progress.finish()
        let report = CrossValidationReport(scores: scores, weights: validation.weights, folds: folds)
        print(json ? try report.json() : report.table(), terminator: json ? "\n" : "")
    }
}
