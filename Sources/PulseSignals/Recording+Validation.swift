extension Recording {
    /// The longest difference between the PPG and accelerometer durations that is taken as the same
    /// recording; real devices stop their sensors a few samples apart.
    public static let durationToleranceSeconds = 1.0

    /// The most channels a group may have; more means a dataset stored as `[samples, channels]`.
    public static let maximumChannels = 64

    /// Reference heart rates a label may give (BPM); NaN or 0 marks a window without a label.
    public static let referenceRangeBpm = 10.0...400.0

    /// Sample rates pulse accepts (Hz): from 1 Hz to 1 MHz, far beyond any wrist sensor in both directions.
    public static let sampleRateRangeHz = 1.0...1_000_000.0

    /// Throws unless `value` lies in `sampleRateRangeHz`.
    public static func checkSampleRate(_ value: Double, field: String, source: String) throws {
        guard sampleRateRangeHz.contains(value) else {
            throw RecordingError(path: source, .badSampleRate(field: field, value: value))
        }
    }

    /// Checks that the recording can be analysed with `layout`.
    ///
    /// NaN samples are gaps: windows that contain one are reported invalid later, and only a recording
    /// without any gap-free window is rejected. Infinite samples are corrupt data and always rejected.
    /// - Parameter source: the file or stream named in errors.
    /// - Throws: `RecordingError` for an empty group, channels of unequal length, a bad sample rate, an
    ///   infinite sample, PPG and accelerometer of different durations, a recording shorter than one window,
    ///   one without a single window free of gaps, more than `maximumChannels` channels (a transposed dataset), or a
    ///   reference cut by another layout, with a label outside `referenceRangeBpm`, or with more labels than
    ///   windows (one extra label is tolerated, as the last window of a recording may fall short).
    public func validate(source: String, layout: WindowLayout = .standard) throws {
        for (field, group) in [("ppg", ppg), ("acc", acc)] {
            try Self.checkSampleRate(group.sampleRateHz, field: "fs_\(field)", source: source)
            guard group.channelCount > 0, group.sampleCount > 0 else {
                throw RecordingError(path: source, .badShape(field: "/\(field)", detail: "no samples"))
            }
            guard group.channelCount <= Self.maximumChannels else {
                let transposed = group.sampleCount <= Self.maximumChannels
                throw RecordingError(path: source, .badShape(
                    field: "/\(field)", detail: "\(group.channelCount) channels of \(group.sampleCount) samples"
                        + (transposed ? ": it looks transposed; pulse reads [channels, samples]" : ", more than \(Self.maximumChannels) channels")))
            }
            for (index, channel) in group.channels.enumerated() {
                guard channel.count == group.sampleCount else {
                    throw RecordingError(path: source, .badShape(
                        field: "/\(field)", detail: "channel \(index) has \(channel.count) samples, channel 0 has \(group.sampleCount)"))
                }
                if let sample = channel.firstIndex(where: { $0.isInfinite }) {
                    throw RecordingError(path: source, .infiniteSample(field: "/\(field)", channel: index, sample: sample))
                }
            }
        }
        let difference = abs(ppg.durationSeconds - acc.durationSeconds)
        guard difference <= Self.durationToleranceSeconds else {
            throw RecordingError(path: source, .durationMismatch(ppgSeconds: ppg.durationSeconds, accSeconds: acc.durationSeconds))
        }
        guard windowCount(layout) > 0 else {
            throw RecordingError(path: source, .tooShort(durationSeconds: durationSeconds, windowSeconds: layout.windowSeconds))
        }
        guard windowValidity(layout).contains(true) else {
            throw RecordingError(path: source, .noValidWindow(detail: gapSummary()))
        }
        if let reference { try validate(reference, layout: layout, source: source) }
    }

    private func validate(_ reference: ReferenceHeartRate, layout: WindowLayout, source: String) throws {
        guard abs(reference.windowSeconds - layout.windowSeconds) < 1e-9, abs(reference.shiftSeconds - layout.shiftSeconds) < 1e-9 else {
            throw RecordingError(path: source, .referenceMismatch(
                "labels are for \(reference.windowSeconds) s windows every \(reference.shiftSeconds) s (window_s, shift_s), "
                    + "pulse estimates \(layout.windowSeconds) s windows every \(layout.shiftSeconds) s"))
        }
        if let index = reference.bpm.firstIndex(where: { !($0.isNaN || $0 == 0 || Self.referenceRangeBpm.contains(Double($0))) }) {
            throw RecordingError(path: source, .referenceMismatch(
                "label \(index) is \(reference.bpm[index]) BPM, outside \(Self.referenceRangeBpm) BPM (NaN or 0 marks a window without a label)"))
        }
        let windows = windowCount(layout)
        guard reference.bpm.count <= windows + 1 else {
            throw RecordingError(path: source, .referenceMismatch("\(reference.bpm.count) labels, but the signals hold \(windows) windows"))
        }
    }

    /// Where the first NaN of each group lies, for error messages.
    private func gapSummary() -> String {
        var parts: [String] = []
        for (field, group) in [("ppg", ppg), ("acc", acc)] {
            for (index, channel) in group.channels.enumerated() {
                let count = channel.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
                if let first = channel.firstIndex(where: { $0.isNaN }) {
                    parts.append("/\(field) channel \(index) has \(count) NaN samples from sample \(first)")
                }
            }
        }
        return parts.joined(separator: "; ")
    }
}
