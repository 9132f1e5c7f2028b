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

    /// Number of whole windows in a group of `sampleCount` samples at `sampleRateHz`: the windows `k` with
    /// `startSample(ofWindow: k) + round(window · fs) ≤ sampleCount`.
    public func windowCount(sampleCount: Int, sampleRateHz: Double) -> Int {
        let windowSamples = samples(windowSeconds, at: sampleRateHz)
        let shift = shiftSeconds * sampleRateHz
        guard windowSamples > 0, shift >= 1, sampleCount >= windowSamples else { return 0 }
        var last = Int((Double(sampleCount - windowSamples) / shift).rounded(.down))
        while last > 0 && startSample(ofWindow: last, at: sampleRateHz) + windowSamples > sampleCount { last -= 1 }
        while startSample(ofWindow: last + 1, at: sampleRateHz) + windowSamples <= sampleCount { last += 1 }
        return last + 1
    }

    /// First sample of window `index` at `sampleRateHz`: `round(index · shift · fs)`, so that windows stay on
    /// time at rates where a shift is not a whole number of samples.
    public func startSample(ofWindow index: Int, at sampleRateHz: Double) -> Int {
        Int((Double(index) * shiftSeconds * sampleRateHz).rounded())
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
