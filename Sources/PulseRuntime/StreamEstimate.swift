/// One estimate of a heart-rate stream.
public struct StreamEstimate: Sendable, Equatable {
    /// Window number, from 0 at the stream's first sample.
    public var index: Int
    /// End of the window, on the timestamps' clock (seconds).
    public var endSeconds: Double
    /// The heart rate; `nil` for a window that could not be analysed (unless held).
    public var bpm: Double?
    /// How much the estimate can be trusted, from 0 to 1 (0 for a held or missing estimate).
    public var confidence: Double
    public var flags: WindowFlags
    /// Wall time from the call that delivered the window's last sample to the estimate (seconds).
    public var latencySeconds: Double
}

/// What a stream says for a window that cannot be analysed.
public enum InvalidWindowPolicy: String, Sendable, CaseIterable {
    /// No heart rate.
    case omit
    /// The last heart rate, flagged `held`, with confidence 0.
    case hold
}
