import Foundation
import PulseSignals

/// The per-window core of the spectral estimator, causal and stateful: feed it consecutive windows of
/// conditioned signals, get a heart rate and a confidence for each.
///
/// For window `t` with PPG channels `p_c` and accelerometer axes `a_c` (each `L` samples):
/// 1. Spectra: `S(f) = mean_c |FFT(hann · (x_c − x̄_c))|² / max_band |…|²`, computed for PPG (`Sp`) and
///    accelerometer (`Sa`).
/// 2. Motion weight: `Sa` is multiplied by `μ = clamp((φ₁ − φ) / (φ₁ − φ₀), 0, 1)`, where the flatness `φ` is the
///    mean of `Sa` over its maximum in the band; a flat spectrum is sensor noise (a wrist at rest), not motion.
/// 3. Wiener gain over the last `m` windows: `G = P̄ / (P̄ + Ā)` with `P̄`, `Ā` the means of `Sp`, `μ·Sa`;
///    evidence `E = Sp · G^γ`.
/// 4. Motion mask: `E` is scaled by its maximum over the band, then, around every local maximum of `μ·Sa` of at
///    least `ρ`, evidence within `±w` BPM is replaced by a neutral level `η`.
/// 5. `RateTracker` follows the rate with `log(E + ε)` as each window's log-likelihood.
public final class SpectralTracker {
    public let configuration: SpectralEstimator.Configuration
    private let fft: RealFFT
    private let taper: [Float]
    private let firstBin: Int
    private let binCount: Int
    private let binBpm: Double
    private let historyLength: Int
    private let tracker: RateTracker

    private var ppgHistory: [[Float]] = []
    private var accHistory: [[Float]] = []
    private var power: [Float]
    private var segment: [Float]

    /// - Parameters:
    ///   - windowSamples: samples per window at the analysis rate.
    ///   - shiftSeconds: time between consecutive windows, which sets how many form the Wiener averages.
    /// - Throws: `DSPError` when a rate, resolution or shift is not positive, the window is longer than the FFT,
    ///   or the rate band is empty.
    public init(configuration: SpectralEstimator.Configuration, windowSamples: Int, shiftSeconds: Double) throws {
        self.configuration = configuration
        for (name, value) in [("analysis rate", configuration.analysisRateHz), ("spectral resolution", configuration.spectralResolutionHz),
                              ("window shift", shiftSeconds)] where !(value.isFinite && value > 0) {
            throw DSPError("\(name) must be positive and finite (got \(value))")
        }
        let fftLength = Int((configuration.analysisRateHz / configuration.spectralResolutionHz).rounded())
        guard windowSamples >= 2, windowSamples <= fftLength else {
            throw DSPError("window of \(windowSamples) samples does not fit an FFT of \(fftLength)")
        }
        fft = try RealFFT(length: fftLength)
        taper = SpectralWindow.hann.coefficients(windowSamples)
        let binBpm = configuration.analysisRateHz / Double(fftLength) * 60
        self.binBpm = binBpm
        firstBin = Int((configuration.minimumBpm / binBpm).rounded(.up))
        let lastBin = min(Int((configuration.maximumBpm / binBpm).rounded(.down)), fftLength / 2)
        guard lastBin > firstBin else { throw DSPError("heart-rate band \(configuration.minimumBpm)–\(configuration.maximumBpm) BPM is empty") }
        let binCount = lastBin - firstBin + 1
        self.binCount = binCount
        historyLength = max(1, Int((configuration.wienerAverageSeconds / shiftSeconds).rounded()))
        tracker = try RateTracker(firstBpm: Double(firstBin) * binBpm, binBpm: binBpm, binCount: binCount,
                                  settings: configuration.trackerSettings)
        power = [Float](repeating: 0, count: fft.binCount)
        segment = [Float](repeating: 0, count: windowSamples)
    }

    /// A tracker for the windows of `layout` at the configuration's analysis rate.
    /// - Throws: `DSPError` as the designated initialiser does.
    public convenience init(configuration: SpectralEstimator.Configuration, layout: WindowLayout) throws {
        try self.init(configuration: configuration, windowSamples: layout.samples(layout.windowSeconds, at: configuration.analysisRateHz),
                      shiftSeconds: layout.shiftSeconds)
    }

    /// Samples per window at the analysis rate.
    public var windowSamples: Int { segment.count }

    /// Heart rate (BPM) and confidence (0…1) for the next window.
    /// - Parameter elapsedWindows: shifts since the last window analysed (more than 1 after windows that could not
    ///   be): the tracker lets the rate move further, and forgets spectra older than its Wiener span.
    /// - Precondition: at least one PPG channel and one accelerometer axis, each of `windowSamples` samples;
    ///   traps otherwise.
    public func step<C: RandomAccessCollection>(ppg: [C], acc: [C], elapsedWindows: Int = 1) -> (bpm: Double, confidence: Double)
    where C.Element == Float, C.Index == Int {
        let evidence = evidence(ppg: ppg, acc: acc, elapsedWindows: elapsedWindows)
        return tracker.step(logLikelihood: evidence.map { log($0 + configuration.evidenceFloor) }, elapsedWindows: elapsedWindows)
    }

