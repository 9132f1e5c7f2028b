import Foundation
import PulseGraph
import PulseModels
import PulseSignals

/// Cross-validation of a searched model as the baseline was cross-validated: in each fold (by recording, the
/// baseline's folds), that fold's baseline (trained on the fold's training part, as `pulse train --folds` does) gets
/// the same rewrites, is fine-tuned with distillation from it on the same training part, and is scored with the
/// tracker on the fold's test part, beside the fold's baseline.
public struct SearchCrossValidation {
    /// One fold's figures.
    public struct Fold: Sendable {
        /// The fold, from 1.
        public var number: Int
        /// The fold's test recordings.
        public var recordings: [String]
        /// MAE with the tracker of the fold's baseline and of the searched model on the fold's test part, and the
        /// windows scored.
        public var baselineMaeBpm: Double
        public var searchedMaeBpm: Double
        public var windows: Int
        /// MAE of the searched model scored by `quantisedScorer` (int8), if one was given.
        public var quantisedMaeBpm: Double?
    }

    /// The figures over all folds.
    public struct Report: Sendable {
        /// Each fold's figures.
        public var folds: [Fold]
        /// MAE over every test window of every fold, overall and per dataset.
        public var baselineMaeBpm: Double
        public var searchedMaeBpm: Double
        public var baselineMaeBpmByDataset: [String: Double]
        public var searchedMaeBpmByDataset: [String: Double]
        /// The same for the searched model scored by `quantisedScorer`, if one was given.
        public var quantisedMaeBpm: Double?
        public var quantisedMaeBpmByDataset: [String: Double]
    }

    /// The recordings, cut into windows.
    public var data: SearchData
    /// The searched model's rewrites, replayed on each fold's baseline.
    public var rewrites: [Rewrite]
    /// Folds by recording.
    public var folds: Int
    /// How each fold's baseline is trained (the baseline's own settings, seed included, by default).
    public var baselineSettings: TrainingSettings
    /// How the rewritten model is fine-tuned in each fold.
    public var fineTuneSettings: TrainingSettings
    /// Where fold baselines are kept, so that several searched models share them.
    public var foldModelDirectory: String?
    /// Makes a scorer of a fold's searched model from the fold's valid training windows (an int8 model calibrated
    /// on them, say); its figures are reported beside the float ones.
    public var quantisedScorer: ((ModelFile, [[Float]]) throws -> any WindowScorer)?

    /// A cross-validation of `rewrites` over `data` in `folds` folds.
    public init(data: SearchData, rewrites: [Rewrite], folds: Int, baselineSettings: TrainingSettings, fineTuneSettings: TrainingSettings,
                foldModelDirectory: String?) {
        self.data = data
        self.rewrites = rewrites
        self.folds = folds
        self.baselineSettings = baselineSettings
        self.fineTuneSettings = fineTuneSettings
        self.foldModelDirectory = foldModelDirectory
    }

    /// Runs every fold, reporting `(fold, stage)` as it goes.
    /// - Throws: `SearchError.rewrite` when a rewrite does not apply to a fold's baseline; training and file errors.
    public func run(progress: (Int, String) -> Void = { _, _ in }) throws -> Report {
        let baselines = FoldBaselines(settings: baselineSettings, folds: folds, directory: foldModelDirectory)
        let assignment = baselines.assignment(count: data.recordings.count)
        var baselineAll: [WindowEstimate] = []
        var searchedAll: [WindowEstimate] = []
        var baselineByDataset: [String: [WindowEstimate]] = [:]
        var searchedByDataset: [String: [WindowEstimate]] = [:]
        var quantisedAll: [WindowEstimate] = []
        var quantisedByDataset: [String: [WindowEstimate]] = [:]
        var reports: [Fold] = []
        for (number, held) in assignment.enumerated() {
            let training = data.trainingSet(data.recordings.indices.filter { !held.contains($0) })
            progress(number, "baseline")
            let baseline = try baselines.model(number) { training }
            var model = baseline
            for rewrite in rewrites { model = try rewrite.apply(to: model) }
            progress(number, "fine-tuning")
            let tuned = try ModelTrainer(architecture: .baseline, settings: fineTuneSettings).fineTune(model, on: training, teacher: baseline)
            progress(number, "scoring")
            let baselineEstimator = try NeuralEstimator(model: baseline, name: "fold \(number + 1) baseline")
            let searchedEstimator = try NeuralEstimator(model: tuned, name: "fold \(number + 1) searched")
            let quantisedEstimator = try quantisedScorer.map { makeScorer in
                let windows = data.recordings.indices.filter { !held.contains($0) }.flatMap { index in
                    let recording = data.recordings[index]
                    return recording.windows.indices.filter { recording.valid[$0] }.map { recording.windows[$0] }
                }
                return try NeuralEstimator(model: tuned, name: "fold \(number + 1) searched, int8", scorer: makeScorer(tuned, windows))
            }
            var baselineFold: [WindowEstimate] = []
            var searchedFold: [WindowEstimate] = []
            var quantisedFold: [WindowEstimate] = []
            for index in held {
                let recording = data.recordings[index]
                let b = try baselineEstimator.estimate(windows: recording.windows, valid: recording.valid, references: recording.referencesBpm,
                                                       layout: .standard)
                let s = try searchedEstimator.estimate(windows: recording.windows, valid: recording.valid, references: recording.referencesBpm,
                                                       layout: .standard)
                baselineFold += b
                searchedFold += s
                baselineByDataset[recording.dataset, default: []] += b
                searchedByDataset[recording.dataset, default: []] += s
                if let quantisedEstimator {
                    let q = try quantisedEstimator.estimate(windows: recording.windows, valid: recording.valid,
                                                            references: recording.referencesBpm, layout: .standard)
                    quantisedFold += q
                    quantisedByDataset[recording.dataset, default: []] += q
                }
            }
            baselineAll += baselineFold
            searchedAll += searchedFold
            quantisedAll += quantisedFold
            reports.append(Fold(number: number + 1, recordings: held.map { data.recordings[$0].name },
                                baselineMaeBpm: AccuracySummary(baselineFold).maeBpm, searchedMaeBpm: AccuracySummary(searchedFold).maeBpm,
                                windows: AccuracySummary(searchedFold).scoredWindows,
                                quantisedMaeBpm: quantisedEstimator == nil ? nil : AccuracySummary(quantisedFold).maeBpm))
        }
        return Report(folds: reports, baselineMaeBpm: AccuracySummary(baselineAll).maeBpm, searchedMaeBpm: AccuracySummary(searchedAll).maeBpm,
                      baselineMaeBpmByDataset: baselineByDataset.mapValues { AccuracySummary($0).maeBpm },
                      searchedMaeBpmByDataset: searchedByDataset.mapValues { AccuracySummary($0).maeBpm },
                      quantisedMaeBpm: quantisedScorer == nil ? nil : AccuracySummary(quantisedAll).maeBpm,
                      quantisedMaeBpmByDataset: quantisedByDataset.mapValues { AccuracySummary($0).maeBpm })
    }
}
