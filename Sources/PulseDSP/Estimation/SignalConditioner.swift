/// How the estimator's band-pass runs: both directions over the whole recording (no delay, offline only),
/// or forward only, as a stream must.
public enum Preprocessing: String, Sendable, CaseIterable {
    case zeroPhase
    case causal
}

/// Brings one group of channels (PPG or accelerometer) to the estimator's form: NaN gaps bridged by straight
/// lines (the windows that hold them are reported invalid anyway), each channel scaled to a peak magnitude
/// of 1 (so that counts near Float's limits or denormal values neither overflow nor vanish; the estimator is
/// scale-invariant), Butterworth band-pass at the source rate, then band-limited resampling to the analysis rate.
public struct SignalConditioner: Sendable {
    public let sourceRateHz: Double
    public let targetRateHz: Double
    public let preprocessing: Preprocessing
    private let filter: SecondOrderSections
    private let resampler: Resampler

    /// - Throws: `DSPError` when the band does not fit below the source rate's Nyquist frequency.
    public init(sourceRateHz: Double, configuration: SpectralEstimator.Configuration, preprocessing: Preprocessing) throws {
        self.sourceRateHz = sourceRateHz
        self.targetRateHz = configuration.analysisRateHz
        self.preprocessing = preprocessing
        filter = try Butterworth.design(
            order: configuration.bandPassOrder,
            band: .bandPass(lowHz: configuration.bandPassLowHz, highHz: configuration.bandPassHighHz),
            sampleRateHz: sourceRateHz)
        resampler = try Resampler(fromHz: sourceRateHz, toHz: configuration.analysisRateHz)
    }

    /// Conditions every channel of a group.
    public func condition(_ channels: [[Float]]) -> [[Float]] {
        channels.map { channel in
            let bridged = Self.scaledToUnitPeak(Self.bridgingGaps(channel))
            let filtered: [Float]
            switch preprocessing {
            case .zeroPhase:
                filtered = filter.filtfilt(bridged)
            case .causal:
                var causal = CausalFilter(filter)
                filtered = causal.process(bridged)
            }
            return resampler.resample(filtered)
        }
    }

    /// `signal` divided by its largest magnitude (computed in Double); an all-zero signal is returned as is.
    static func scaledToUnitPeak(_ signal: [Float]) -> [Float] {
        let peak = signal.reduce(0.0) { max($0, Double(abs($1))) }
        guard peak > 0, peak.isFinite else { return signal }
        return signal.map { Float(Double($0) / peak) }
    }

    /// `signal` with each run of NaN replaced by the straight line between its neighbours (or the nearest
    /// value at either end; zeros when the whole signal is NaN).
    public static func bridgingGaps(_ signal: [Float]) -> [Float] {
        guard signal.contains(where: { $0.isNaN }) else { return signal }
        var result = signal
        var index = 0
        while index < result.count {
            guard result[index].isNaN else { index += 1; continue }
            let start = index
            while index < result.count && result[index].isNaN { index += 1 }
            let before: Float? = start > 0 ? result[start - 1] : nil
            let after: Float? = index < result.count ? result[index] : nil
            for i in start..<index {
                switch (before, after) {
                case let (b?, a?):
                    let fraction = Float(i - start + 1) / Float(index - start + 1)
                    result[i] = b + (a - b) * fraction
                case let (b?, nil): result[i] = b
                case let (nil, a?): result[i] = a
                case (nil, nil): result[i] = 0
                }
            }
        }
        return result
    }
}
