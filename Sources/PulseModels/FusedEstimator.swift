import Foundation
import PulseDSP
import PulseSignals

/// The neural and the spectral estimator in one tracker, as a product of experts: for window `t` and each rate
/// `r` of the model's bins, the tracker's log-likelihood is
///
///     a · log(p_t(r) + ε) + w · log(E_t(r) + ε_s) − h · (1 − μ_t) · max(0, E_t(r/2) − E_t(r), E_t(r/3) − E_t(r))
///
/// with `p_t` the model's probabilities, `a` the neural weight (below 1 it tempers the model's confidence against the
/// tracker's transition costs), `E_t` the spectral evidence (`SpectralTracker.evidence`, interpolated
/// linearly onto the model's bins; its neutral level outside the spectral band), `ε` and `ε_s` each estimator's
/// own floor, and `w` the spectral weight. The last term, of weight `h`, is a harmonic check: a rate whose half or
/// third holds more spectral evidence than the rate itself is likely a harmonic of the pulse (the model, which never
/// saw a slow resting pulse, follows the third harmonic of one at 62 BPM). It counts only as far as the wrist is
/// still (`μ_t`, the spectral tracker's motion level): in motion, a peak at half the rate is as likely the arm swing
/// at half the step cadence. A window only one of them can analyse is
/// tracked on that one's terms. With `a = 1, w = 0, h = 0` it is the neural estimator.
public struct FusedEstimator: HeartRateEstimator, Sendable {
    /// The neural part (its model, preprocessing and tracker settings are the fused estimator's).
    public let neural: NeuralEstimator
    /// The spectral part, which supplies evidence only.
    public let spectral: SpectralEstimator
    /// The weights `a`, `w` and `h` of the tracker's log-likelihood.
    public let weights: Weights

    /// The three weights of the tracker's log-likelihood.
    public struct Weights: Sendable, Hashable {
        /// `a`, of the model's log-probability (> 0).
        public var neural: Double
        /// `w`, of the spectral log-evidence (≥ 0).
        public var spectral: Double
        /// `h`, of the harmonic check (≥ 0).
        public var harmonic: Double

        /// Weights `a = neural`, `w = spectral`, `h = harmonic`.
        public init(neural: Double = 1, spectral: Double, harmonic: Double = 0) {
            self.neural = neural
            self.spectral = spectral
            self.harmonic = harmonic
        }

        /// The model alone: `a = 1, w = 0, h = 0`.
        public static let neuralOnly = Weights(neural: 1, spectral: 0, harmonic: 0)

        /// The weights pulse's estimators default to, `a = 0.5, w = 0.5, h = 5`: cross-validation (`pulse evaluate
        /// --folds 5` over SPC 2015 and BAMI-1, 5 folds by recording) rates them best with the shipped training
        /// recipe (1.80 BPM against the model's 1.87 and the spectral estimator's 2.45), and cannot tell `h = 0…5`
        /// apart (±0.005 BPM); `h = 5` is the smallest that holds every simulated slow rest within 3 BPM.
        public static let crossValidated = Weights(neural: 0.5, spectral: 0.5, harmonic: 5)
    }

    /// A fused estimator of `neural` and `spectral` with `weights`.
    public init(neural: NeuralEstimator, spectral: SpectralEstimator = SpectralEstimator(), weights: Weights) {
        self.neural = neural
        self.spectral = spectral
        self.weights = weights
    }

    public var name: String {
        "fused (\(neural.name), neural weight \(weights.neural), spectral weight \(weights.spectral), harmonic weight \(weights.harmonic))"
    }

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
        /// The spectral tracker's motion level `μ` per window (nil where the spectral estimator left it out).
        public var motionLevels: [Double?]
        /// The reference rate per window, if known.
        public var referencesBpm: [Double?]
        /// The spectral estimator's floor `ε_s`.
        public var spectralFloor: Double