    /// The motion weight `μ` (0…1) of the last window: 0 where the accelerometer spectrum is flat (a wrist at rest),
    /// 1 where it looks like motion.
    public private(set) var motionLevel = 0.0

    /// The first rate of the evidence grid and the spacing of its bins, in BPM.
    public var grid: (firstBpm: Double, binBpm: Double, count: Int) { (Double(firstBin) * binBpm, binBpm, binCount) }

    /// The evidence for each rate of `grid` in the next window (steps 1–4, without tracking): 0…1, masked bins at
    /// the configuration's neutral level. Updates the Wiener history as `step` does.
    /// - Precondition: as for `step`.
    public func evidence<C: RandomAccessCollection>(ppg: [C], acc: [C], elapsedWindows: Int = 1) -> [Double]
    where C.Element == Float, C.Index == Int {
        precondition(!ppg.isEmpty && !acc.isEmpty, "the tracker needs PPG and accelerometer channels")
        precondition((ppg + acc).allSatisfy { $0.count == segment.count }, "every channel must hold \(segment.count) samples")
        if elapsedWindows > historyLength {
            ppgHistory = []
            accHistory = []
        }
        let ppgSpectrum = normalisedSpectrum(ppg)
        let accSpectrum = motionWeighted(normalisedSpectrum(acc))
        append(ppgSpectrum, to: &ppgHistory)
        append(accSpectrum, to: &accHistory)
        return motionWeightedEvidence(ppgSpectrum, accSpectrum)
    }

    private func append(_ spectrum: [Float], to history: inout [[Float]]) {
        history.append(spectrum)
        if history.count > historyLength { history.removeFirst(history.count - historyLength) }
    }

    /// Mean over channels of each channel's power spectrum in the rate band (mean removed, Hann taper), each
    /// scaled to a maximum of 1.
    private func normalisedSpectrum<C: RandomAccessCollection>(_ channels: [C]) -> [Float]
    where C.Element == Float, C.Index == Int {
        var mean = [Float](repeating: 0, count: binCount)
        for channel in channels {
            let average = Float(channel.reduce(0.0) { $0 + Double($1) } / Double(channel.count))
            var index = channel.startIndex
            for n in 0..<segment.count {
                segment[n] = (channel[index] - average) * taper[n]
                index += 1
            }
            segment.withUnsafeBufferPointer { s in power.withUnsafeMutableBufferPointer { fft.powerSpectrum(s, into: $0) } }
            var peak: Float = 0
            for k in 0..<binCount { peak = max(peak, power[firstBin + k]) }
            let norm = peak > 0 ? 1 / peak : 1
            for k in 0..<binCount { mean[k] += power[firstBin + k] * norm }
        }
        let share = 1 / Float(channels.count)
        for k in 0..<binCount { mean[k] *= share }
        return mean
    }

    /// The accelerometer spectrum scaled by how much it looks like motion rather than sensor noise.
    private func motionWeighted(_ spectrum: [Float]) -> [Float] {
        let peak = spectrum.max() ?? 0
        guard peak > 0 else {
            motionLevel = 0
            return spectrum
        }
        let flatness = Double(spectrum.reduce(0, +)) / Double(spectrum.count) / Double(peak)
        let range = configuration.motionFlatnessRange
        let weight = min(1, max(0, (range.upperBound - flatness) / (range.upperBound - range.lowerBound)))
        motionLevel = weight
        return spectrum.map { $0 * Float(weight) }
    }

    /// Evidence for each rate: the PPG spectrum under the Wiener gain, with strong motion peaks masked.
    private func motionWeightedEvidence(_ ppg: [Float], _ acc: [Float]) -> [Double] {
        let c = configuration
        var evidence = [Double](repeating: 0, count: binCount)
        let historyScale = 1 / Double(ppgHistory.count)
        for k in 0..<binCount {
            var ppgMean = 0.0
            var accMean = 0.0
            for spectrum in ppgHistory { ppgMean += Double(spectrum[k]) }
            for spectrum in accHistory { accMean += Double(spectrum[k]) }
            ppgMean *= historyScale
            accMean *= historyScale
            let gain = ppgMean / (ppgMean + accMean + 1e-12)
            evidence[k] = Double(ppg[k]) * pow(gain, c.wienerExponent)
        }
        var masked = [Bool](repeating: false, count: binCount)
        let reach = Int((c.motionMaskHalfWidthBpm / binBpm).rounded(.down))
        if binCount >= 3 {
            for k in 1..<(binCount - 1) where acc[k] > acc[k - 1] && acc[k] >= acc[k + 1] && Double(acc[k]) >= c.motionPeakShare {
                for j in max(0, k - reach)...min(binCount - 1, k + reach) { masked[j] = true }
            }
        }
        let strongest = evidence.max() ?? 0
        for k in 0..<binCount {
            evidence[k] = masked[k] ? c.maskedEvidence : (strongest > 0 ? evidence[k] / strongest : 0)
        }
        return evidence
    }
}
