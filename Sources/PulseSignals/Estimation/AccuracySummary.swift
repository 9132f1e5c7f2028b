/// Accuracy of estimates against the reference: mean absolute error over the labelled, valid windows.
public struct AccuracySummary: Sendable, Equatable {
    /// Windows with both a reference and an estimate.
    public var scoredWindows: Int
    /// Windows that had a reference but no estimate (gaps), excluded from the error.
    public var invalidWindows: Int
    /// Mean absolute error in BPM over the scored windows (NaN when none).
    public var maeBpm: Double
    /// Root-mean-square error in BPM.
    public var rmseBpm: Double
    /// Share of scored windows within 5 BPM of the reference.
    public var within5Bpm: Double
    /// Share of scored windows within 10 BPM of the reference.
    public var within10Bpm: Double

    /// Summarises the scored windows among `estimates`.
    public init<S: Sequence>(_ estimates: S) where S.Element == WindowEstimate {
        var errors: [Double] = []
        var invalid = 0
        for estimate in estimates where estimate.referenceBpm != nil {
            if let error = estimate.absoluteErrorBpm { errors.append(error) } else { invalid += 1 }
        }
        scoredWindows = errors.count
        invalidWindows = invalid
        let count = Double(errors.count)
        maeBpm = errors.isEmpty ? .nan : errors.reduce(0, +) / count
        rmseBpm = errors.isEmpty ? .nan : (errors.reduce(0) { $0 + $1 * $1 } / count).squareRoot()
        within5Bpm = errors.isEmpty ? .nan : Double(errors.filter { $0 <= 5 }.count) / count
        within10Bpm = errors.isEmpty ? .nan : Double(errors.filter { $0 <= 10 }.count) / count
    }
}
