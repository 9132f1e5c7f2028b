import Foundation
import PulseDSP
import PulseSignals

/// The spectral, neural and fused estimators cross-validated on the same folds by recording: in each fold, the
/// fold's baseline (`FoldBaselines`) scores the fold's recordings, alone (the neural estimator) and fused with the
/// spectral evidence at each weight (`FusedEstimator`); the spectral estimator, which learns nothing, scores them
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

    /// One recording's estimates from the fold that held it out.
    public struct Scores: Sendable {
        /// The recording's name and dataset, and the fold that held it out (from 1).
        public var name: String
        public var dataset: String
        public var fold: Int
        /// The spectral estimator's estimates.
        public var spectral: [WindowEstimate]
        /// The fused estimator's estimates per spectral weight; weight 0 is the neural estimator.
        public var fused: [Double: [WindowEstimate]]
    }

    /// The recordings, in the order that sets the folds.
    public var members: [Member]
    /// The fold baselines.
    public var baselines: FoldBaselines
    /// The spectral weights tried; 0 (the neural estimator) is always among them.
    public var spectralWeights: [Double]

    /// A cross-validation of `members` with `baselines`, trying `spectralWeights`.
    public init(members: [Member], baselines: FoldBaselines, spectralWeights: [Double]) {
        self.members = members
        self.baselines = baselines
        self.spectralWeights = Array(Set(spectralWeights + [0])).sorted()
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
                var fused: [Double: [WindowEstimate]] = [:]
                for weight in spectralWeights {
                    fused[weight] = try evidence.track(spectralWeight: weight, tracking: neural.tracking, layout: .standard)
                }
                scores[index] = Scores(name: recording.name, dataset: members[index].dataset, fold: number + 1,
                                       spectral: try spectral.estimate(recording, layout: .standard), fused: fused)
            }
        }
        return scores.compactMap { $0 }
    }
}
