import PulseSignals
import PulseTestSupport
import Testing

@Suite struct RecordingValidationTests {
    /// Labels are range-checked like every number read: 10–400 BPM, NaN or 0 for none; a transposed group is named.
    @Test func outOfRangeLabelsAndTransposedGroupsAreNamed() {
        for label: Float in [1e12, -5, .infinity, 5] {
            var recording = SyntheticRecording.make(seconds: 40)
            recording.reference?.bpm[3] = label
            #expect(throws: RecordingError.self) { try recording.validate(source: "x") }
        }
        var unlabelled = SyntheticRecording.make(seconds: 40)
        unlabelled.reference?.bpm[3] = .nan
        unlabelled.reference?.bpm[4] = 0
        #expect(throws: Never.self) { try unlabelled.validate(source: "x") }
        var transposed = SyntheticRecording.make(seconds: 40)
        transposed.ppg.channels = (0..<5000).map { _ in [1, 2] }
        #expect { try transposed.validate(source: "x") } throws: { error in
            guard let error = error as? RecordingError, case .badShape(_, let detail) = error.reason else { return false }
            return detail.contains("looks transposed")
        }
    }

    @Test func shorterThanOneWindow() {
        let recording = SyntheticRecording.make(seconds: 7)
        #expect(throws: RecordingError(path: "x", .tooShort(durationSeconds: 7, windowSeconds: 8))) {
            try recording.validate(source: "x")
        }
    }

    @Test func accelerometerAndPPGOfDifferentDurations() {
        var recording = SyntheticRecording.make(seconds: 40)
        recording.acc.channels = recording.acc.channels.map { Array($0.prefix(125 * 30)) }
        #expect(throws: RecordingError(path: "x", .durationMismatch(ppgSeconds: 40, accSeconds: 30))) {
            try recording.validate(source: "x")
        }
    }

    @Test func infiniteSampleIsNamed() {
        var recording = SyntheticRecording.make()
        recording.ppg.channels[1][321] = .infinity
        #expect(throws: RecordingError(path: "x", .infiniteSample(field: "/ppg", channel: 1, sample: 321))) {
            try recording.validate(source: "x")
        }
    }

    @Test func allNaNIsRejectedWithWhereTheGapIs() {
        var recording = SyntheticRecording.make()
        recording.ppg.channels[0] = [Float](repeating: .nan, count: recording.ppg.sampleCount)
        #expect {
            try recording.validate(source: "x")
        } throws: { error in
            guard let error = error as? RecordingError, case .noValidWindow(let detail) = error.reason else { return false }
            return detail.contains("/ppg channel 0") && detail.contains("from sample 0")
        }
    }

    @Test func nanGapMarksOnlyTheWindowsThatHoldIt() throws {
        var recording = SyntheticRecording.make(seconds: 40)
        // One NaN at 21.0 s (sample 2625 at 125 Hz): windows [k·2, k·2 + 8) with 13.0 < 2k + 8 and 2k <= 21.
        recording.acc.channels[2][2625] = .nan
        try recording.validate(source: "x")
        let validity = recording.windowValidity()
        #expect(validity.count == 17)
        let invalid = validity.indices.filter { !validity[$0] }
        #expect(invalid == [7, 8, 9, 10])
    }

    @Test func gapAtARateWithFractionalShift() {
        // 600 s at 51.2 Hz with one NaN at 501.0 s (sample 25651.2 → 25651): windows whose [2k, 2k + 8) s holds it.
        var recording = SyntheticRecording.make(seconds: 600, ppgRateHz: 51.2, accRateHz: 51.2)
        recording.ppg.channels[0][25651] = .nan
        let validity = recording.windowValidity()
        #expect(validity.count == 297)
        #expect(validity.indices.filter { !validity[$0] } == [247, 248, 249, 250])
    }

    @Test func channelsOfUnequalLength() {
        var recording = SyntheticRecording.make()
        recording.ppg.channels[1].removeLast(10)
        #expect(throws: RecordingError.self) { try recording.validate(source: "x") }
    }

    @Test func windowCounts() {
        let layout = WindowLayout.standard
        #expect(layout.windowCount(sampleCount: 37937, sampleRateHz: 125) == 148)
        #expect(layout.windowCount(sampleCount: 999, sampleRateHz: 125) == 0)
        #expect(layout.windowCount(sampleCount: 1000, sampleRateHz: 125) == 1)
        #expect(layout.windowCount(sampleCount: 1250, sampleRateHz: 125) == 2)
        // 51.2 Hz: a shift is 102.4 samples; starts are rounded per window, never accumulated.
        #expect(layout.windowCount(sampleCount: 30720, sampleRateHz: 51.2) == 297)
        #expect(layout.startSample(ofWindow: 246, at: 51.2) == 25190)
        #expect(layout.startSample(ofWindow: 296, at: 51.2) == 30310)
        #expect(layout.endSeconds(ofWindow: 3) == 14)
    }
}
