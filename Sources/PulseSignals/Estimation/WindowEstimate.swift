/// The heart rate estimated for one analysis window.
public struct WindowEstimate: Sendable, Equatable {
    /// Window number, from 0.
    public var index: Int
    /// End of the window in seconds from the start of the recording.
    public var endSeconds: Double
    /// Estimated heart rate; `nil` when the window could not be analysed (a gap in the signal).
    public var bpm: Double?
    /// How much the estimate can be trusted, from 0 (a guess) to 1.
    public var confidence: Double
    /// The reference heart rate of the window, where the recording carries one.
    public var referenceBpm: Double?

    /// An estimate; a rate or reference that is not finite counts as none (and such a window's confidence as 0),
    /// so that no output can call a window valid without a number for it.
    public init(index: Int, endSeconds: Double, bpm: Double?, confidence: Double, referenceBpm: Double?) {
        self.index = index
        self.endSeconds = endSeconds
        self.bpm = bpm.flatMap { $0.isFinite ? $0 : nil }
        self.confidence = self.bpm == nil && bpm != nil ? 0 : confidence
        self.referenceBpm = referenceBpm.flatMap { $0.isFinite ? $0 : nil }
    }

    /// Whether the window held valid samples and got an estimate.
    public var isValid: Bool { bpm != nil }

    /// `|estimate − reference|` where both exist.
    public var absoluteErrorBpm: Double? {
        guard let bpm, let referenceBpm else { return nil }
        return abs(bpm - referenceBpm)
    }
}
