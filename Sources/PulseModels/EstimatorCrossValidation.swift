import Foundation
import PulseDSP
import PulseSignals

/// The spectral, neural and fused estimators cross-validated on the same folds by recording: in each fold, the
/// fold's baselines (`FoldBaselines`, one per model of the ensemble) score the fold's recordings, alone and as an
/// ensemble (the neural estimator, at `FusedEstimator.Weights.neuralOnly`) and fused with the spectral evidence, at
/// each candidate's weights and tracking (`FusedEstimator`); the spectral estimator, which learns nothing, scores them
/// too.
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

    /// One way to fuse: the tracker's weights and its tracking.
    public struct Candidate: Sendable, Hashable {
        public var weights: FusedEstimator.Weights
        public var tracking: FusedEstimator.Tracking

        /// `weights` followed with `tracking`.
        public init(weights: FusedEstimator.Weights, tracking: FusedEstimator.Tracking) {
            self.weights = weights
            self.tracking = tracking
        }

        /// The neural estimator as `pulse estimate --method neural` runs it: the model alone, tracked causally with the
        /// spectral estimator's steps.
        public static let neural = Candidate(weights: .neuralOnly, tracking: FusedEstimator.Tracking(
            riseSigmaBpm: SpectralEstimator.Configuration.standard.riseSigmaBpm, fallSigmaBpm: SpectralEstimator.Configuration.standard.fallSigmaBpm,
            following: .causal))
    }

    /// One recording's estimates from the fold that held it out.
    public struct Scores: Sendable {
        /// The recording's name and dataset, and the fold that held it out (from 1).
        public var name: String
        public var dataset: String
        public var fold: Int
        /// The spectral estimator's estimates.
        public var spectral: [WindowEstimate]
        /// The fused estimator's estimates per candidate; `Candidate.neural` is the neural estimator.
        public var fused: [Candidate: [WindowEstimate]]
    }

    /// The recordings, in the order that sets the folds.
    public var members: [Member]
    /// The fold baselines of each model of the ensemble (one entry: a single model). They share their folds: the
    /// first one's seed sets them.
    public var baselines: [FoldBaselines]
    /// The candidates tried: every combination of weights and tracking, and `Candidate.neural` first.
    public var candidates: [Candidate]

    /// A cross-validation of `members` with the ensemble `baselines`, trying every combination of `neuralWeights`,
    /// `spectralWeights`, `harmonicWeights` and `trackings`.
    public init(members: [Member], baselines: [FoldBaselines], neuralWeights: [Double], spectralWeights: [Double], harmonicWeights: [Double],
                trackings: [FusedEstimator.Tracking]) {
        self.members = members
        self.baselines = baselines
        let combinations = neuralWeights.flatMap { a in
            spectralWeights.flatMap { w in harmonicWeights.map { FusedEstimator.Weights(neural: a, spectral: w, harmonic: $0) } }
        }
        let tried = trackings.flatMap { tracking in combinations.map { Candidate(weights: $0, tracking: tracking) } }
        candidates = [.neural] + Array(Set(tried).subtracting([.neural])).sorted { lhs, rhs in
            let (l, r) = (lhs.weights, rhs.weights)
            let (lt, rt) = (lhs.tracking, rhs.tracking)
            return (lt.following.lagWindows, lt.riseSigmaBpm, lt.fallSigmaBpm, l.neural, l.spectral, l.harmonic)
                < (rt.following.lagWindows, rt.riseSigmaBpm, rt.fallSigmaBpm, r.neural, r.spectral, r.harmonic)
        }
    }

    /// Runs every fold, reporting `(fold, stage)` as it goes; returns each recording's scores, in the members' order.
    /// - Throws: `RecordingError` naming a recording that cannot be estimated; training and model file errors.
    public func run(progress: (Int, String) -> Void = { _, _ in }) throws -> [Scores] {
        guard let first = baselines.first else { return [] }
        let pipeline = InputPipeline(input: SpectralCNN.baseline.input)
        var scores = [Scores?](repeating: nil, count: members.count)
        for (number, held) in first.assignment(count: members.count).enumerated() {
            var neural: [NeuralEstimator] = []
            var training: TrainingSet?
            for (position, ensembleMember) in baselines.enumerated() {
                progress(number, "baseline \(position + 1) of \(baselines.count)")
                let model = try ensembleMember.model(number) {
                    if let training { return training }
                    var made = TrainingSet()
                    for index in members.indices where !held.contains(index) { try made.add(members[index].recording, pipeline: pipeline) }
                    training = made
                    return made
                }
                neural.append(try NeuralEstimator(model: model, name: "fold \(number + 1) model \(position + 1)"))
            }
            let spectral = SpectralEstimator()
            let base = spectral.configuration.trackerSettings
            for index in held {
                progress(number, members[index].recording.name)
                let recording = members[index].recording
                let evidence = try FusedEstimator.Evidence(recording, neural: neural, spectral: spectral, layout: .standard)
                var fused: [Candidate: [WindowEstimate]] = [:]
                for candidate in candidates {
                    fused[candidate] = try evidence.track(weights: candidate.weights, tracking: candidate.tracking.settings(base: base),
                                                          following: candidate.tracking.following, layout: .standard)
                }
                scores[index] = Scores(name: recording.name, dataset: members[index].dataset, fold: number + 1,
                                       spectral: try spectral.estimate(recording, layout: .standard), fused: fused)
            }
        }
        return scores.compactMap { $0 }
    }
}
