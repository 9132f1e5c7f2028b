import PulseSignals

/// Labelled windows for training: every valid window with a reference, and the recording it came from.
public struct TrainingSet: Sendable {
    public var inputs: [[Float]] = []
    public var labelsBpm: [Double] = []
    /// Index into `recordings` of each window's recording.
    public var recordingOfWindow: [Int] = []
    public var recordings: [String] = []

    public init() {}

    /// Adds the valid, labelled windows of `recording`.
    public mutating func add(_ recording: Recording, pipeline: InputPipeline, layout: WindowLayout = .standard) throws {
        let (windows, valid) = try pipeline.windows(recording, layout: layout)
        let index = recordings.count
        recordings.append(recording.name)
        for window in windows.indices where valid[window] {
            guard let label = recording.reference?.label(at: window) else { continue }
            inputs.append(windows[window])
            labelsBpm.append(label)
            recordingOfWindow.append(index)
        }
    }

    /// The windows of the recordings whose indices are in `members`.
    public func subset(recordings members: Set<Int>) -> TrainingSet {
        var result = TrainingSet()
        result.recordings = recordings
        for i in inputs.indices where members.contains(recordingOfWindow[i]) {
            result.inputs.append(inputs[i])
            result.labelsBpm.append(labelsBpm[i])
            result.recordingOfWindow.append(recordingOfWindow[i])
        }
        return result
    }

    public var count: Int { inputs.count }
}
