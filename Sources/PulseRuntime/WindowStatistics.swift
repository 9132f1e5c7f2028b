/// What a stream has seen of one channel inside one window: enough to tell NaN, a constant channel and
/// clipping apart, in constant memory.
struct ChannelStatistics {
    private(set) var hasNaN = false
    private var first: Float?
    private(set) var isConstant = true
    private var maximum = -Float.infinity
    private var minimum = Float.infinity
    private var atMaximum = 0
    private var atMinimum = 0

    mutating func add(_ value: Float) {
        guard !value.isNaN else { hasNaN = true; return }
        if let first { if value != first { isConstant = false } } else { first = value }
        if value > maximum { (maximum, atMaximum) = (value, 1) } else if value == maximum { atMaximum += 1 }
        if value < minimum { (minimum, atMinimum) = (value, 1) } else if value == minimum { atMinimum += 1 }
    }

    /// Whether the channel varied yet sat at its maximum or minimum for at least `samples` samples.
    func isClipped(samples: Int) -> Bool { !isConstant && max(atMaximum, atMinimum) >= samples }
}

/// One window of a stream while it fills: per group, the samples placed and each channel's statistics, and the
/// faults met on the way.
struct WindowStatistics {
    let index: Int
    var flags: WindowFlags = []
    var placed: [Int]
    var channels: [[ChannelStatistics]]

    init(index: Int, channelCounts: [Int]) {
        self.index = index
        placed = channelCounts.map { _ in 0 }
        channels = channelCounts.map { Array(repeating: ChannelStatistics(), count: $0) }
    }

    /// Whether the window holds a NaN (received or filled in for a gap) in any channel.
    var hasNaN: Bool { channels.contains { $0.contains(where: \.hasNaN) } }

    /// The flags its statistics raise: `flat` when every PPG channel (group 0) is constant, `dropout` when some
    /// other channel is, `saturated` when a channel sat at an extreme for `clippedSamples[group]` samples.
    func signalFlags(clippedSamples: [Int]) -> WindowFlags {
        var result: WindowFlags = []
        let ppg = channels[0]
        if ppg.allSatisfy({ $0.isConstant }) { result.insert(.flat) } else if ppg.contains(where: { $0.isConstant }) { result.insert(.dropout) }
        if channels.dropFirst().contains(where: { $0.contains(where: \.isConstant) }) { result.insert(.dropout) }
        for (group, statistics) in channels.enumerated() where statistics.contains(where: { $0.isClipped(samples: clippedSamples[group]) }) {
            result.insert(.saturated)
        }
        return result
    }
}
