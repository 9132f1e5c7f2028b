import ArgumentParser
import Foundation
import PulseDSP
import PulseModels
import PulseSignals

extension TrainingRecipe: ExpressibleByArgument {
    public init?(argument: String) { self.init(spec: argument) }
}

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

    @Option(help: "Cross-validate instead, with this many folds by recording: each fold's models (one per --recipes, trained as pulse train --folds does) score the held-out recordings alone (neural, their mean probabilities, tracked causally) and fused with the spectral evidence at each combination of --neural-weights, --spectral-weights, --harmonic-weights, --lags, --rise-sigmas and --fall-sigmas, beside the spectral estimator.")
    var folds: Int?

    @Option(name: .customLong("fold-models"), help: "With --folds: a folder where fold models are kept and reused.")
    var foldModels: String?

    @Option(parsing: .upToNextOption, help: "With --folds: how each model of the ensemble is trained, EPOCHS or EPOCHS-augmented (pulse train --augment's augmentation); the default is the shipped ensemble's.")
    var recipes: [TrainingRecipe] = TrainingRecipe.shippedEnsemble

    @Option(name: .customLong("spectral-weights"), parsing: .upToNextOption, help: "With --folds: the spectral weights to try.")
    var spectralWeights: [Double] = [0.25, 0.5, 1]

    @Option(name: .customLong("neural-weights"), parsing: .upToNextOption, help: "With --folds: the neural weights to try (each with every spectral and harmonic weight).")
    var neuralWeights: [Double] = [0.5, 1]

    @Option(name: .customLong("harmonic-weights"), parsing: .upToNextOption, help: "With --folds: the harmonic-check weights to try.")
    var harmonicWeights: [Double] = [0, 5]

    @Option(parsing: .upToNextOption, help: "With --folds: the trackers' lags to try, in windows (0: the causal Viterbi tracker; L > 0: the smoother, whose estimate of a window waits for L later windows).")
    var lags: [Int] = [0, FusedEstimator.Tracking.crossValidated.following.lagWindows]

    @Option(name: .customLong("rise-sigmas"), parsing: .upToNextOption, help: "With --folds: the trackers' rise step widths to try (BPM per 2 s shift).")
    var riseSigmas: [Double] = [FusedEstimator.Tracking.crossValidated.riseSigmaBpm, SpectralEstimator.Configuration.standard.riseSigmaBpm]

    @Option(name: .customLong("fall-sigmas"), parsing: .upToNextOption, help: "With --folds: the trackers' fall step widths to try (BPM per 2 s shift).")
    var fallSigmas: [Double] = [FusedEstimator.Tracking.crossValidated.fallSigmaBpm]

    @Option(help: "With --folds: the models' seed (folds, initialisation, shuffling).")
    var seed = TrainingSettings().seed

    func validate() throws {
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
        if folds != nil, !estimator.model.isEmpty || estimator.method != nil || estimator.causal || estimator.spectralWeight != nil
            || estimator.neuralWeight != nil || estimator.harmonicWeight != nil {
            throw ValidationError("--folds trains its own fold models and runs every estimator: give no --model, --method, --neural-weight, "
                + "--spectral-weight, --harmonic-weight or --causal")
        }
        if recipes.isEmpty { throw ValidationError("--recipes needs at least one recipe") }
        if let weight = (spectralWeights + harmonicWeights).first(where: { !($0.isFinite && $0 >= 0) }) {
            throw ValidationError("--spectral-weights and --harmonic-weights must be finite and at least 0 (got \(weight))")
        }
        if let weight = neuralWeights.first(where: { !($0.isFinite && $0 > 0) }) {
            throw ValidationError("--neural-weights must be finite and above 0 (got \(weight))")
        }
        if let lag = lags.first(where: { !RateSmoother.lagRange.contains($0) }) {
            throw ValidationError("--lags must be within \(RateSmoother.lagRange.lowerBound)…\(RateSmoother.lagRange.upperBound) windows (got \(lag))")
        }
        if let sigma = (riseSigmas + fallSigmas).first(where: { !($0.isFinite && $0 > 0) }) {
            throw ValidationError("--rise-sigmas and --fall-sigmas must be finite and above 0 (got \(sigma))")
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
        let baselines = recipes.map { FoldBaselines(settings: $0.settings(seed: seed), folds: folds, directory: foldModels) }
        let trackings = lags.flatMap { lag in
            riseSigmas.flatMap { rise in
                fallSigmas.map { FusedEstimator.Tracking(riseSigmaBpm: rise, fallSigmaBpm: $0, following: lag == 0 ? .causal : .fixedLag(windows: lag)) }
            }
        }
        let validation = EstimatorCrossValidation(members: members, baselines: baselines, neuralWeights: neuralWeights, spectralWeights: spectralWeights,
                                                  harmonicWeights: harmonicWeights, trackings: trackings)
        let progress = Progress(total: folds, label: "cross-validate")
        let scores = try validation.run { fold, stage in progress.update(fold, detail: stage) }
        progress.finish()
        let report = CrossValidationReport(scores: scores, candidates: validation.candidates, folds: folds, recipes: recipes)
        print(json ? try report.json() : report.table(), terminator: json ? "\n" : "")
    }
}
