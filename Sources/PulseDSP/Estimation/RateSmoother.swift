import Foundation

/// Follows a heart rate across windows over a grid of rates `h_k = firstBpm + k · binBpm` by the forward–backward
/// (sum-product) recursion with a fixed lag `L`: window `t`'s posterior is
///
///     P_t(h) ∝ α_t(h) · β_t(h),   α_t = E_t ⊙ K α_{t−1},   β_s = Kᵀ (E_{s+1} ⊙ β_{s+1}) for s < t + L,   β_{t+L} = 1,
///
/// with `E_t(h) = exp(ℓ_t(h) − λ · max(0, h_low − h))` the window's likelihood under the low-rate prior and
/// `K(h, h') = max(exp(−(h − h')² / 2σ²), e^{−J})` the step of `RateTracker` (`σ = σ_rise` for `h ≥ h'`, `σ_fall`
/// otherwise, both times `√n` after `n` shifts; the jump cost `J` as a floor). The estimate is the posterior's mean
/// within `readoutHalfWidthBpm` of its mode, the confidence the posterior's share within `±c` BPM of the estimate.
///
/// Window `t`'s estimate uses the windows up to `t + L` only, so a stream can report it `L` shifts late; `L = 0`
/// is the forward filter alone.
public struct RateSmoother: Sendable {
    /// The step widths, jump cost, low-rate prior and confidence width (as `RateTracker`'s).
    public let settings: RateTracker.Settings
    /// `L`: later windows each estimate may use.
    public let lagWindows: Int
    /// The grid: its first rate, spacing (BPM) and number of rates.
    public let firstBpm: Double
    public let binBpm: Double
    public let binCount: Int
    private let prior: [Double]

    /// Half-width (BPM) around the posterior's mode over which the estimate is its mean. In cross-validation on SPC
    /// 2015 and BAMI-1 (5 folds by recording, the fused estimator with lag 2 and 4/2 BPM steps, while the lag and steps
    /// were still being chosen) 3, 5, 8 and 15 BPM gave 1.650, 1.627, 1.617 and 1.617 BPM.
    public static let readoutHalfWidthBpm = 8.0

    /// Lags a smoother may have.
    public static let lagRange = 0...100

    /// - Throws: `DSPError` when the grid or the settings are invalid (as `RateTracker.init`), or the lag is outside
    ///   `lagRange`.
    public init(firstBpm: Double, binBpm: Double, binCount: Int, settings: RateTracker.Settings, lagWindows: Int) throws {
        _ = try RateTracker(firstBpm: firstBpm, binBpm: binBpm, binCount: binCount, settings: settings)
        guard Self.lagRange.contains(lagWindows) else {
            throw DSPError("a smoother's lag must be \(Self.lagRange.lowerBound)…\(Self.lagRange.upperBound) windows (got \(lagWindows))")
        }
        self.settings = settings
        self.lagWindows = lagWindows
        self.firstBpm = firstBpm
        self.binBpm = binBpm
        self.binCount = binCount
        prior = (0..<binCount).map { k in
            -settings.lowRatePriorNatsPerBpm * max(0, settings.lowRatePriorBpm - (firstBpm + Double(k) * binBpm))
        }
    }

