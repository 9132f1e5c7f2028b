/// Channels sampled together at one rate: the PPG channels of a device, or its accelerometer axes.
public struct SignalGroup: Sendable, Equatable {
    /// One array of samples per channel; every channel has the same length.
    public var channels: [[Float]]
    /// Samples per second of every channel in the group.
    public var sampleRateHz: Double

    public init(channels: [[Float]], sampleRateHz: Double) {
        self.channels = channels
        self.sampleRateHz = sampleRateHz
    }

    /// Number of channels.
    public var channelCount: Int { channels.count }

    /// Samples per channel (0 for a group without channels).
    public var sampleCount: Int { channels.first?.count ?? 0 }

    /// Length of the group in seconds: `sampleCount / sampleRateHz`.
    public var durationSeconds: Double {
        sampleRateHz > 0 ? Double(sampleCount) / sampleRateHz : 0
    }
}
