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
/// 5. Viterbi over rates `h` in `[min, max]`: `D_t(h) = log(E(h) + ε) − λ · max(0, h_low − h)
///    + max( max_h' D_{t−1}(h') − (h − h')² / 2σ², max_h' D_{t−1}(h') − J )`, with `σ = σ_rise` for `h ≥ h'` and
///    `σ_fall` otherwise. The estimate is the arg-max of `D_t`, refined by a parabola through its neighbours; the
///    confidence is the share of `exp(D_t)` within `±c` BPM of it.
public final class SpectralTracker {
    public let configuration: SpectralEstimator.Configuration
    private let fft: RealFFT
    private let taper: [Float]
    private let firstBin: Int
    private let binCount: Int
    private let binBpm: Double
    private let historyLength: Int
    /// The transition between consecutive windows (the usual case; wider ones are made after gaps).
    private let transition: RateTransition
    /// The low-rate prior of each bin (nats, ≤ 0).
    private let prior: [Double]

    private var ppgHistory: [[Float]] = []
    private var accHistory: [[Float]] = []
    private var scores: [Double]?
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
        transition = RateTransition(
            riseSigmaBpm: configuration.riseSigmaBpm, fallSigmaBpm: configuration.fallSigmaBpm,
            jumpCost: configuration.jumpCost, binBpm: binBpm, binCount: binCount, windows: 1)
        let firstBin = self.firstBin
        prior = (0..<binCount).map { k in
            -configuration.lowRatePriorNatsPerBpm * max(0, configuration.lowRatePriorBpm - Double(firstBin + k) * binBpm)
        }
        power = [Float](repeating: 0, count: fft.binCount)
        segment = [Float](repeating: 0, count: windowSamples)
    }

    /// Heart rate (BPM) and confidence (0…1) for the next window.
    /// - Parameter elapsedWindows: shifts since the last window analysed (more than 1 after windows that could not
    ///   be): the tracker lets the rate move further, and forgets spectra older than its Wiener span.
    /// - Precondition: at least one PPG channel and one accelerometer axis, each of `windowSamples` samples;
    ///   traps otherwise.
    public func step<C: RandomAccessCollection>(ppg: [C], acc: [C], elapsedWindows: Int = 1) -> (bpm: Double, confidence: Double)
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
        let evidence = motionWeightedEvidence(ppgSpectrum, accSpectrum)
        let step = elapsedWindows <= 1 ? transition : RateTransition(
            riseSigmaBpm: configuration.riseSigmaBpm, fallSigmaBpm: configuration.fallSigmaBpm,
            jumpCost: configuration.jumpCost, binBpm: binBpm, binCount: binCount, windows: elapsedWindows)
        let next = viterbiStep(evidence, transition: step)
        scores = next
        return readOut(next)
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
        guard peak > 0 else { return spectrum }
        let flatness = Double(spectrum.reduce(0, +)) / Double(spectrum.count) / Double(peak)
        let range = configuration.motionFlatnessRange
        let weight = Float(min(1, max(0, (range.upperBound - flatness) / (range.upperBound - range.lowerBound))))
        return spectrum.map { $0 * weight }
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

    /// One step of the max-product recursion, normalised so that its maximum is 0.
    private func viterbiStep(_ evidence: [Double], transition: RateTransition) -> [Double] {
        let c = configuration
        var next = (0..<binCount).map { log(evidence[$0] + c.evidenceFloor) + prior[$0] }
        if let previous = scores {
            // The previous scores peak at 0, so a jump from the best rate costs exactly `jumpCost`.
            let jump = -c.jumpCost
            for k in 0..<binCount {
                var best = jump
                // From j ≤ k the rate rose by k − j bins; from j > k it fell by j − k.
                for j in max(0, k - transition.riseReach)...k { best = max(best, previous[j] - transition.risePenalty[k - j]) }
                if k + 1 < binCount {
                    for j in (k + 1)...min(binCount - 1, k + transition.fallReach) {
                        best = max(best, previous[j] - transition.fallPenalty[j - k])
                    }
                }
                next[k] += best
            }
        }
        let peak = next.max() ?? 0
        return next.map { $0 - peak }
    }

    private func readOut(_ scores: [Double]) -> (bpm: Double, confidence: Double) {
        var best = 0
        for k in 1..<binCount where scores[k] > scores[best] { best = k }
        var offset = 0.0
        if best > 0 && best < binCount - 1 {
            let (a, b, c) = (scores[best - 1], scores[best], scores[best + 1])
            let curvature = a - 2 * b + c
            if curvature < 0 { offset = min(0.5, max(-0.5, 0.5 * (a - c) / curvature)) }
        }
        let bpm = (Double(firstBin + best) + offset) * binBpm
        var inside = 0.0
        var total = 0.0
        for k in 0..<binCount {
            let weight = exp(scores[k])
            total += weight
            if abs(Double(firstBin + k) * binBpm - bpm) <= configuration.confidenceHalfWidthBpm { inside += weight }
        }
        return (bpm, total > 0 ? inside / total : 0)
    }
}
