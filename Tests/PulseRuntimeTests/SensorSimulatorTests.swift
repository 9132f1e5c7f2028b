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
        for edit in [{ (s: inout SensorSimulator) in s.ppgRateHz = 0 }, { $0.ppgRateHz = .nan }, { $0.noiseLevel = .nan },
                     { $0.noiseLevel = .infinity }, { $0.noiseLevel = -1 }, { $0.durationSeconds = .nan }, { $0.accRateHz = .infinity }] {
            var simulator = SensorSimulator(durationSeconds: 60, activity: .rest, seed: 1)
            edit(&simulator)
            #expect(throws: RecordingError.self) { try simulator.recording(name: "x") }
            #expect(throws: RecordingError.self) { try SimulatedSensor(simulator) }
        }
    }

    /// A week at 1 MHz is refused by its size before anything is made; a stream of it is fine (made in chunks).
    @Test func wholeRecordingsBeyondWhatPulseReadsAreRefusedBySize() throws {
        var simulator = SensorSimulator(durationSeconds: SensorSimulator.maximumDurationSeconds, activity: .rest, seed: 1)
        simulator.ppgRateHz = 1_000_000
        #expect { try simulator.recording(name: "week") } throws: { error in
            guard let error = error as? RecordingError, case .unsupported(let detail) = error.reason else { return false }
            return detail.contains("6.05e+11 PPG values") && detail.contains("268435456")
        }
        var sensor = try SimulatedSensor(simulator)
        let chunk = sensor.next()
        #expect(chunk?.samples[0].count == 250_000)
    }

    /// The beat phase's jitter is a random walk in time, not per sample: at 51.2 kHz the pulse stays as coherent
    /// as at 64 Hz (per-sample jitter smeared it into a band several BPM wide, and spectral MAE reached 40 at 1 MHz).
    @Test func thePulseStaysCoherentAtHighRates() throws {
        func peakShare(ppgRateHz: Double) throws -> Double {
            var simulator = SensorSimulator(durationSeconds: 12, activity: .rest, seed: 5)
            simulator.ppgRateHz = ppgRateHz
            simulator.noiseLevel = 0
            let recording = try simulator.recording(name: "coherence")
            // Block means bring every rate to 64 Hz, then a DFT over 40–200 BPM in 0.25 BPM steps.
            let block = Int(ppgRateHz / 64)
            let samples = recording.ppg.channels[0]
            let signal = stride(from: 0, to: samples.count - block + 1, by: block).map { start in
                samples[start..<(start + block)].reduce(0.0) { $0 + Double($1) } / Double(block)
            }
            let mean = signal.reduce(0, +) / Double(signal.count)
            let power = stride(from: 40.0, through: 200, by: 0.25).map { bpm -> Double in
                let omega = 2 * Double.pi * bpm / 60 / 64
                var (re, im) = (0.0, 0.0)
                for (n, value) in signal.enumerated() {
                    re += (value - mean) * cos(omega * Double(n))
                    im += (value - mean) * sin(omega * Double(n))
                }
                return re * re + im * im
            }
            let peak = power.indices.max { power[$0] < power[$1] } ?? 0
            let near = power[max(0, peak - 8)...min(power.count - 1, peak + 8)].reduce(0, +)
            return near / power.reduce(0, +)
        }
        let low = try peakShare(ppgRateHz: 64)
        let high = try peakShare(ppgRateHz: 51_200)
        #expect(high > 0.8 * low, "share of power within 2 BPM of the peak: \(high) at 51.2 kHz, \(low) at 64 Hz")
    }
}
