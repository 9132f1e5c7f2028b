import PulseSignals

/// The classical heart-rate estimator: accelerometer-aware spectral analysis with tracking across windows
/// (the TROIKA / SpaMa / WFPV family).
///
/// Every channel is band-passed and resampled to `analysisRateHz`; each window then goes through
/// `SpectralTracker`, which weighs the PPG spectrum against the accelerometer spectrum (a Wiener gain over the
/// last few windows), masks the bins next to strong motion peaks, and follows the heart rate with a causal
/// Viterbi recursion over a grid of rates. See `SpectralTracker` for the maths.
public struct SpectralEstimator: HeartRateEstimator, Sendable {
    public let configuration: Configuration
    public let preprocessing: Preprocessing

    public init(configuration: Configuration = .standard, preprocessing: Preprocessing = .zeroPhase) {
        self.configuration = configuration
        self.preprocessing = preprocessing
    }

    public var name: String { preprocessing == .causal ? "spectral-causal" : "spectral" }

    /// Estimates every window of `recording`; windows that hold a NaN gap or a flat PPG (every channel constant)
    /// come back without an estimate.
    /// - Throws: `RecordingError` for a recording that fails validation or whose sample rates cannot hold the
    ///   band-pass (below twice its upper edge).
    public func estimate(_ recording: Recording, layout: WindowLayout) throws -> [WindowEstimate] {
        let results = try analyse(recording, layout: layout) { tracker, ppg, acc, elapsed in
            tracker.step(ppg: ppg, acc: acc, elapsedWindows: elapsed)
        }.windows
        return results.indices.map { index in
            WindowEstimate(index: index, endSeconds: layout.endSeconds(ofWindow: index), bpm: results[index]?.bpm,
                           confidence: results[index]?.confidence ?? 0, referenceBpm: recording.reference?.label(at: index))
        }
    }

    /// The evidence for each rate of `grid` in every window of `recording` (`SpectralTracker.evidence`) and the
    /// window's motion level (`SpectralTracker.motionLevel`), nil for a window that cannot be analysed; what
    /// `estimate` tracks.
    /// - Throws: as `estimate` does.
    public func evidence(_ recording: Recording, layout: WindowLayout) throws
        -> (grid: (firstBpm: Double, binBpm: Double, count: Int), windows: [(evidence: [Double], motionLevel: Double)?]) {
        try analyse(recording, layout: layout) { tracker, ppg, acc, elapsed in
            (tracker.evidence(ppg: ppg, acc: acc, elapsedWindows: elapsed), tracker.motionLevel)
        }
    }

    /// Conditions `recording` and runs `body` on each analysable window in turn with one `SpectralTracker`, the
    /// window's conditioned channels and the shifts since the last analysed window.
    private func analyse<T>(_ recording: Recording, layout: WindowLayout,
                            _ body: (SpectralTracker, [ArraySlice<Float>], [ArraySlice<Float>], Int) -> T) throws
        -> (grid: (firstBpm: Double, binBpm: Double, count: Int), windows: [T?]) {
        try recording.validate(source: recording.name, layout: layout)
        let lowestRateHz = 2 * configuration.bandPassHighHz
        for (field, rate) in [("fs_ppg", recording.ppg.sampleRateHz), ("fs_acc", recording.acc.sampleRateHz)] where rate <= lowestRateHz {
            throw RecordingError(path: recording.name, .cannotEstimate(
                "\(field) is \(rate) Hz, the spectral estimator needs more than \(lowestRateHz) Hz (twice its \(configuration.bandPassHighHz) Hz band edge)"))
        }
        let rate = configuration.analysisRateHz
        let (ppg, acc) = try SignalConditioner.condition(recording, configuration: configuration, preprocessing: preprocessing)
        let validity = recording.analysableWindows(layout)
        let windowSamples = layout.samples(layout.windowSeconds, at: rate)
        let available = min(ppg[0].count, acc[0].count)
        let tracker = try SpectralTracker(configuration: configuration, layout: layout)
        var results: [T?] = []
        results.reserveCapacity(validity.count)
        var lastAnalysed: Int?
        for index in validity.indices {
            let start = layout.startSample(ofWindow: index, at: rate)
            guard validity[index], start + windowSamples <= available else {
                results.append(nil)
                continue
            }
            let range = start..<(start + windowSamples)
            results.append(body(tracker, ppg.map { $0[range] }, acc.map { $0[range] }, index - (lastAnalysed ?? (index - 1))))
            lastAnalysed = index
        }
        return (tracker.grid, results)
    }
}