        /// Evidence given part by part (each per window, nil where a part left the window out; spectral evidence
        /// on `bins`).
        public init(probabilities: [[Double]?], bins: RateBins, spectral: [[Double]?], motionLevels: [Double?], referencesBpm: [Double?],
                    spectralFloor: Double) {
            self.probabilities = probabilities
            self.bins = bins
            self.spectral = spectral
            self.motionLevels = motionLevels
            self.referencesBpm = referencesBpm
            self.spectralFloor = spectralFloor
        }

        /// The evidence of `neural` and `spectral` over `recording`.
        /// - Throws: as `FusedEstimator.estimate`.
        public init(_ recording: Recording, neural: NeuralEstimator, spectral: SpectralEstimator, layout: WindowLayout) throws {
            let (windows, valid) = try InputPipeline(input: neural.model.input, preprocessing: neural.preprocessing).windows(recording, layout: layout)
            let analysed = windows.indices.filter { valid[$0] }
            let scored = try neural.probabilities(analysed.map { windows[$0] })
            var probabilities = [[Double]?](repeating: nil, count: windows.count)
            for (row, index) in analysed.enumerated() { probabilities[index] = scored[row] }
            let bins = neural.model.output
            let (grid, evidence) = try spectral.evidence(recording, layout: layout)
            let neutral = spectral.configuration.maskedEvidence
            self.probabilities = probabilities
            self.bins = bins
            motionLevels = windows.indices.map { index in index < evidence.count ? evidence[index]?.motionLevel : nil }
            self.spectral = windows.indices.map { index in
                guard index < evidence.count, let values = evidence[index]?.evidence else { return nil }
                return (0..<bins.count).map { k in Self.interpolate(values, at: (bins.bpm(k) - grid.firstBpm) / grid.binBpm) ?? neutral }
            }
            referencesBpm = windows.indices.map { recording.reference?.label(at: $0) }
            spectralFloor = spectral.configuration.evidenceFloor
        }

        /// `values` interpolated linearly at fractional index `position`; nil outside `0...values.count - 1`.
        static func interpolate(_ values: [Double], at position: Double) -> Double? {
            guard values.count >= 2, position >= 0, position <= Double(values.count - 1) else { return nil }
            let lower = min(Int(position), values.count - 2)
            let fraction = position - Double(lower)
            return values[lower] * (1 - fraction) + values[lower + 1] * fraction
        }

        /// For each bin `r`, how much more evidence lies at `r/2` or `r/3` than at `r` (0 where none does), the
        /// evidence interpolated linearly between bins.
        public static func harmonicExcess(_ evidence: [Double], bins: RateBins) -> [Double] {
            (0..<bins.count).map { k in
                [2.0, 3.0].reduce(0) { excess, divisor in
                    guard let below = interpolate(evidence, at: (bins.bpm(k) / divisor - bins.firstBpm) / bins.binBpm) else { return excess }
                    return max(excess, below - evidence[k])
                }
            }
        }

        /// The tracked estimates with `weights` and tracker `tracking`.
        /// - Throws: `DSPError` when the model's bins cannot form a tracker grid.
        public func track(weights: Weights, tracking: RateTracker.Settings, layout: WindowLayout) throws -> [WindowEstimate] {
            let tracker = try RateTracker(firstBpm: bins.firstBpm, binBpm: bins.binBpm, binCount: bins.count, settings: tracking)
            var previous: Int?
            return probabilities.indices.map { index in
                let neural = probabilities[index].map { $0.map { weights.neural * Foundation.log($0 + NeuralEstimator.probabilityFloor) } }
                let spectral = weights.spectral > 0 || weights.harmonic > 0 ? self.spectral[index].map { evidence in
                    let harmonic = weights.harmonic * (1 - (motionLevels[index] ?? 1))
                    let harmonics = Self.harmonicExcess(evidence, bins: bins)
                    return zip(evidence, harmonics).map { weights.spectral * Foundation.log($0 + spectralFloor) - harmonic * $1 }
                } : nil
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
