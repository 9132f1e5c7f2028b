/// One wrist recording: PPG channels and accelerometer axes, each group at its own sample rate, an
/// optional ECG trace, an optional reference heart rate per window, and free-form text metadata.
public struct Recording: Sendable, Equatable {
    /// Short name, usually the file name without extension.
    public var name: String
    public var ppg: SignalGroup
    /// Accelerometer axes (x, y, z) in the device's units (counts or g).
    public var acc: SignalGroup
    /// Reference ECG, where the recording carries one (SPC 2015).
    public var ecg: SignalGroup?
    public var reference: ReferenceHeartRate?
    /// Text attributes (subject, activity, source, license, ...).
    public var metadata: [String: String]

    public init(
        name: String, ppg: SignalGroup, acc: SignalGroup, ecg: SignalGroup? = nil,
        reference: ReferenceHeartRate? = nil, metadata: [String: String] = [:]
    ) {
        self.name = name
        self.ppg = ppg
        self.acc = acc
        self.ecg = ecg
        self.reference = reference
        self.metadata = metadata
    }

    /// The shorter of the PPG and accelerometer durations, in seconds.
    public var durationSeconds: Double { min(ppg.durationSeconds, acc.durationSeconds) }
}
