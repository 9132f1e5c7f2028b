/// An estimator's per-window core, as a stream drives it: consecutive windows of conditioned channels in, a heart
/// rate and a confidence out, with whatever it carries from window to window kept inside.
public protocol WindowTracker: AnyObject {
    /// The conditioning the windows must have: band-pass, its order and the analysis rate (other fields unused).
    var conditioning: SpectralEstimator.Configuration { get }
    /// Samples per window at the analysis rate.
    var windowSamples: Int { get }
    /// Heart rate (BPM) and confidence (0…1) of the next window; `elapsedWindows` counts the shifts since the last
    /// window tracked (more than 1 after windows that could not be analysed).
    func track(ppg: [[Float]], acc: [[Float]], elapsedWindows: Int) throws -> (bpm: Double, confidence: Double)
}

extension SpectralTracker: WindowTracker {
    public var conditioning: SpectralEstimator.Configuration { configuration }

    public func track(ppg: [[Float]], acc: [[Float]], elapsedWindows: Int) -> (bpm: Double, confidence: Double) {
        step(ppg: ppg, acc: acc, elapsedWindows: elapsedWindows)
    }
}
