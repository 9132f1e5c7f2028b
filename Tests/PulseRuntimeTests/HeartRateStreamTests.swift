import Foundation
import PulseDSP
import PulseRuntime
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct HeartRateStreamTests {
    static func streamed(_ recording: Recording, chunkSeconds: Double = 0.25, settings: StreamSettings? = nil) throws -> [StreamEstimate] {
        let tracker = try SpectralTracker(configuration: .standard, windowSamples: 200, shiftSeconds: 2)
        let stream = try HeartRateStream(settings: settings ?? StreamSettings(for: recording), tracker: tracker)
        var source = RecordingReplay(recording, chunkSeconds: chunkSeconds)
        var estimates: [StreamEstimate] = []
        try stream.run(&source) { estimates.append($0) }
        return estimates
    }

    @Test(SharedData.required)
    func replayMatchesOfflineCausalOnSPC() throws {
        for url in SharedData.recordings("spc2015") {
            let path = url.path
            let recording = try Recording(hdf5Path: path)
            let offline = try SpectralEstimator(preprocessing: .causal).estimate(recording, layout: .standard)
            let streamed = try Self.streamed(recording)
            #expect(streamed.map(\.index) == offline.map(\.index), "\(path)")
            for (s, o) in zip(streamed, offline) {
                #expect(s.bpm == o.bpm, "\(path) window \(s.index)")
            }
        }
    }
}
