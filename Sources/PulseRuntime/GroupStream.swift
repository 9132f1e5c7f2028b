import PulseDSP

/// One sensor group inside a stream: the samples waiting to be placed, the sample clock, and each channel's
/// causal conditioning into a ring buffer at the analysis rate.
struct GroupStream {
    let rateHz: Double
    let channelCount: Int
    var conditioners: [ChannelConditioner]
    var conditioned: [RingBuffer<Float>]
    /// Samples placed on the group's clock so far (received, repeated or gap-filled).
    var slots = 0
    var lastTimestamp: Double?
    var lastValues: [Float]
    /// Faults met since the last placed sample, charged to the windows that hold the next one.
    var pendingFlags: WindowFlags = []
    var finished = false
    /// Samples dropped in a row as not fitting the clock.
    var rejectedInARow = 0
    /// Pushes of this group since the last push of the other.
    var pushesAhead = 0
    private var queue: [(timestamps: [Double], samples: [[Float]])] = []
    private var queueHead = 0
    private var position = 0

    init(rateHz: Double, channelCount: Int, conditioner: SignalConditioner, leadingGapLimit: Int, capacity: Int) {
        self.rateHz = rateHz
        self.channelCount = channelCount
        conditioners = Array(repeating: ChannelConditioner(conditioner, leadingGapLimit: leadingGapLimit), count: channelCount)
        conditioned = Array(repeating: RingBuffer(capacity: capacity, filler: 0), count: channelCount)
        lastValues = Array(repeating: .nan, count: channelCount)
    }

    /// Conditioned samples available in every channel.
    var conditionedCount: Int { conditioned.reduce(Int.max) { min($0, $1.count) } }

    /// Oldest conditioned sample still held in every channel.
    var conditionedOldest: Int { conditioned.reduce(0) { max($0, $1.oldest) } }

    mutating func enqueue(timestamps: [Double], samples: [[Float]]) {
        guard !timestamps.isEmpty else { return }
        queue.append((timestamps, samples))
    }

    /// Timestamp of the next sample waiting, if any.
    var nextTimestamp: Double? { queueHead < queue.count ? queue[queueHead].timestamps[position] : nil }

    /// Timestamp of the last sample waiting, if any.
    var latestTimestamp: Double? { queueHead < queue.count ? queue[queue.count - 1].timestamps.last : nil }

    /// Takes the next waiting sample off the queue.
    mutating func dequeue(into values: inout [Float]) -> Double {
        let chunk = queue[queueHead]
        for c in 0..<channelCount { values[c] = chunk.samples[c][position] }
        let timestamp = chunk.timestamps[position]
        position += 1
        if position == chunk.timestamps.count {
            position = 0
            queueHead += 1
            if queueHead == queue.count { queue.removeAll(keepingCapacity: true); queueHead = 0 }
        }
        return timestamp
    }

    /// Conditions one placed sample of every channel.
    mutating func condition(_ values: [Float]) {
        for c in 0..<channelCount {
            conditioners[c].push(values[c], into: &conditioned[c])
        }
        lastValues = values
        slots += 1
    }

    /// Ends the group: every channel's conditioner emits what it still owes.
    mutating func finish() {
        guard !finished else { return }
        for c in 0..<channelCount { conditioners[c].finish(into: &conditioned[c]) }
        finished = true
    }
}
