/// The two groups of channels a wrist device streams, each at its own rate.
public enum SensorGroup: String, Sendable, CaseIterable {
    case ppg
    case acc
}