    /// The rate (BPM) and confidence (0…1) of every window whose log-likelihoods are given (`logLikelihoods[t]`, one
    /// per rate); nil for the windows given as nil or holding a value that is not finite, which count as elapsed
    /// shifts only.
    /// - Precondition: each given row has `binCount` finite values; traps on a wrong count.
    public func smooth(_ logLikelihoods: [[Double]?]) -> [(bpm: Double, confidence: Double)?] {
        let analysed = logLikelihoods.indices.filter { logLikelihoods[$0]?.allSatisfy(\.isFinite) == true }
        guard !analysed.isEmpty else { return logLikelihoods.map { _ in nil } }
        let likelihoods = analysed.map { index -> [Double] in
            let row = logLikelihoods[index] ?? []
            precondition(row.count == binCount, "\(row.count) log-likelihoods for \(binCount) rates")
            let scores = zip(row, prior).map(+)
            let peak = scores.max() ?? 0
            return scores.map { Foundation.exp($0 - peak) }
        }
        var steps: [Int: Kernel] = [:]
        func kernel(_ shifts: Int) -> Kernel {
            if let known = steps[shifts] { return known }
            let made = Kernel(settings: settings, binBpm: binBpm, binCount: binCount, windows: shifts)
            steps[shifts] = made
            return made
        }
        var forward: [[Double]] = []
        forward.reserveCapacity(analysed.count)
        for (position, likelihood) in likelihoods.enumerated() {
            let predicted = position == 0 ? likelihood : kernel(analysed[position] - analysed[position - 1]).forward(forward[position - 1])
            forward.append(Self.normalised(position == 0 ? likelihood : zip(likelihood, predicted).map(*)))
        }
        var result = [(bpm: Double, confidence: Double)?](repeating: nil, count: logLikelihoods.count)
        for position in analysed.indices {
            var backward = [Double](repeating: 1, count: binCount)
            var last = position
            while last + 1 < analysed.count && analysed[last + 1] <= analysed[position] + lagWindows { last += 1 }
            if last > position {
                for later in stride(from: last, to: position, by: -1) {
                    let step = kernel(analysed[later] - analysed[later - 1])
                    backward = Self.normalised(step.backward(zip(likelihoods[later], backward).map(*)))
                }
            }
            result[analysed[position]] = readOut(Self.normalised(zip(forward[position], backward).map(*)))
        }
        return result
    }

    private static func normalised(_ values: [Double]) -> [Double] {
        let total = values.reduce(0, +)
        return total > 0 && total.isFinite ? values.map { $0 / total } : values.map { _ in 1 / Double(values.count) }
    }

    private func readOut(_ posterior: [Double]) -> (bpm: Double, confidence: Double) {
        var mode = 0
        for k in 1..<binCount where posterior[k] > posterior[mode] { mode = k }
        let reach = Int((Self.readoutHalfWidthBpm / binBpm).rounded(.down))
        var mass = 0.0
        var moment = 0.0
        for k in max(0, mode - reach)...min(binCount - 1, mode + reach) {
            mass += posterior[k]
            moment += posterior[k] * Double(k)
        }
        let bpm = firstBpm + (mass > 0 ? moment / mass : Double(mode)) * binBpm
        var inside = 0.0
        for k in 0..<binCount where abs(firstBpm + Double(k) * binBpm - bpm) <= settings.confidenceHalfWidthBpm { inside += posterior[k] }
        return (bpm, min(1, inside))
    }

    /// The step `K` over `n` shifts as weights by distance, above the jump floor `e^{−J}` that every pair of rates has.
    private struct Kernel {
        let floor: Double
        let rise: [Double]
        let fall: [Double]

        init(settings: RateTracker.Settings, binBpm: Double, binCount: Int, windows: Int) {
            let transition = RateTransition(riseSigmaBpm: settings.riseSigmaBpm, fallSigmaBpm: settings.fallSigmaBpm,
                                            jumpCost: settings.jumpCost, binBpm: binBpm, binCount: binCount, windows: windows)
            floor = Foundation.exp(-settings.jumpCost)
            rise = transition.risePenalty.map { max(0, Foundation.exp(-$0) - Foundation.exp(-settings.jumpCost)) }
            fall = transition.fallPenalty.map { max(0, Foundation.exp(-$0) - Foundation.exp(-settings.jumpCost)) }
        }

        /// `K x`: from rate `j` to rate `k`, a rise for `k ≥ j`.
        func forward(_ x: [Double]) -> [Double] {
            let count = x.count
            let base = floor * x.reduce(0, +)
            return (0..<count).map { k in
                var total = base
                for d in 0..<min(rise.count, k + 1) { total += rise[d] * x[k - d] }
                if fall.count > 1 { for d in 1..<min(fall.count, count - k) { total += fall[d] * x[k + d] } }
                return total
            }
        }

        /// `Kᵀ y`: the weight of each rate `j` reaching every later rate `k`.
        func backward(_ y: [Double]) -> [Double] {
            let count = y.count
            let base = floor * y.reduce(0, +)
            return (0..<count).map { j in
                var total = base
                for d in 0..<min(rise.count, count - j) { total += rise[d] * y[j + d] }
                if fall.count > 1 { for d in 1..<min(fall.count, j + 1) { total += fall[d] * y[j - d] } }
                return total
            }
        }
    }
}
