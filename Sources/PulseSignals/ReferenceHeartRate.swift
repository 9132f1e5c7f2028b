/// Reference heart rate (from ECG) per analysis window, as distributed with a recording.
///
/// Window `k` covers the time `[k * shiftSeconds, k * shiftSeconds + windowSeconds)`. A label of 0 or
/// NaN marks a window without reference.
public struct ReferenceHeartRate: Sendable, Equatable {
    public var bpm: [Float]
    public var windowSeconds: Double
    public var shiftSeconds: Double

    public init(bpm: [Float], windowSeconds: Double, shiftSeconds: Double) {
        self.bpm = bpm
        self.windowSeconds = windowSeconds
        self.shiftSeconds = shiftSeconds
    }

    /// The label of window `index`, or `nil` where there is none (out of range, 0, NaN or infinite).
    public func label(at index: Int) -> Double? {
        guard index >= 0, index < bpm.count else { return nil }
        let value = bpm[index]
        guard value.isFinite, value > 0 else { return nil }
        return Double(value)
    }
}
