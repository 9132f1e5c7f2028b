import Foundation
import PulseDSP
import PulseGraph
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct SpectralEstimatorTests {
    @Test(arguments: [(125.0, 125.0), (50.0, 50.0), (64.0, 32.0), (100.0, 25.0)])
    func findsAKnownPulseAtAnyRate(_ rates: (ppg: Double, acc: Double)) throws {
        let recording = SyntheticRecording.make(bpm: 96, motionHz: 2.3, ppgRateHz: rates.ppg, accRateHz: rates.acc)
        let estimates = try SpectralEstimator().estimate(recording, layout: .standard)
        #expect(estimates.count == 17)
        for estimate in estimates { #expect(abs((estimate.bpm ?? 0) - 96) < 1.5, "window \(estimate.index)") }
    }

    @Test func motionStrongerThanThePulseDoesNotWin() throws {
        // Motion at 150 BPM carries more PPG power than the 72 BPM pulse; the accelerometer exposes it.
        var recording = SyntheticRecording.make(bpm: 72, motionHz: 2.5)
        let rate = recording.ppg.sampleRateHz
        for c in recording.ppg.channels.indices {
            for i in recording.ppg.channels[c].indices {
                recording.ppg.channels[c][i] += Float(120 * sin(2 * .pi * 2.5 * Double(i) / rate))
            }
        }
        let estimates = try SpectralEstimator().estimate(recording, layout: .standard)
        let summary = AccuracySummary(estimates)
        #expect(summary.maeBpm < 3, "MAE \(summary.maeBpm)")
    }

    @Test func confidenceIsHigherForACleanPulseThanForNoise() throws {
        let clean = SyntheticRecording.make(bpm: 70)
        var noise = clean
        var generator = SeededGenerator(seed: 3)
        noise.ppg.channels = noise.ppg.channels.map { $0.map { _ in Float(generator.nextSigned()) } }
        let cleanConfidence = try SpectralEstimator().estimate(clean, layout: .standard).map(\.confidence)
        let noiseConfidence = try SpectralEstimator().estimate(noise, layout: .standard).map(\.confidence)
        #expect(cleanConfidence.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(cleanConfidence.reduce(0, +) > 2 * noiseConfidence.reduce(0, +))
    }

    @Test func gapWindowsAreInvalidOthersEstimated() throws {
        var recording = SyntheticRecording.make(bpm: 80)
        for i in 2500..<2700 { recording.ppg.channels[1][i] = .nan }
        let estimates = try SpectralEstimator().estimate(recording, layout: .standard)
        let invalid = estimates.filter { !$0.isValid }.map(\.index)
        #expect(invalid == [7, 8, 9, 10])
        for estimate in estimates where estimate.isValid { #expect(abs((estimate.bpm ?? 0) - 80) < 2) }
    }

    @Test func bridgingGaps() {
        #expect(SignalConditioner.bridgingGaps([.nan, 1, 2, .nan, .nan, 5, .nan], causal: false) == [1, 1, 2, 3, 4, 5, 5])
        #expect(SignalConditioner.bridgingGaps([.nan, 1, 2, .nan, .nan, 5, .nan], causal: true) == [1, 1, 2, 2, 2, 5, 5])
        #expect(SignalConditioner.bridgingGaps([.nan, .nan], causal: true) == [0, 0])
    }

    @Test func scalingIsAnExactPowerOfTwoFromTheMedianLevel() {
        // Levels 3000, 6000, 1500: the median 3000 lies in [2¹¹, 2¹²).
        let scale = ChannelScale(of: [0, .nan, 3000, -6000, 1500])
        #expect(scale.factor == 0x1p-11)
        #expect([3000, -6000, 1500].map(scale.apply) == [3000, -6000, 1500].map { $0 / 2048 })
        #expect([Float](repeating: 1e-40, count: 4).map(ChannelScale(of: [1e-40, 2e-40]).apply).allSatisfy { $0.isNormal })
        #expect(ChannelScale(of: [0, .nan, 0]) == .unit)
    }

    /// One extreme sample (denormal, tiny, Float's maximum, infinite) neither sets the scale nor leaves the range.
    @Test(arguments: [Float.leastNonzeroMagnitude, 1e-20, .greatestFiniteMagnitude, -.infinity])
    func oneExtremeSampleDoesNotSetTheScale(extreme: Float) {
        let signal: [Float] = (0..<200).map { Float(900 + 40 * sin(Double($0) * 0.2)) }
        #expect(ChannelScale(of: [extreme] + signal) == ChannelScale(of: signal))
        #expect(ChannelScale(of: Array(signal[0..<3]) + [extreme] + signal) == ChannelScale(of: signal))
        let scaled = ChannelScale(of: signal).apply(extreme)
        #expect(extreme.magnitude > 1 ? scaled.isNaN : scaled.magnitude < 1e-10)
    }

    /// A first PPG or accelerometer sample at an extreme costs at most the windows that hold it, offline and causal.
    @Test(arguments: [Float.leastNonzeroMagnitude, 1e-20, .greatestFiniteMagnitude])
    func oneExtremeFirstSampleDoesNotWreckTheRecording(extreme: Float) throws {
        let clean = SyntheticRecording.make(seconds: 60, bpm: 84)
        for preprocessing in Preprocessing.allCases {
            let estimator = SpectralEstimator(configuration: .standard, preprocessing: preprocessing)
            let baseline = AccuracySummary(try estimator.estimate(clean, layout: .standard)).maeBpm
            for group in 0..<2 {
                var recording = clean
                // Every channel of the group, so that no clean channel carries the estimate alone.
                if group == 0 {
                    for c in recording.ppg.channels.indices { recording.ppg.channels[c][0] = extreme }
                } else {
                    for c in recording.acc.channels.indices { recording.acc.channels[c][0] = extreme }
                }
                let estimates = try estimator.estimate(recording, layout: .standard)
                let mae = AccuracySummary(estimates).maeBpm
                #expect(mae < baseline + 0.5, "\(preprocessing), group \(group): MAE \(mae) against \(baseline)")
                #expect(estimates.dropFirst(4).allSatisfy { $0.isValid })
            }
        }
    }

    @Test func rateTooLowForTheBandIsAnError() {
        let recording = SyntheticRecording.make(ppgRateHz: 6, accRateHz: 6)
        #expect {
            try SpectralEstimator().estimate(recording, layout: .standard)
        } throws: { error in
            guard let error = error as? RecordingError, case .cannotEstimate(let detail) = error.reason else { return false }
            return detail.contains("fs_ppg is 6.0 Hz")
        }
    }

    @Test func flatPPGWindowsAreInvalid() throws {
        var recording = SyntheticRecording.make(bpm: 75)
        for c in recording.ppg.channels.indices { for i in 0..<2000 { recording.ppg.channels[c][i] = 4095 } }  // saturated for 16 s
        let estimates = try SpectralEstimator().estimate(recording, layout: .standard)
        #expect(estimates.filter { !$0.isValid }.map(\.index) == [0, 1, 2, 3, 4])  // windows [2k, 2k + 8) s inside 0–16 s
    }

    @Test func scaleDoesNotMatter() throws {
        let recording = SyntheticRecording.make(bpm: 75)
        let reference = try SpectralEstimator().estimate(recording, layout: .standard).map { $0.bpm ?? 0 }
        for factor: Float in [1e30, 1e-30] {
            var scaled = recording
            scaled.ppg.channels = scaled.ppg.channels.map { $0.map { $0 * factor } }
            scaled.acc.channels = scaled.acc.channels.map { $0.map { $0 * factor } }
            let estimates = try SpectralEstimator().estimate(scaled, layout: .standard).map { $0.bpm ?? 0 }
            for (a, b) in zip(estimates, reference) { #expect(abs(a - b) < 0.05, "scale \(factor)") }
        }
    }
}

/// Tracking across windows: rates that change, a track that must be found again, gaps.
@Suite struct SpectralTrackingTests {
    @Test func followsARampFromRestToEffort() throws {
        // 70 → 160 BPM over two minutes (0.75 BPM/s), as at the start of a run; motion at 2.6 Hz throughout.
        let recording = SyntheticRecording.make(seconds: 180, heartRateBpm: { 70 + 90 * min(max(($0 - 30) / 120, 0), 1) })
        let estimates = try SpectralEstimator().estimate(recording, layout: .standard)
        let summary = AccuracySummary(estimates)
        #expect(summary.maeBpm < 2, "MAE \(summary.maeBpm)")
        #expect(summary.within5Bpm > 0.95)
    }

    @Test func findsTheRateAgainAfterASuddenStep() throws {
        // A jump from 70 to 130 BPM at 60 s is beyond any step the tracker expects: it must recover by a jump.
        let recording = SyntheticRecording.make(seconds: 240, heartRateBpm: { $0 < 60 ? 70 : 130 })
        let estimates = try SpectralEstimator().estimate(recording, layout: .standard)
        let recovered = estimates.first { $0.endSeconds > 68 && abs(($0.bpm ?? 0) - 130) < 3 }
        let recoveryEnd = try #require(recovered).endSeconds
        #expect(recoveryEnd < 68 + 60, "found again only at \(recoveryEnd) s")
        for estimate in estimates where estimate.endSeconds >= recoveryEnd { #expect(abs((estimate.bpm ?? 0) - 130) < 3) }
    }

    @Test func picksUpAChangedRateAfterAGap() throws {
        // 40 s of NaN while the rate moves from 80 to 110 BPM: after the gap the tracker allows the larger move.
        var recording = SyntheticRecording.make(seconds: 160, heartRateBpm: { 80 + 30 * min(max(($0 - 50) / 40, 0), 1) })
        for channel in recording.ppg.channels.indices {
            for i in Int(50 * 125.0)..<Int(90 * 125.0) { recording.ppg.channels[channel][i] = .nan }
        }
        let estimates = try SpectralEstimator().estimate(recording, layout: .standard)
        let after = estimates.filter { $0.endSeconds > 100 && $0.isValid }
        #expect(!after.isEmpty)
        for estimate in after { #expect(abs((estimate.bpm ?? 0) - 110) < 3, "window ending at \(estimate.endSeconds) s") }
    }
}
