import Foundation
import PulseDSP
import PulseSignals

/// The neural and the spectral estimator in one tracker, as a product of experts: for window `t` and each rate
/// `r` of the model's bins, the tracker's log-likelihood is
///
///     a · log(p_t(r) + ε) + w · log(E_t(r) + ε_s)
///
/// with `p_t` the model's probabilities, `a` the neural weight (below 1 it tempers the model's confidence against the
/// tracker's transition costs), `E_t` the spectral evidence (`SpectralTracker.evidence`, interpolated
/// linearly onto the model's bins; its neutral level outside the spectral band), `ε` and `ε_s` each estimator's
/// own floor, and `w` the spectral weight. A window only one of them can analyse is tracked on that one's term.
/// With `a = 1, w = 0` it is the neural estimator.
public struct FusedEstimator: HeartRateEstimator, Sendable {
    /// The neural part (its model, preprocessing and tracker settings are the fused estimator's).
    public let neural: NeuralEstimator
    /// The spectral part, which supplies evidence only.
    public let spectral: SpectralEstimator
    /// The weights `a` of the model's log-probability and `w` of the spectral log-evidence.
    public let weights: Weights

    /// The two weights of the tracker's log-likelihood.
    public struct Weights: Sendable, Hashable {
        /// `a`, of the model's log-probability (> 0).
        public var neural: Double
        /// `w`, of the spectral log-evidence (≥ 0).
        public var spectral: Double

        /// Weights `a = neural`, `w = spectral`.
        public init(neural: Double = 1, spectral: Double) {
            self.neural = neural
            self.spectral = spectral
        }

        /// The model alone: `a = 1, w = 0`.
        public static let neuralOnly = Weights(neural: 1, spectral: 0)
    }

    /// A fused estimator of `neural` and `spectral` with `weights`.
    public init(neural: NeuralEstimator, spectral: SpectralEstimator = SpectralEstimator(), weights: Weights) {
        self.neural = neural
        self.spectral = spectral
        self.weights = weights
    }

    public var name: String { "fused (\(neural.name), neural weight \(weights.neural), spectral weight \(weights.spectral))" }

    /// - Throws: `RecordingError` when the recording cannot be estimated by either part; `GraphError` when the model
    ///   cannot run.
    public func estimate(_ recording: Recording, layout: WindowLayout) throws -> [WindowEstimate] {
        let evidence = try Evidence(recording, neural: neural, spectral: spectral, layout: layout)
        return try evidence.track(weights: weights, tracking: neural.tracking, layout: layout)
    }

    /// Both estimators' evidence over one recording's windows, so that several weights can be tracked without
    /// running the model again.
    public struct Evidence: Sendable {
        /// The model's probabilities per window (nil where the input pipeline left the window out).
        public var probabilities: [[Double]?]
        /// The model's rate bins.
        public var bins: RateBins
        /// The spectral evidence per window on the model's bins (nil where the spectral estimator left it out).
        public var spectral: [[Double]?]
        /// The reference rate per window, if known.
        public var referencesBpm: [Double?]
        /// The spectral estimator's floor `ε_s`.
        public var spectralFloor: Double

        /// The evidence of `neural` and `spectral` over `recording`.
        /// - Throws: as `FusedEstimator.estimate`.
        public init(_ recording: Recording, neural: NeuralEstimator, spectral: SpectralEstimator, layout: WindowLayout) throws {
            let (windows, valid) = try InputPipeline(input: neural.model.input, preprocessing: neural.preprocessing).windows(recording, layout: layout)
            try self.init(windows: windows, valid: valid, references: windows.indices.map { recording.reference?.label(at: $0) },
                          recording: recording, neural: neural, spectral: spectral, layout: layout)
        }

        /// The evidence over windows the input pipeline has already cut from `recording`.
        /// - Throws: as `FusedEstimator.estimate`.
        public init(windows: [[Float]], valid: [Bool], references: [Double?], recording: Recording, neural: NeuralEstimator,
                    spectral: SpectralEstimator, layout: WindowLayout) throws {
            let analysed = windows.indices.filter { valid[$0] }
            let scored = try neural.probabilities(analysed.map { windows[$0] })
            var probabilities = [[Double]?](repeating: nil, count: windows.count)
            for (row, index) in analysed.enumerated() { probabilities[index] = scored[row] }
            let bins = neural.model.output
            let (grid, evidence) = try spectral.evidence(recording, layout: layout)
            let neutral = spectral.configuration.maskedEvidence
            self.probabilities = probabilities
            self.bins = bins
            self.spectral = windows.indices.map { index in
                guard index < evidence.count, let values = evidence[index] else { return nil }
                return (0..<bins.count).map { k in
                    let position = (bins.bpm(k) - grid.firstBpm) / grid.binBpm
                    guard position >= 0, position <= Double(grid.count - 1) else { return neutral }
                    let lower = min(Int(position), grid.count - 2)
                    let fraction = position - Double(lower)
                    return values[lower] * (1 - fraction) + values[lower + 1] * fraction
                }
            }
            referencesBpm = references
            spectralFloor = spectral.configuration.evidenceFloor
        }

        /// The tracked estimates with `weights` and tracker `tracking`.
        /// - Throws: `DSPError` when the model's bins cannot form a tracker grid.
        public func track(weights: Weights, tracking: RateTracker.Settings, layout: WindowLayout) throws -> [WindowEstimate] {
            let tracker = try RateTracker(firstBpm: bins.firstBpm, binBpm: bins.binBpm, binCount: bins.count, settings: tracking)
            var previous: Int?
            return probabilities.indices.map { index in
                let neural = probabilities[index].map { $0.map { weights.neural * Foundation.log($0 + NeuralEstimator.probabilityFloor) } }
                let spectral = weights.spectral > 0
                    ? self.spectral[index].map { $0.map { weights.spectral * Foundation.log($0 + spectralFloor) } } : nil
                let end = layout.endSeconds(ofWindow: index)
                let logLikelihood: [Double]
                switch (neural, spectral) {
                case let (n?, s?): logLikelihood = zip(n, s).map { $0 + $1 }
                case let (n?, nil): logLikelihood = n
                case let (nil, s?): logLikelihood = s
                case (nil, nil):
                    return WindowEstimate(index: index, endSeconds: end, bpm: nil, confidence: 0, referenceBpm: referencesBpm[index])
                }
                let (bpm, confidence) = tracker.step(logLikelihood: logLikelihood, elapsedWindows: index - (previous ?? (index - 1)))
                previous = index
                return WindowEstimate(index: index, endSeconds: end, bpm: bpm, confidence: confidence, referenceBpm: referencesBpm[index])
            }
        }
    }
}
