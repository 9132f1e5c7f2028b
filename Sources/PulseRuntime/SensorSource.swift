/// A chunk of one sensor group: `samples[c][i]` is channel `c` at `timestampsSeconds[i]`.
public struct SensorChunk: Sendable {
    public var group: SensorGroup
    public var timestampsSeconds: [Double]
    public var samples: [[Float]]

    public init(group: SensorGroup, timestampsSeconds: [Double], samples: [[Float]]) {
        self.group = group
        self.timestampsSeconds = timestampsSeconds
        self.samples = samples
    }
}

/// Where a stream's samples come from: a replayed recording, the simulator, or a device.
public protocol SensorSource {
    /// Rates and channel counts of the samples to come.
    var settings: StreamSettings { get }
    /// The next chunk, in time order across groups; `nil` at the end.
    mutating func next() throws -> SensorChunk?
    /// The true heart rate of window `index`, where the source knows it.
    func referenceBpm(ofWindow index: Int) -> Double?
}
