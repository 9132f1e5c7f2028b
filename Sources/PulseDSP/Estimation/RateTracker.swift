import Foundation

/// Follows a heart rate across windows over a grid of rates `h_k = firstBpm + k · binBpm` by a causal Viterbi
/// (max-product) recursion, given each window's log-likelihood of every rate:
///
/// `D_t(h) = ℓ_t(h) − λ · max(0, h_low − h) + max( max_h' D_{t−1}(h') − (h − h')² / 2σ², max_h' D_{t−1}(h') − J )`,
///
/// with `σ = σ_rise` for `h ≥ h'` and `σ_fall` otherwise (both times `√n` after `n` shifts). The jump cost `J`
/// lets the track recover when lost and needs no initial guess. The estimate is the arg-max of `D_t`, refined by
/// a parabola through its neighbours; the confidence is the share of `exp(D_t)` within `±c` BPM of it.
public final class RateTracker {
    /// How the rate may move and what the tracker reports.
    public struct Settings: Sendable, Equatable {
        public var riseSigmaBpm: Double
        public var fallSigmaBpm: Double
        public var jumpCost: Double
        public var lowRatePriorBpm: Double
        public var lowRatePriorNatsPerBpm: Double
        public var confidenceHalfWidthBpm: Double

        public init(riseSigmaBpm: Double, fallSigmaBpm: Double, jumpCost: Double, lowRatePriorBpm: Double,
                    lowRatePriorNatsPerBpm: Double, confidenceHalfWidthBpm: Double) {
            self.riseSigmaBpm = riseSigmaBpm
            self.fallSigmaBpm = fallSigmaBpm
            self.jumpCost = jumpCost
            self.lowRatePriorBpm = lowRatePriorBpm
            self.lowRatePriorNatsPerBpm = lowRatePriorNatsPerBpm
            self.confidenceHalfWidthBpm = confidenceHalfWidthBpm
        }
    }

    public let settings: Settings
    public let firstBpm: Double
    public let binBpm: Double
    public let binCount: Int
    private let transition: RateTransition
    private let prior: [Double]
    private var scores: [Double]?

    /// Bins a grid may have.
    public static let binCountRange = 2...100_000

    /// - Throws: `DSPError` when the grid has too few or too many bins, a spacing or first rate that is not positive
    ///   and finite, or settings that are not finite (or not positive where they scale a step).
    public init(firstBpm: Double, binBpm: Double, binCount: Int, settings: Settings) throws {
        guard Self.binCountRange.contains(binCount), binBpm.isFinite, binBpm > 0, firstBpm.isFinite, firstBpm >= 0 else {
            throw DSPError("a rate grid needs \(Self.binCountRange) bins from a rate of 0 BPM or more and a positive "
                + "spacing (got \(binCount) of \(binBpm) BPM from \(firstBpm) BPM)")
        }
        let s = settings
        guard [s.riseSigmaBpm, s.fallSigmaBpm, s.confidenceHalfWidthBpm].allSatisfy({ $0.isFinite && $0 > 0 }),
              [s.jumpCost, s.lowRatePriorBpm, s.lowRatePriorNatsPerBpm].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw DSPError("tracker settings must be finite, the step widths and confidence width positive, the jump "
                + "cost and low-rate prior not negative (got \(settings))")
        }
        self.settings = settings
        self.firstBpm = firstBpm
        self.binBpm = binBpm
        self.binCount = binCount
        transition = RateTransition(riseSigmaBpm: settings.riseSigmaBpm, fallSigmaBpm: settings.fallSigmaBpm,
                                    jumpCost: settings.jumpCost, binBpm: binBpm, binCount: binCount, windows: 1)
        prior = (0..<binCount).map { k in
            -settings.lowRatePriorNatsPerBpm * max(0, settings.lowRatePriorBpm - (firstBpm + Double(k) * binBpm))
        }
    }

    /// The rate (BPM) and confidence (0…1) after a window whose log-likelihood of rate `h_k` is `logLikelihood[k]`.
    /// - Parameter elapsedWindows: shifts since the previous window (more than 1 after windows that were skipped).
    /// - Precondition: `logLikelihood` has `binCount` values; traps otherwise. Values must be finite (a NaN one makes
    ///   the estimate meaningless): callers check what comes from outside.
    public func step(logLikelihood: [Double], elapsedWindows: Int = 1) -> (bpm: Double, confidence: Double) {
        precondition(logLikelihood.count == binCount, "\(logLikelihood.count) log-likelihoods for \(binCount) rates")
        var next = zip(logLikelihood, prior).map(+)
        if let previous = scores {
            let step = elapsedWindows <= 1 ? transition : RateTransition(
                riseSigmaBpm: settings.riseSigmaBpm, fallSigmaBpm: settings.fallSigmaBpm, jumpCost: settings.jumpCost,
                binBpm: binBpm, binCount: binCount, windows: elapsedWindows)
            // The previous scores peak at 0, so a jump from the best rate costs exactly `jumpCost`.
            let jump = -settings.jumpCost
            for k in 0..<binCount {
                var best = jump
                // From j ≤ k the rate rose by k − j bins; from j > k it fell by j − k.
                for j in max(0, k - step.riseReach)...k { best = max(best, previous[j] - step.risePenalty[k - j]) }
                if k + 1 < binCount {
                    for j in (k + 1)...min(binCount - 1, k + step.fallReach) { best = max(best, previous[j] - step.fallPenalty[j - k]) }
                }
                next[k] += best
            }
        }
        let peak = next.max() ?? 0
        let normalised = next.map { $0 - peak }
        scores = normalised
        return readOut(normalised)
    }

    /// Forgets the past: the next window starts a new track.
    public func reset() { scores = nil }

    private func readOut(_ scores: [Double]) -> (bpm: Double, confidence: Double) {
        var best = 0
        for k in 1..<binCount where scores[k] > scores[best] { best = k }
        var offset = 0.0
        if best > 0 && best < binCount - 1 {
            let (a, b, c) = (scores[best - 1], scores[best], scores[best + 1])
            let curvature = a - 2 * b + c
            if curvature < 0 { offset = min(0.5, max(-0.5, 0.5 * (a - c) / curvature)) }
        }
        let bpm = firstBpm + (Double(best) + offset) * binBpm
        var inside = 0.0
        var total = 0.0
        for k in 0..<binCount {
            let weight = exp(scores[k])
            total += weight
            if abs(firstBpm + Double(k) * binBpm - bpm) <= settings.confidenceHalfWidthBpm { inside += weight }
        }
        return (bpm, total > 0 ? inside / total : 0)
    }
}
