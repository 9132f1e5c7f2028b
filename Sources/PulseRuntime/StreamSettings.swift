import PulseSignals

/// How a heart-rate stream is laid out and how it copes with faults.
public struct StreamSettings: Sendable {
    public var layout: WindowLayout = .standard
    public var ppgRateHz: Double
    public var accRateHz: Double
    public var ppgChannels: Int
    public var accChannels: Int
    public var invalidWindows: InvalidWindowPolicy = .omit
    /// How far (seconds) one group may run ahead of the other, over two of its pushes, before the other is taken
    /// as silent and gap-filled.
    public var maximumSkewSeconds = 30.0
    /// The longest timestamp gap filled with NaN (seconds); a longer jump is a broken clock and stops the stream.
    public var maximumGapSeconds = 600.0
    /// The most samples one gap may fill, per group: at high rates a gap within `maximumGapSeconds` could still be
    /// hundreds of millions of samples (600 s at 1 MHz), which a stream refuses rather than spend minutes filling.
    public var maximumGapSamples = 1 << 22
    /// A channel that sits at its window's maximum or minimum for this share of the window's samples is saturated.
    public var saturationShare = 0.05

    public init(ppgRateHz: Double, accRateHz: Double, ppgChannels: Int, accChannels: Int = 3) {
        self.ppgRateHz = ppgRateHz
        self.accRateHz = accRateHz
        self.ppgChannels = ppgChannels
        self.accChannels = accChannels
    }

    /// The settings that stream `recording` as it was recorded.
    public init(for recording: Recording) {
        self.init(ppgRateHz: recording.ppg.sampleRateHz, accRateHz: recording.acc.sampleRateHz,
                  ppgChannels: recording.ppg.channelCount, accChannels: recording.acc.channelCount)
    }
}
