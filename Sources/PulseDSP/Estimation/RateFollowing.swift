/// How an estimator follows the rate across a recording's windows, given each window's log-likelihood of every rate.
public enum RateFollowing: Sendable, Hashable, CustomStringConvertible {
    /// `RateTracker`'s Viterbi recursion: window `t`'s estimate uses the windows up to `t` only, as a stream's.
    case causal
    /// `RateSmoother` with a lag of `windows`: window `t`'s estimate uses the windows up to `t + windows`, so a stream
    /// would report it that many shifts late.
    case fixedLag(windows: Int)

    /// The lag in windows (0 when causal).
    public var lagWindows: Int {
        switch self {
        case .causal: 0
        case let .fixedLag(windows): windows
        }
    }

    /// `causal` or `lag N`.
    public var description: String {
        switch self {
        case .causal: "causal"
        case let .fixedLag(windows): "lag \(windows)"
        }
    }

    /// The rate (BPM) and confidence of every window whose log-likelihoods over the grid `firstBpm + k · binBpm`
    /// (`binCount` rates) are given; nil for the windows given as nil, which count as elapsed shifts only.
    /// - Throws: `DSPError` when the grid, the settings or the lag are invalid.
    /// - Precondition: each given row has `binCount` finite values; traps on a wrong count.
    public func follow(_ logLikelihoods: [[Double]?], firstBpm: Double, binBpm: Double, binCount: Int,
                       settings: RateTracker.Settings) throws -> [(bpm: Double, confidence: Double)?] {
        switch self {
        case .causal:
            let tracker = try RateTracker(firstBpm: firstBpm, binBpm: binBpm, binCount: binCount, settings: settings)
            var previous: Int?
            return logLikelihoods.indices.map { index in
                guard let row = logLikelihoods[index] else { return nil }
                defer { previous = index }
                return tracker.step(logLikelihood: row, elapsedWindows: index - (previous ?? (index - 1)))
            }
        case let .fixedLag(windows):
            return try RateSmoother(firstBpm: firstBpm, binBpm: binBpm, binCount: binCount, settings: settings, lagWindows: windows)
                .smooth(logLikelihoods)
        }
    }
}
