import Foundation
import Testing
import PulseDSP
import PulseGraph
import PulseModels
import PulseSignals
import PulseTestSupport

@Suite struct FusedEstimatorTests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/baseline.h5").path

    static func neural() throws -> NeuralEstimator { try NeuralEstimator(model: try ModelFile(path: model), name: "baseline") }

    /// With spectral weight 0 and the neural estimator's causal tracker the fused estimator is the neural estimator, window for window;
    /// an ensemble of one model twice is that model.
    @Test func weightZeroIsTheNeuralEstimator() throws {
        let neural = try Self.neural()
        let recording = SyntheticRecording.make(seconds: 60, heartRateBpm: { 80 + $0 / 2 })
        let alone = try neural.estimate(recording, layout: .standard)
        let fused = try FusedEstimator(neural: [neural], weights: .neuralOnly, tracking: EstimatorCrossValidation.Candidate.neural.tracking).estimate(recording, layout: .standard)
        #expect(fused == alone)
        let twice = try FusedEstimator(neural: [neural, neural], weights: .neuralOnly, tracking: EstimatorCrossValidation.Candidate.neural.tracking).estimate(recording, layout: .standard)
        #expect(zip(twice, alone).allSatisfy { abs(($0.bpm ?? 0) - ($1.bpm ?? 0)) < 1e-9 })
    }

    /// An ensemble averages its models' probabilities, and refuses models that return other bins.
    @Test func anEnsembleAveragesItsModels() throws {
        let neural = try Self.neural()
        var other = try ModelFile(path: Self.model)
        other.parameters = other.parameters.mapValues { Tensor(shape: $0.shape, scalars: $0.scalars.map { $0 * 0.5 }) }
        let second = try NeuralEstimator(model: other, name: "halved")
        let recording = SyntheticRecording.make(seconds: 30, bpm: 90, motionHz: 2.2)
        let spectral = SpectralEstimator()
        let first = try FusedEstimator.Evidence(recording, neural: [neural], spectral: spectral, layout: .standard).probabilities
        let halved = try FusedEstimator.Evidence(recording, neural: [second], spectral: spectral, layout: .standard).probabilities
        let both = try FusedEstimator.Evidence(recording, neural: [neural, second], spectral: spectral, layout: .standard).probabilities
        for window in both.indices {
            let (a, b, mean) = (try #require(first[window]), try #require(halved[window]), try #require(both[window]))
            #expect(zip(mean, zip(a, b)).allSatisfy { abs($0 - ($1.0 + $1.1) / 2) < 1e-12 })
        }
        var wider = try ModelFile(path: Self.model)
        wider.output = RateBins(firstBpm: 31, binBpm: wider.output.binBpm, count: wider.output.count)
        let mismatched = try NeuralEstimator(model: wider, name: "shifted bins")
        #expect(throws: GraphError.self) { try FusedEstimator(neural: [neural, mismatched], weights: .crossValidated) }
        #expect(throws: GraphError.self) { try FusedEstimator(neural: [], weights: .crossValidated) }
    }

    /// The spectral evidence lands on the model's bins where the spectral estimator puts it: its peak at the pulse's
    /// rate, its neutral level below the spectral band (40 BPM), every value within 0…1.
    @Test func spectralEvidenceIsInterpolatedOntoTheModelsBins() throws {
        let neural = try Self.neural()
        let recording = SyntheticRecording.make(seconds: 40, bpm: 96, motionHz: 2.6)
        let evidence = try FusedEstimator.Evidence(recording, neural: [neural], spectral: SpectralEstimator(), layout: .standard)
        let bins = evidence.bins
        let neutral = SpectralEstimator.Configuration.standard.maskedEvidence
        for window in evidence.spectral {
            let values = try #require(window)
            #expect(values.count == bins.count && values.allSatisfy { (0...1).contains($0) })
            let peak = try #require(values.indices.max { values[$0] < values[$1] })
            #expect(abs(bins.bpm(peak) - 96) <= bins.binBpm)
            for k in 0..<bins.count where bins.bpm(k) < 39 { #expect(values[k] == neutral) }
        }
        #expect(evidence.probabilities.allSatisfy { $0.map { abs($0.reduce(0, +) - 1) < 1e-9 } == true })
    }

    /// Where the model has nothing to say (a flat posterior), a fused estimate follows the spectral evidence.
    @Test func aLargeSpectralWeightFollowsTheSpectrum() throws {
        let neural = try Self.neural()
        let recording = SyntheticRecording.make(seconds: 40, bpm: 120, motionHz: 1.3)
        var evidence = try FusedEstimator.Evidence(recording, neural: [neural], spectral: SpectralEstimator(), layout: .standard)
        evidence.probabilities = evidence.probabilities.map { $0.map { [Double](repeating: 1 / Double($0.count), count: $0.count) } }
        let estimates = try evidence.track(weights: FusedEstimator.Weights(spectral: 4), tracking: neural.tracking, following: .fixedLag(windows: 3),
                                           layout: .standard)
        for estimate in estimates.dropFirst(2) {
            let bpm = try #require(estimate.bpm)
            #expect(abs(bpm - 120) < 3, "window \(estimate.index): \(bpm)")
        }
    }

    /// A model sure of the third harmonic of a still wrist's 60 BPM pulse is overruled by the harmonic check, which
    /// sees more spectral evidence at a third of its rate; in motion (`μ = 1`) the check is off and the model wins.
    @Test func theHarmonicCheckOverrulesAThirdHarmonicAtRest() throws {
        let bins = RateBins(firstBpm: 30, binBpm: 1, count: 211)
        let third = 180 - 30
        let fundamental = 60 - 30
        let model = (0..<bins.count).map { $0 == third ? 0.9 : 0.1 / Double(bins.count - 1) }
        let spectrum = (0..<bins.count).map { k in k == fundamental ? 1.0 : (k == third ? 0.3 : 0.05) }
        let tracking = SpectralEstimator.Configuration.standard.trackerSettings
        func rates(motion: Double, following: RateFollowing) throws -> [Double] {
            let evidence = FusedEstimator.Evidence(probabilities: Array(repeating: model, count: 6), bins: bins,
                                                   spectral: Array(repeating: spectrum, count: 6), motionLevels: Array(repeating: motion, count: 6),
                                                   referencesBpm: Array(repeating: 60, count: 6), spectralFloor: 0.3)
            return try evidence.track(weights: FusedEstimator.Weights(neural: 0.5, spectral: 0.5, harmonic: 5), tracking: tracking, following: following,
                                      layout: .standard)
                .compactMap(\.bpm)
        }
        for following in [RateFollowing.causal, .fixedLag(windows: 3)] {
            let still = try rates(motion: 0, following: following)
            // The smoother's read-out, a mean near the mode, leans up by up to 1 BPM: its steps rise wider than they fall.
            let tolerance = following == .causal ? 1.0 : 2.0
            #expect(still.allSatisfy { abs($0 - 60) < tolerance }, "\(following): \(still)")
            #expect(try rates(motion: 1, following: following).allSatisfy { abs($0 - 180) < tolerance }, "\(following)")
        }
        #expect(FusedEstimator.Evidence.harmonicExcess(spectrum, bins: bins)[third] == 1.0 - 0.3)
    }
}
