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

    /// Every numeric setting refuses NaN, infinities, negative and out-of-range values with an error naming the setting
    /// and its option, in `validate`, `SimulatedSensor` (streams) and `recording` alike.
    @Test func refusesImpossibleSettings() throws {
        let settings: [(SimulationError.Setting, WritableKeyPath<SensorSimulator, Double>, [Double])] = [
            (.durationSeconds, \.durationSeconds, [.nan, .infinity, -.infinity, -60, 0, 5, 7 * 86_400 + 1, 1e300]),
            (.ppgRateHz, \.ppgRateHz, [.nan, .infinity, -64, 0, 0.5, 1_000_001]),
            (.accRateHz, \.accRateHz, [.nan, -.infinity, -32, 0, 2e6]),
            (.noiseLevel, \.noiseLevel, [.nan, .infinity, -1, -.leastNonzeroMagnitude, 100.5]),
        ]
        for (setting, keyPath, values) in settings {
            for value in values {
                var simulator = SensorSimulator(durationSeconds: 60, activity: .rest, seed: 1)
                simulator[keyPath: keyPath] = value
                let attempts: [() throws -> Void] = [
                    { try simulator.validate(source: "x") }, { _ = try SimulatedSensor(simulator, source: "x") },
                    { _ = try simulator.recording(name: "x") },
                ]
                for attempt in attempts {
                    let error = try #require(throws: SimulationError.self, "\(setting) = \(value)") { try attempt() }
                    #expect(error.setting == setting && error.description.contains(setting.option), "\(error)")
                }
            }
        }
        let short = try #require(throws: SimulationError.self) { try SensorSimulator(durationSeconds: 5, activity: .rest, seed: 1).recording(name: "x") }
        #expect(short.description == "x: duration must be between 8 s and 7 days (got --duration 5)")
        var noisy = SensorSimulator(durationSeconds: 60, activity: .rest, seed: 1)
        noisy.noiseLevel = .nan
        #expect(throws: SimulationError(source: "x", setting: .noiseLevel, detail: "noise level (--noise) must be between 0 and 100 (got nan)")) {
            try noisy.validate(source: "x")
        }
        var edges = SensorSimulator(durationSeconds: 8, activity: .rest, seed: 1)
        edges.ppgRateHz = 1
        edges.accRateHz = 1
        edges.noiseLevel = 0
        try edges.validate(source: "x")
        edges.durationSeconds = SensorSimulator.maximumDurationSeconds
        edges.ppgRateHz = 1_000_000
        edges.noiseLevel = 100
        try edges.validate(source: "x")
    }

    /// A whole recording over `HDF5File.maximumElements` values (a week at 1 MHz) is refused before any work, with its
    /// size; a stream of the same settings is not (it is made chunk by chunk).
    @Test func aWholeRecordingTooLargeIsRefusedWithItsSize() throws {
        var week = SensorSimulator(durationSeconds: SensorSimulator.maximumDurationSeconds, activity: .mixed, seed: 1)
        week.ppgRateHz = 1_000_000
        let error = try #require(throws: SimulationError.self) { try week.validateWholeRecording(source: "week.h5") }
        #expect(error.setting == .ppgRateHz)
        #expect(error.description.contains("604800 s (--duration) at 1000000 Hz (--fs-ppg) and 32 Hz (--fs-acc) would make "
            + "6.05e+11 PPG values and 5.81e+07 accelerometer values (2.42 TB"))
        #expect(error.description.contains("268435456"))
        #expect(throws: SimulationError.self) { try week.recording(name: "week") }
        _ = try SimulatedSensor(week, source: "stream")

        // The limit is on the whole file (pulse reads at most 2²⁸ values from one): PPG, three values per accelerometer
        // sample and the labels. At 1 MHz and 100 kHz, 200 s make 2.6·10⁸ values and pass, 210 s do not.
        var fast = SensorSimulator(durationSeconds: 200, activity: .rest, seed: 1)
        fast.ppgRateHz = 1_000_000
        fast.accRateHz = 100_000
        try fast.validateWholeRecording(source: "fast")
        fast.durationSeconds = 210
        #expect(throws: SimulationError.self) { try fast.validateWholeRecording(source: "fast") }
        fast.durationSeconds = 100
        fast.accRateHz = 1_000_000
        let acc = try #require(throws: SimulationError.self) { try fast.validateWholeRecording(source: "fast") }
        #expect(acc.setting == .accRateHz && acc.description.contains("1e+08 PPG values and 3e+08 accelerometer values (1.6 GB"))
        #expect(acc.description.hasSuffix("lower --fs-acc"))
    }

    /// At 1 MHz a stream's chunks hold 0.25 s (250,000 samples); a chunk length that would exceed
    /// `SimulatedSensor.maximumChunkSamples`, or is not a positive finite number, is refused.
    @Test func chunksStayBoundedAtAnyRate() throws {
        var simulator = SensorSimulator(durationSeconds: SensorSimulator.maximumDurationSeconds, activity: .run, seed: 1)
        simulator.ppgRateHz = 1_000_000
        simulator.accRateHz = 500_000
        var sensor = try SimulatedSensor(simulator, source: "stream")
        let (first, second) = (sensor.next(), sensor.next())
        let ppg = try #require(first)
        let acc = try #require(second)
        #expect(ppg.group == .ppg && ppg.timestampsSeconds.count == 250_000 && ppg.samples[0].count == 250_000)
        #expect(acc.group == .acc && acc.samples.count == 3 && acc.samples.allSatisfy { $0.count == 125_000 })
        for chunkSeconds in [2.0, 3600, .infinity, .nan, 0, -1, 0.0001] {
            let error = try #require(throws: SimulationError.self, "\(chunkSeconds)") {
                try SimulatedSensor(simulator, source: "stream", chunkSeconds: chunkSeconds)
            }
            #expect(error.setting == .chunkSeconds)
        }
        _ = try SimulatedSensor(simulator, source: "stream", chunkSeconds: Double(SimulatedSensor.maximumChunkSamples / 2) / 1_000_000)
    }

    /// The samples and the reference do not depend on the chunk length, at the default rates and at odd high ones,
    /// with every process on (motion, dropouts, saturation).
    @Test(arguments: [(64.0, 32.0), (2_999.0, 77.0)])
    func streamedChunksGiveTheWholeRecording(ppgRateHz: Double, accRateHz: Double) throws {
        var simulator = SensorSimulator(durationSeconds: 30, activity: .mixed, seed: 6)
        simulator.ppgRateHz = ppgRateHz
        simulator.accRateHz = accRateHz
        simulator.dropouts = true
        simulator.saturation = true
        let whole = try simulator.recording(name: "whole")
        #expect(whole.ppg.channels[0].contains { $0.isNaN })
        for chunkSeconds in [0.37, 7.0] {
            var sensor = try SimulatedSensor(simulator, chunkSeconds: chunkSeconds)
            var ppg: [Float] = []
            var acc = [[Float]](repeating: [], count: 3)
            var labels: [Float] = []
            while let chunk = sensor.next() {
                if chunk.group == .ppg { ppg += chunk.samples[0] } else { for axis in 0..<3 { acc[axis] += chunk.samples[axis] } }
                while let label = sensor.referenceBpm(ofWindow: labels.count) { labels.append(Float(label)) }
            }
            #expect(ppg.map(\.bitPattern) == whole.ppg.channels[0].map(\.bitPattern), "\(chunkSeconds) s chunks")
            #expect(acc == whole.acc.channels && labels == whole.reference?.bpm, "\(chunkSeconds) s chunks")
        }
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

    /// Beat-to-beat intervals read off a noiseless resting PPG have the same statistics at 12.8 kHz as at 64 Hz, and
    /// their mean rate is the reference's. With the beat phase's jitter drawn per sample without scaling by the time
    /// step (0.004 rad a sample), successive intervals at 12.8 kHz would differ by over 100 ms instead of about 30.
    @Test func beatIntervalsDoNotDependOnTheSampleRate() throws {
        var successiveDifferencesMs: [Double] = []
        for rateHz in [64.0, 12_800] {
            var simulator = SensorSimulator(durationSeconds: 24, activity: .rest, seed: 1)
            simulator.ppgRateHz = rateHz
            simulator.accRateHz = 1
            simulator.noiseLevel = 0
            let recording = try simulator.recording(name: "beats")
            let beats = Self.systolicPeakSeconds(recording.ppg.channels[0], rateHz: rateHz)
            let intervals = zip(beats.dropFirst(), beats).map { $0 - $1 }
            #expect(intervals.count > 18 && intervals.allSatisfy { $0 > 0.6 && $0 < 1.2 }, "\(rateHz) Hz: \(intervals)")
            let labels = try #require(recording.reference?.bpm)
            let referenceBpm = labels.reduce(0) { $0 + Double($1) } / Double(labels.count)
            let beatBpm = 60 * Double(intervals.count) / ((beats.last ?? 0) - (beats.first ?? 0))
            #expect(abs(beatBpm - referenceBpm) < 1, "\(rateHz) Hz: beats at \(beatBpm) BPM, reference \(referenceBpm)")
            let differences = zip(intervals.dropFirst(), intervals).map { ($0 - $1) * ($0 - $1) }
            successiveDifferencesMs.append(1000 * (differences.reduce(0, +) / Double(differences.count)).squareRoot())
        }
        #expect(successiveDifferencesMs.allSatisfy { $0 > 5 && $0 < 50 }, "RMSSD \(successiveDifferencesMs) ms")
        #expect(abs(successiveDifferencesMs[1] / successiveDifferencesMs[0] - 1) < 0.5, "RMSSD \(successiveDifferencesMs) ms")
    }

    /// The times (s) of the systolic peaks of `ppg`: averaged in blocks down to 64 Hz, each sample that is the largest
    /// within ±0.3 s (a diastolic peak lies within 0.3 s after its systolic one), refined by a parabola.
    static func systolicPeakSeconds(_ ppg: [Float], rateHz: Double) -> [Double] {
        let block = Int(rateHz / 64)
        let series = stride(from: 0, through: ppg.count - block, by: block).map { start in
            ppg[start..<(start + block)].reduce(0) { $0 + Double($1) } / Double(block)
        }
        let reach = 19
        guard series.count > 2 * reach else { return [] }
        return (reach..<(series.count - reach)).compactMap { i in
            guard series[i] > series[i - 1], series[i] == series[(i - reach)...(i + reach)].max() else { return nil }
            let (before, peak, after) = (series[i - 1], series[i], series[i + 1])
            let offset = 0.5 * (before - after) / (before - 2 * peak + after)
            return (Double(i) + offset) / 64
        }
    }

    /// The sensor noise has a fixed level per unit bandwidth: with the same seed, the difference between noise levels
    /// 1 and 0 is the noise alone, 4.5 counts per PPG sample and 0.01 g per accelerometer sample at 64 and 32 Hz, and
    /// four times that at sixteen times the rates.
    @Test func sensorNoiseHasAFixedLevelPerUnitBandwidth() throws {
        for factor in [1.0, 16] {
            var noisy = SensorSimulator(durationSeconds: 30, activity: .walk, seed: 2)
            noisy.ppgRateHz = 64 * factor
            noisy.accRateHz = 32 * factor
            var quiet = noisy
            quiet.noiseLevel = 0
            let (a, b) = (try noisy.recording(name: "noisy"), try quiet.recording(name: "quiet"))
            func deviation(_ x: [Float], _ y: [Float]) -> Double {
                (zip(x, y).reduce(0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(x.count)).squareRoot()
            }
            let ppg = deviation(a.ppg.channels[0], b.ppg.channels[0])
            #expect(abs(ppg / (4.5 * factor.squareRoot()) - 1) < 0.06, "PPG noise \(ppg) counts at \(64 * factor) Hz")
            for axis in 0..<3 {
                let acc = deviation(a.acc.channels[axis], b.acc.channels[axis])
                #expect(abs(acc / (0.01 * factor.squareRoot()) - 1) < 0.06, "accelerometer noise \(acc) g at \(32 * factor) Hz")
            }
        }
    }
}
