import Foundation
import PulseDSP
import PulseSignals

/// The spectral, neural and fused estimators cross-validated on the same folds by recording: in each fold, the
/// fold's baseline (`FoldBaselines`) scores the fold's recordings, alone (the neural estimator) and fused with the
/// spectral evidence at each pair of weights (`FusedEstimator`); the spectral estimator, which learns nothing, scores
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
        /// The fused estimator's estimates per pair of weights; `.neuralOnly` is the neural estimator.
        public var fused: [FusedEstimator.Weights: [WindowEstimate]]
    }

    /// The recordings, in the order that sets the folds.
    public var members: [Member]
    /// The fold baselines.
    public var baselines: FoldBaselines
    /// The pairs of weights tried: every neural weight with every spectral weight, and `.neuralOnly`.
    public var weights: [FusedEstimator.Weights]

    /// A cross-validation of `members` with `baselines`, trying every pair of `neuralWeights` and `spectralWeights`.
    public init(members: [Member], baselines: FoldBaselines, neuralWeights: [Double], spectralWeights: [Double]) {
        self.members = members
        self.baselines = baselines
        let pairs = neuralWeights.flatMap { a in spectralWeights.map { FusedEstimator.Weights(neural: a, spectral: $0) } }
        weights = [.neuralOnly] + Array(Set(pairs).subtracting([.neuralOnly])).sorted { ($0.neural, $0.spectral) < ($1.neural, $1.spectral) }
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
                for pair in weights {
                    fused[pair] = try evidence.track(weights: pair, tracking: neural.tracking, layout: .standard)
                }
                scores[index] = Scores(name: recording.name, dataset: members[index].dataset, fold: number + 1,
                                       spectral: try spectral.estimate(recording, layout: .standard), fused: fused)
            }
        }
        return scores.compactMap { $0 }
    }
}
