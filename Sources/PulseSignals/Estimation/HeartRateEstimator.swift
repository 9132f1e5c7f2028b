/// Anything that turns a recording into one estimate per window: the spectral estimator, a neural model.
public protocol HeartRateEstimator {
    /// A short name for reports (`spectral`, a model's name).
    var name: String { get }

    /// Estimates every window of `recording` cut by `layout`; windows with gaps come back invalid.
    func estimate(_ recording: Recording, layout: WindowLayout) throws -> [WindowEstimate]
}
