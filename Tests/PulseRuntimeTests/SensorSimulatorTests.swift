import Foundation
import PulseDSP
import PulseRuntime
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct SensorSimulatorTests {
    @Test func sameSeedSameRecordingOtherSeedOther() throws {
        let a = try SensorSimulator(durationSeconds: 60, activity: .walk, seed: 4).recording(name: "a")
        let b = try SensorSimulator(durationSeconds: 60, activity: .walk, seed: 4).recording(name: "a")
        let c = try SensorSimulator(durationSeconds: 60, activity: .walk, seed: 5).recording(name: "a")
        #expect(a == b)
        #expect(a.ppg != c.ppg)
    }

    @Test func shapesRatesAndReferenceFollowTheSettings() throws {
        var simulator = SensorSimulator(durationSeconds: 100, activity: .mixed, seed: 1)
        simulator.ppgRateHz = 100
        simulator.accRateHz = 25
        let recording = try simulator.recording(name: "m")
        #expect(recording.ppg.sampleCount == 10_000 && recording.acc.sampleCount == 2_500 && recording.acc.channelCount == 3)
        let labels = try #require(recording.reference?.bpm)
        #expect(labels.count == recording.windowCount() && labels.count == 47)
        // Rest, then walking and running: the rate rises from about 68 BPM and stays in a human range.
        #expect(labels.allSatisfy { $0 > 45 && $0 < 200 })
        #expect(labels.max() ?? 0 > (labels.first ?? 0) + 15)
        try recording.validate(source: "m")
    }

    /// The spectral estimator finds a resting pulse easily and a moving one less easily, but not trivially.
    @Test func spectralEstimatorOnSimulatedActivities() throws {
        var maes: [Activity: Double] = [:]
        for activity in [Activity.rest, .run] {
            let recording = try SensorSimulator(durationSeconds: 120, activity: activity, seed: 2).recording(name: activity.rawValue)
            maes[activity] = AccuracySummary(try SpectralEstimator().estimate(recording, layout: .standard)).maeBpm
        }
        #expect((maes[.rest] ?? .nan) < 2)
        #expect((maes[.run] ?? .nan) > 0.1 && (maes[.run] ?? .nan) < 15)
    }

    @Test func dropoutsAndSaturationOnRequest() throws {
        var simulator = SensorSimulator(durationSeconds: 300, activity: .rest, seed: 3)
        simulator.dropouts = true
        simulator.saturation = true
        let recording = try simulator.recording(name: "faulty")
        #expect(recording.ppg.channels[0].contains { $0.isNaN })
        #expect(recording.windowValidity().contains(false))
        let finite = recording.ppg.channels[0].filter { !$0.isNaN }
        let top = finite.max() ?? 0
        #expect(finite.filter { $0 == top }.count > 100)  // clipped at the top
    }

    @Test func refusesImpossibleSettings() {
        #expect(throws: RecordingError.self) { try SensorSimulator(durationSeconds: 5, activity: .rest, seed: 1).recording(name: "x") }
        var simulator = SensorSimulator(durationSeconds: 60, activity: .rest, seed: 1)
        simulator.ppgRateHz = 0
        #expect(throws: RecordingError.self) { try simulator.recording(name: "x") }
    }
}
