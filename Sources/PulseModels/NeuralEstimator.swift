import Foundation
import PulseDSP
import PulseEngine
import PulseGraph
import PulseSignals

/// Scores model input windows in place of the float executor: one logit per rate bin for each window (an int8
/// reference executor, for instance, scores as firmware would).
public protocol WindowScorer: Sendable {
    /// One row of logits, one per rate bin, for each window.
    func logits(_ windows: [[Float]]) throws -> [[Float]]
}

/// A trained model as a heart-rate estimator: the input pipeline cuts windows, the model scores every rate bin
/// (batch inference over `threads` threads), and a `RateTracker` follows the rate across windows with
/// `log(p + ε)` as each window's log-likelihood.
public struct NeuralEstimator: HeartRateEstimator, Sendable {
    public let model: ModelFile
    public let name: String
    public let preprocessing: Preprocessing
    public let tracking: RateTracker.Settings
    public let threads: Int
    private let executor: Executor
    /// What scores the windows instead of the float executor, if anything.
    public let scorer: (any WindowScorer)?

    /// Floor added to each probability before its logarithm, so that no rate is ruled out.
    public static let probabilityFloor = 1e-3

    public init(model: ModelFile, name: String, preprocessing: Preprocessing = .zeroPhase,
                tracking: RateTracker.Settings = SpectralEstimator.Configuration.standard.trackerSettings, threads: Int = 2,
                scorer: (any WindowScorer)? = nil) throws {
        self.model = model
        self.scorer = scorer
        self.name = name
        self.preprocessing = preprocessing
        self.tracking = tracking
        self.threads = threads
        executor = try Executor(graph: model.graph, parameters: model.parameters)
        try executor.prepareInference()
    }

    /// Probabilities over the model's rate bins for each window (rows of `model.output.count`), computed on
    /// `threads` threads (the estimator's own count by default).
    /// - Throws: `GraphError` when the model cannot run; `RecordingError` (`cannotEstimate`, naming the window)
    ///   when a score is not finite, which finite weights can still produce by overflowing.
    public func probabilities(_ windows: [[Float]], threads: Int? = nil) throws -> [[Double]] {
        guard !windows.isEmpty else { return [] }
        let width = model.output.count
        let logits: Tensor
        if let scorer {
            let rows = try scorer.logits(windows)
            guard rows.count == windows.count, rows.allSatisfy({ $0.count == width }) else {
                throw RecordingError(path: name, .cannotEstimate("the scorer gave \(rows.count) rows for \(windows.count) windows, not one of \(width) scores each"))
            }
            logits = Tensor(shape: [windows.count, width], scalars: rows.flatMap { $0 })
        } else {
            let input = Tensor(shape: [windows.count] + model.input.shape, scalars: windows.flatMap { $0 })
            logits = try executor.infer([ModelFile.inputName: input], threads: threads ?? self.threads)[0]
        }
        if let index = logits.scalars.firstIndex(where: { !$0.isFinite }) {
            throw RecordingError(path: name, .cannotEstimate(
                "the model's score \(index % width) for window \(index / width) of \(windows.count) is \(logits.scalars[index]); its weights overflow"))
        }
        return (0..<windows.count).map { row in
            let values = logits.scalars[(row * width)..<((row + 1) * width)]
            let peak = values.max() ?? 0
            let exps = values.map { Foundation.exp(Double($0 - peak)) }
            let total = exps.reduce(0, +)
            return exps.map { $0 / total }
        }
    }

    public func estimate(_ recording: Recording, layout: WindowLayout) throws -> [WindowEstimate] {
        let (windows, valid) = try InputPipeline(input: model.input, preprocessing: preprocessing).windows(recording, layout: layout)
        return try estimate(windows: windows, valid: valid, references: windows.indices.map { recording.reference?.label(at: $0) }, layout: layout)
    }

    /// Estimates over windows already cut by the input pipeline: the model scores the `valid` ones and the tracker
    /// follows them, skipping the others. `references` gives each window's reference rate, if any.
    public func estimate(windows: [[Float]], valid: [Bool], references: [Double?], layout: WindowLayout) throws -> [WindowEstimate] {
        let analysed = windows.indices.filter { valid[$0] }
        let probabilities = try self.probabilities(analysed.map { windows[$0] })
        let bins = model.output
        var logLikelihoods = [[Double]?](repeating: nil, count: windows.count)
        for (row, index) in analysed.enumerated() { logLikelihoods[index] = probabilities[row].map { Foundation.log($0 + Self.probabilityFloor) } }
        let followed = try RateFollowing.causal.follow(logLikelihoods, firstBpm: bins.firstBpm, binBpm: bins.binBpm, binCount: bins.count,
                                                       settings: tracking)
        return windows.indices.map { index in
            WindowEstimate(index: index, endSeconds: layout.endSeconds(ofWindow: index), bpm: followed[index]?.bpm,
                           confidence: followed[index]?.confidence ?? 0, referenceBpm: references[index])
        }
    }
}
