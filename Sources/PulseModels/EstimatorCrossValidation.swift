import Foundation
import PulseDSP
import PulseSignals

/// The spectral, neural and fused estimators cross-validated on the same folds by recording: in each fold, the
/// fold's baseline (`FoldBaselines`) scores the fold's recordings, alone (the neural estimator) and fused with the
/// spectral evidence at each combination of weights (`FusedEstimator`); the spectral estimator, which learns nothing, scores
/// them too.
public struct EstimatorCrossValidation {
    /// A recording and the dataset it belongs to.
    public struct Member: Sendable {
        /// The recording.
        public var recording: Recording
        /// Its dataset's name.
        public var dataset: String

        /// A member of `dataset`.
        public init(recording: Recording, dataset: String) {
            self.recording = recording
            self.dataset = dataset
        }
    }

    /// One recording's estimates from the fold that held it out.
    public struct Scores: Sendable {
        /// The recording's name and dataset, and the fold that held it out (from 1).
        public var name: String
        public var dataset: String
        public var fold: Int
        /// The spectral estimator's estimates.
        public var spectral: [WindowEstimate]
        /// The fused estimator's estimates per combination of weights; `.neuralOnly` is the neural estimator.
        public var fused: [FusedEstimator.Weights: [WindowEstimate]]
    }

    /// The recordings, in the order that sets the folds.
    public var members: [Member]
    /// The fold baselines.
    public var baselines: FoldBaselines
    /// The weights tried: every combination of the neural, spectral and harmonic weights, and `.neuralOnly` first.
    public var weights: [FusedEstimator.Weights]

    /// A cross-validation of `members` with `baselines`, trying every combination of `neuralWeights`,
    /// `spectralWeights` and `harmonicWeights`.
    public init(members: [Member], baselines: FoldBaselines, neuralWeights: [Double], spectralWeights: [Double], harmonicWeights: [Double]) {
        self.members = members
        self.baselines = baselines
        let combinations = neuralWeights.flatMap { a in
            spectralWeights.flatMap { w in harmonicWeights.map { FusedEstimator.Weights(neural: a, spectral: w, harmonic: $0) } }
        }
        weights = [.neuralOnly] + Array(Set(combinations).subtracting([.neuralOnly]))
            .sorted { ($0.neural, $0.spectral, $0.harmonic) < ($1.neural, $1.spectral, $1.harmonic) }
    }

    /// Runs every fold, reporting `(fold, stage)` as it goes; returns each recording's scores, in the members' order.
    /// - Throws: `RecordingError` naming a recording that cannot be estimated; training and model file errors.
    public func run(progress: (Int, String) -> Void = { _, _ in }) throws -> [Scores] {
        let pipeline = InputPipeline(input: SpectralCNN.baseline.input)
        var scores = [Scores?](repeating: nil, count: members.count)
        for (number, held) in baselines.assignment(count: members.count).enumerated() {
            progress(number, "baseline")
            let model = try baselines.model(number) {
                var training = TrainingSet()
                for index in members.indices where !held.contains(index) { try training.add(members[index].recording, pipeline: pipeline) }
                return training
            }
            let neural = try NeuralEstimator(model: model, name: "fold \(number + 1)")
            let spectral = SpectralEstimator()
            for index in held {
                progress(number, members[index].recording.name)
                let recording = members[index].recording
                let evidence = try FusedEstimator.Evidence(recording, neural: neural, spectral: spectral, layout: .standard)
                var fused: [FusedEstimator.Weights: [WindowEstimate]] = [:]
                for combination in weights {
                    fused[combination] = try evidence.track(weights: combination, tracking: neural.tracking, layout: .standard)
                }
                scores[index] = Scores(name: recording.name, dataset: members[index].dataset, fold: number + 1,
                                       spectral: try spectral.estimate(recording, layout: .standard), fused: fused)
            }
        }
        return scores.compactMap { $0 }
    }
}
