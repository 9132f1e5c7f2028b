import Foundation
import PulseDSP
import PulseGraph
import PulseSignals

/// One or more models and the spectral estimator in one tracker, as a product of experts: for window `t` and each
/// rate `r` of the models' bins, the tracker's log-likelihood is
///
///     a · log(p_t(r) + ε) + w · log(E_t(r) + ε_s) − h · (1 − μ_t) · max(0, E_t(r/2) − E_t(r), E_t(r/3) − E_t(r))
///
/// with `p_t` the models' probabilities (their mean, for an ensemble), `a` the neural weight (below 1 it tempers
/// the models' confidence against the tracker's transition costs), `E_t` the spectral evidence
/// (`SpectralTracker.evidence`, interpolated linearly onto the models' bins; its neutral level outside the spectral
/// band), `ε` and `ε_s` each estimator's own floor, and `w` the spectral weight. The last term, of weight `h`, is a
/// harmonic check: a rate whose half or third holds more spectral evidence than the rate itself is likely a harmonic
/// of the pulse (the model, which never saw a slow resting pulse, follows the third harmonic of one at 62 BPM). It
/// counts only as far as the wrist is still (`μ_t`, the spectral tracker's motion level): in motion, a peak at half
/// the rate is as likely the arm swing at half the step cadence. A window only one of them can analyse is tracked on
/// that one's terms. The tracker (`Tracking`) is causal or smooths with a fixed lag. With one model,
/// `a = 1, w = 0, h = 0` and `Tracking.causal` it is the neural estimator.
public struct FusedEstimator: HeartRateEstimator, Sendable {
    /// The models (one, or an ensemble reading the same input and returning the same bins); the first one's
    /// preprocessing is the fused estimator's.
    public let neural: [NeuralEstimator]
    /// The spectral part, which supplies evidence only (and, from its configuration, the tracker's jump cost, low-rate
    /// prior and confidence width).
    public let spectral: SpectralEstimator
    /// The weights `a`, `w` and `h` of the tracker's log-likelihood.
    public let weights: Weights
    /// How the rate is followed across windows.
    public let tracking: Tracking

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
        /// --folds 5` over SPC 2015 and BAMI-1, 5 folds by recording) rates them best, or within 0.01 BPM of the
        /// best, with either tracker (see the README); `h = 5` is the smallest that holds every simulated slow rest
        /// within 3 BPM.
        public static let crossValidated = Weights(neural: 0.5, spectral: 0.5, harmonic: 5)
    }

    /// How the tracker follows the rate: its step widths and whether it waits for later windows.
    public struct Tracking: Sendable, Hashable, CustomStringConvertible {
        /// Standard deviation of a rise of the rate from one window to the next (BPM per shift).
        public var riseSigmaBpm: Double
        /// Standard deviation of a fall (BPM per shift).
        public var fallSigmaBpm: Double
        /// Causal, or smoothed with a fixed lag.
        public var following: RateFollowing

        /// Steps of `riseSigmaBpm` and `fallSigmaBpm`, followed as `following` says.
        public init(riseSigmaBpm: Double, fallSigmaBpm: Double, following: RateFollowing) {
            self.riseSigmaBpm = riseSigmaBpm
            self.fallSigmaBpm = fallSigmaBpm
            self.following = following
        }

        /// The default of `--causal`: the Viterbi tracker, rises of 4 and falls of 3 BPM per shift, cross-validation's
        /// best causal tracking of the shipped ensemble (see the README).
        public static let causal = Tracking(riseSigmaBpm: 4, fallSigmaBpm: 3, following: .causal)

        /// The default of `pulse estimate` and `pulse evaluate`: smoothed with a lag of 3 windows (6 s), rises of 4 and
        /// falls of 3 BPM per shift, cross-validation's best (see the README).
        public static let crossValidated = Tracking(riseSigmaBpm: 4, fallSigmaBpm: 3, following: .fixedLag(windows: 3))

        /// `base` (jump cost, low-rate prior, confidence width) with these step widths.
        public func settings(base: RateTracker.Settings) -> RateTracker.Settings {
            var settings = base
            settings.riseSigmaBpm = riseSigmaBpm
            settings.fallSigmaBpm = fallSigmaBpm
            return settings
        }

        /// The following, then the step widths.
        public var description: String { "\(following), rise \(riseSigmaBpm), fall \(fallSigmaBpm) BPM" }
    }

    /// A fused estimator of the models `neural` (their probabilities averaged) and `spectral`, with `weights` and
    /// `tracking`.
    /// - Throws: `GraphError` when there is no model or the models read different inputs or return different bins.
    public init(neural: [NeuralEstimator], spectral: SpectralEstimator = SpectralEstimator(), weights: Weights,
                tracking: Tracking = .crossValidated) throws {
        _ = try Self.leader(of: neural)
        self.neural = neural
        self.spectral = spectral
        self.weights = weights
        self.tracking = tracking
    }

    /// The first of `neural`, once every model is checked to read its input and return its rate bins.
    /// - Throws: `GraphError` when there is no model or one differs.
    static func leader(of neural: [NeuralEstimator]) throws -> NeuralEstimator {
        guard let first = neural.first else { throw GraphError("a fused estimator needs at least one model") }
        if let other = neural.first(where: { $0.model.input != first.model.input || $0.model.output != first.model.output }) {
            throw GraphError("the models of an ensemble must read the same input and return the same rate bins: "
                + "\(other.name) differs from \(first.name)")
        }
        return first
    }

    public var name: String {
        "fused (\(neural.map(\.name).joined(separator: " + ")), neural weight \(weights.neural), spectral weight \(weights.spectral), "
            + "harmonic weight \(weights.harmonic), \(tracking))"
    }

    /// - Throws: `RecordingError` when the recording cannot be estimated by either part; `GraphError` when the model
    ///   cannot run.
    public func estimate(_ recording: Recording, layout: WindowLayout) throws -> [WindowEstimate] {
        let evidence = try Evidence(recording, neural: neural, spectral: spectral, layout: layout)
        return try evidence.track(weights: weights, tracking: tracking.settings(base: spectral.configuration.trackerSettings),
                                  following: tracking.following, layout: layout)
    }

    /// Both estimators' evidence over one recording's windows, so that several weights can be tracked without
    /// running the model again.
    public struct Evidence: Sendable {
        /// The models' (mean) probabilities per window (nil where the input pipeline left the window out).
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

        /// The evidence of the models `neural` (their mean probabilities; they read the first one's input, cut with
        /// its preprocessing) and `spectral` over `recording`.
        /// - Throws: as `FusedEstimator.estimate`; `GraphError` when `neural` is empty.
        public init(_ recording: Recording, neural: [NeuralEstimator], spectral: SpectralEstimator, layout: WindowLayout) throws {
            let first = try FusedEstimator.leader(of: neural)
            let (windows, valid) = try InputPipeline(input: first.model.input, preprocessing: first.preprocessing).windows(recording, layout: layout)
            let analysed = windows.indices.filter { valid[$0] }
            let inputs = analysed.map { windows[$0] }
            var scored = try first.probabilities(inputs)
            for member in neural.dropFirst() { scored = zip(scored, try member.probabilities(inputs)).map { zip($0, $1).map(+) } }
            let share = 1 / Double(neural.count)
            var probabilities = [[Double]?](repeating: nil, count: windows.count)
            for (row, index) in analysed.enumerated() { probabilities[index] = scored[row].map { $0 * share } }
            let bins = first.model.output
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

        /// The tracked estimates with `weights`, tracker `tracking`, followed as `following` says.
        /// - Throws: `DSPError` when the models' bins cannot form a tracker grid or the settings are invalid.
        public func track(weights: Weights, tracking: RateTracker.Settings, following: RateFollowing, layout: WindowLayout) throws -> [WindowEstimate] {
            let logLikelihoods = probabilities.indices.map { index -> [Double]? in
                let neural = probabilities[index].map { $0.map { weights.neural * Foundation.log($0 + NeuralEstimator.probabilityFloor) } }
                let spectral = weights.spectral > 0 || weights.harmonic > 0 ? self.spectral[index].map { evidence in
                    let harmonic = weights.harmonic * (1 - (motionLevels[index] ?? 1))
                    let harmonics = Self.harmonicExcess(evidence, bins: bins)
                    return zip(evidence, harmonics).map { weights.spectral * Foundation.log($0 + spectralFloor) - harmonic * $1 }
                } : nil
                switch (neural, spectral) {
                case let (n?, s?): return zip(n, s).map { $0 + $1 }
                case let (n?, nil): return n
                case let (nil, s?): return s
                case (nil, nil): return nil
                }
            }
            let followed = try following.follow(logLikelihoods, firstBpm: bins.firstBpm, binBpm: bins.binBpm, binCount: bins.count, settings: tracking)
            return followed.indices.map { index in
                WindowEstimate(index: index, endSeconds: layout.endSeconds(ofWindow: index), bpm: followed[index]?.bpm,
                               confidence: followed[index]?.confidence ?? 0, referenceBpm: referencesBpm[index])
            }
        }
    }
}
