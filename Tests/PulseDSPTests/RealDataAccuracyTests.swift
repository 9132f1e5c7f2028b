import Foundation
import PulseDSP
import PulseSignals
import PulseTestSupport
import Testing

/// The spectral estimator against the ECG reference of the real recordings in `../shared/data`.
/// Bounds are the acceptance figures of the project (pooled MAE over all labelled windows).
@Suite struct RealDataAccuracyTests {
    @Test(SharedData.required, arguments: [("spc2015", 3.0), ("bami1", 5.0)])
    func pooledMAEStaysWithinBound(_ dataset: (name: String, boundBpm: Double)) throws {
        let files = SharedData.recordings(dataset.name)
        #expect(!files.isEmpty)
        var estimates: [WindowEstimate] = []
        for file in files {
            let recording = try Recording(hdf5Path: file.path)
            estimates += try SpectralEstimator().estimate(recording, layout: .standard)
        }
        let summary = AccuracySummary(estimates)
        #expect(summary.invalidWindows == 0)
        #expect(summary.maeBpm <= dataset.boundBpm, "\(dataset.name): MAE \(summary.maeBpm) BPM")
    }

    @Test(SharedData.required) func causalPreprocessingStaysClose() throws {
        let recording = try Recording(hdf5Path: SharedData.root.appendingPathComponent("spc2015/h5/DATA_05_TYPE02.h5").path)
        let estimates = try SpectralEstimator(preprocessing: .causal).estimate(recording, layout: .standard)
        #expect(AccuracySummary(estimates).maeBpm < 4)
    }
}
