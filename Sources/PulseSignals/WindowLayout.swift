/// How a recording is cut into analysis windows: `windowSeconds` long, one every `shiftSeconds`.
public struct WindowLayout: Sendable, Equatable, Codable {
    public var windowSeconds: Double
    public var shiftSeconds: Double

    /// The layout of the shared data and of most published work: 8 s windows every 2 s.
    public static let standard = WindowLayout(windowSeconds: 8, shiftSeconds: 2)

    public init(windowSeconds: Double, shiftSeconds: Double) {
        self.windowSeconds = windowSeconds
        self.shiftSeconds = shiftSeconds
    }

    /// Number of whole windows in `durationSeconds`: `floor((duration - window) / shift) + 1`, or 0.
    public func windowCount(durationSeconds: Double) -> Int {
        guard durationSeconds >= windowSeconds, shiftSeconds > 0 else { return 0 }
        // The small tolerance keeps a duration of exactly k shifts from losing a window to rounding.
        return Int(((durationSeconds - windowSeconds) / shiftSeconds + 1e-9).rounded(.down)) + 1
    }

    /// Number of whole windows in a group of `sampleCount` samples at `sampleRateHz`, counted in samples
    /// so that window `k` is `[k * shift * fs, k * shift * fs + window * fs)` exactly.
    public func windowCount(sampleCount: Int, sampleRateHz: Double) -> Int {
        let windowSamples = samples(windowSeconds, at: sampleRateHz)
        let shiftSamples = samples(shiftSeconds, at: sampleRateHz)
        guard windowSamples > 0, shiftSamples > 0, sampleCount >= windowSamples else { return 0 }
        return (sampleCount - windowSamples) / shiftSamples + 1
    }

    /// First sample of window `index` at `sampleRateHz`.
    public func startSample(ofWindow index: Int, at sampleRateHz: Double) -> Int {
        index * samples(shiftSeconds, at: sampleRateHz)
    }

    /// Time of the end of window `index`, in seconds from the start of the recording.
    public func endSeconds(ofWindow index: Int) -> Double {
        Double(index) * shiftSeconds + windowSeconds
    }

    /// `seconds * rate` rounded to the nearest sample.
    public func samples(_ seconds: Double, at sampleRateHz: Double) -> Int {
        Int((seconds * sampleRateHz).rounded())
    }
}
