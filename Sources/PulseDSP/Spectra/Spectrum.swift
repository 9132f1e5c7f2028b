import Foundation

/// Taper applied to each segment before its FFT.
public enum SpectralWindow: Sendable, Equatable {
    case rectangular
    /// Periodic Hann, `w[n] = 0.5 − 0.5 cos(2πn / N)` (SciPy's `get_window('hann', N)`).
    case hann

    /// The `count` coefficients of the window.
    public func coefficients(_ count: Int) -> [Float] {
        (0..<count).map { n in
            let phase = 2 * Double.pi * Double(n) / Double(count)
            switch self {
            case .rectangular: return 1
            case .hann: return Float(0.5 - 0.5 * cos(phase))
            }
        }
    }
}

/// A one-sided power spectral density: `density[k]` in units² / Hz at `frequencyHz(k) = k · fs / nfft`.
public struct PowerSpectrum: Sendable, Equatable {
    public var density: [Float]
    /// Spacing of the bins, `fs / nfft`.
    public var resolutionHz: Double

    public func frequencyHz(_ bin: Int) -> Double { Double(bin) * resolutionHz }
}

extension PowerSpectrum {
    /// The periodogram of `signal`, each segment tapered by `window` and zero-padded to `fftLength` (the
    /// signal's length by default): `P[k] = c |Σ w[n] x[n] e^{−2πikn/N}|² / (fs Σ w[n]²)`, with `c = 2` for
    /// bins other than 0 and N/2 (the one-sided fold), SciPy's `periodogram(..., scaling='density')`.
    /// The mean is not removed.
    /// - Throws: `DSPError` for an empty signal, a bad rate, or `fftLength` shorter than the signal.
    public static func periodogram(
        _ signal: [Float], sampleRateHz: Double, window: SpectralWindow = .hann, fftLength: Int? = nil
    ) throws -> PowerSpectrum {
        try welch(signal, sampleRateHz: sampleRateHz, segmentLength: signal.count, overlap: 0,
                  window: window, fftLength: fftLength)
    }

    /// Welch's average of periodograms over segments of `segmentLength` samples that overlap by `overlap`
    /// samples (SciPy's `welch(..., detrend=False)`). Trailing samples that do not fill a segment are unused.
    /// - Throws: `DSPError` when the segment does not fit the signal or the overlap is not below it.
    public static func welch(
        _ signal: [Float], sampleRateHz: Double, segmentLength: Int, overlap: Int,
        window: SpectralWindow = .hann, fftLength: Int? = nil
    ) throws -> PowerSpectrum {
        guard sampleRateHz.isFinite, sampleRateHz > 0 else { throw DSPError("sample rate must be positive (got \(sampleRateHz) Hz)") }
        guard segmentLength >= 2, segmentLength <= signal.count else {
            throw DSPError("segment of \(segmentLength) samples does not fit a signal of \(signal.count)")
        }
        guard overlap >= 0, overlap < segmentLength else { throw DSPError("overlap \(overlap) must be below the segment length \(segmentLength)") }
        let length = fftLength ?? segmentLength
        guard length >= segmentLength else { throw DSPError("FFT length \(length) is shorter than the segment \(segmentLength)") }
        let fft = try RealFFT(length: length)
        let taper = window.coefficients(segmentLength)
        let energy = taper.reduce(0.0) { $0 + Double($1 * $1) }
        var density = [Double](repeating: 0, count: fft.binCount)
        var power = [Float](repeating: 0, count: fft.binCount)
        var segment = [Float](repeating: 0, count: segmentLength)
        var segments = 0
        for start in stride(from: 0, through: signal.count - segmentLength, by: segmentLength - overlap) {
            for n in 0..<segmentLength { segment[n] = signal[start + n] * taper[n] }
            segment.withUnsafeBufferPointer { s in power.withUnsafeMutableBufferPointer { fft.powerSpectrum(s, into: $0) } }
            for k in density.indices { density[k] += Double(power[k]) }
            segments += 1
        }
        let scale = 1 / (sampleRateHz * energy * Double(segments))
        let result = density.enumerated().map { k, value -> Float in
            let fold = (k == 0 || (length % 2 == 0 && k == length / 2)) ? 1.0 : 2.0
            return Float(value * scale * fold)
        }
        return PowerSpectrum(density: result, resolutionHz: sampleRateHz / Double(length))
    }
}
