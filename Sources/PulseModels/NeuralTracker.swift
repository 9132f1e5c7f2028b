import Foundation
import PulseDSP

/// A model as a stream's window tracker: each window goes through the model on its own (a batch of one, one
/// thread) and a `RateTracker` follows the rate, exactly as `NeuralEstimator` does over a whole recording.
public final class NeuralTracker: WindowTracker {
    public let estimator: NeuralEstimator
    private let tracker: RateTracker

    /// - Throws: `DSPError` when the model's rate bins cannot form a tracker grid.
    public init(estimator: NeuralEstimator) throws {
        self.estimator = estimator
        let bins = estimator.model.output
        tracker = try RateTracker(firstBpm: bins.firstBpm, binBpm: bins.binBpm, binCount: bins.count, settings: estimator.tracking)
    }

    public var conditioning: SpectralEstimator.Configuration { estimator.model.input.conditioning }

    public var windowSamples: Int { estimator.model.input.windowSamples }

    /// - Throws: `GraphError` when the model cannot run on the window.
    public func track(ppg: [[Float]], acc: [[Float]], elapsedWindows: Int) throws -> (bpm: Double, confidence: Double) {
        let window = estimator.model.input.window(ppg: ppg, acc: acc)
        let probabilities = try estimator.probabilities([window], threads: 1)[0]
        return tracker.step(logLikelihood: probabilities.map { Foundation.log($0 + NeuralEstimator.probabilityFloor) },
                            elapsedWindows: elapsedWindows)
    }
}
