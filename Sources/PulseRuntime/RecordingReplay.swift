import PulseSignals

/// A recording replayed as a device would deliver it: chunks of `chunkSeconds` of each group in turn, sample `n`
/// of a group stamped `n / rate` seconds.
public struct RecordingReplay: SensorSource {
    public let recording: Recording
    public let chunkSeconds: Double
    public let settings: StreamSettings
    private var chunk = 0
    private var group = SensorGroup.ppg

    /// - Precondition: `chunkSeconds > 0`; traps otherwise.
    public init(_ recording: Recording, chunkSeconds: Double = 0.25) {
        precondition(chunkSeconds > 0, "chunks must last some time")
        self.recording = recording
        self.chunkSeconds = chunkSeconds
        settings = StreamSettings(for: recording)
    }

    public mutating func next() throws -> SensorChunk? {
        let chunks = Int((max(recording.ppg.durationSeconds, recording.acc.durationSeconds) / chunkSeconds).rounded(.up))
        while chunk < chunks {
            let current = group
            let signals = current == .ppg ? recording.ppg : recording.acc
            let rate = signals.sampleRateHz
            let start = min(signals.sampleCount, Int((Double(chunk) * chunkSeconds * rate).rounded()))
            let end = min(signals.sampleCount, Int((Double(chunk + 1) * chunkSeconds * rate).rounded()))
            if current == .acc { chunk += 1 }
            group = current == .ppg ? .acc : .ppg
            if start < end {
                return SensorChunk(group: current, timestampsSeconds: (start..<end).map { Double($0) / rate },
                                   samples: signals.channels.map { Array($0[start..<end]) })
            }
        }
        return nil
    }

    public func referenceBpm(ofWindow index: Int) -> Double? { recording.reference?.label(at: index) }
}
