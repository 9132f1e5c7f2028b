import PulseSignals

/// How the estimator's preprocessing runs: zero-phase band-pass and interpolated gaps over the whole recording
/// (offline only), or forward-only filtering and held gaps, as a stream must.
public enum Preprocessing: String, Sendable, CaseIterable {
    case zeroPhase
    case causal
}

/// Brings one group of channels (PPG or accelerometer) to the estimator's form: each channel scaled by a power of
/// two (the estimator is scale-invariant; `ChannelScale`, which also marks corrupt samples missing), NaN gaps
/// bridged (the windows that hold a NaN of the recording are reported invalid anyway), Butterworth band-pass at the source rate, then band-limited resampling to the analysis rate.
///
/// With `.causal` preprocessing, bridging and filtering use no later sample; only the resampler looks ahead,
/// by its half-width (`Resampler.zeroCrossings` lobes: under 0.3 s at 25 Hz), which a stream pays as latency.
public struct SignalConditioner: Sendable {
    public let sourceRateHz: Double
    public let targetRateHz: Double
    public let preprocessing: Preprocessing
    /// The band-pass at the source rate.
    public let filter: SecondOrderSections
    /// The resampler from the source rate to the analysis rate.
    public let resampler: Resampler

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

    /// Conditions the PPG and accelerometer groups of `recording`, each from its own rate.
    /// - Throws: `DSPError` when the band does not fit below a group's Nyquist frequency.
    public static func condition(
        _ recording: Recording, configuration: SpectralEstimator.Configuration, preprocessing: Preprocessing
    ) throws -> (ppg: [[Float]], acc: [[Float]]) {
        (try SignalConditioner(sourceRateHz: recording.ppg.sampleRateHz, configuration: configuration, preprocessing: preprocessing)
            .condition(recording.ppg.channels),
         try SignalConditioner(sourceRateHz: recording.acc.sampleRateHz, configuration: configuration, preprocessing: preprocessing)
            .condition(recording.acc.channels))
    }

    /// Conditions every channel of a group.
    public func condition(_ channels: [[Float]]) -> [[Float]] {
        channels.map { channel in
            let scale = ChannelScale(of: channel)
            let prepared = Self.bridgingGaps(channel.map(scale.apply), causal: preprocessing == .causal)
            let filtered: [Float]
            switch preprocessing {
            case .zeroPhase:
                filtered = filter.filtfilt(prepared)
            case .causal:
                var causal = CausalFilter(filter)
                filtered = causal.process(prepared)
            }
            return resampler.resample(filtered)
        }
    }

    /// `signal` with each run of NaN bridged. Offline (`causal == false`) a gap becomes the straight line between
    /// its neighbours; causally it holds the last value before it, as a stream must. A gap at the start takes the
    /// first value after it (a stream simply starts there); an all-NaN signal becomes zeros.
    public static func bridgingGaps(_ signal: [Float], causal: Bool) -> [Float] {
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
                case let (b?, a?) where !causal:
                    let fraction = Float(i - start + 1) / Float(index - start + 1)
                    result[i] = b + (a - b) * fraction
                case let (b?, _): result[i] = b
                case let (nil, a?): result[i] = a
                case (nil, nil): result[i] = 0
                }
            }
        }
        return result
    }
}
