import Foundation

/// Latencies summarised in fixed memory: counts in logarithmic bins, 40 per decade from 100 ns to 100 s, so a
/// quantile is known to within 3 %; the exact minimum and maximum are kept as well.
public struct LatencyHistogram: Sendable {
    private static let binsPerDecade = 40.0
    private static let lowestSeconds = 1e-7
    private var counts = [Int](repeating: 0, count: 360)
    public private(set) var count = 0
    public private(set) var minimumSeconds = Double.infinity
    public private(set) var maximumSeconds = 0.0

    public init() {}

    public mutating func record(_ seconds: Double) {
        let position = log10(max(seconds, Self.lowestSeconds) / Self.lowestSeconds) * Self.binsPerDecade
        counts[min(counts.count - 1, max(0, Int(position)))] += 1
        count += 1
        minimumSeconds = min(minimumSeconds, seconds)
        maximumSeconds = max(maximumSeconds, seconds)
    }

    /// The `q`-quantile (`q` in 0...1), as the geometric centre of its bin clamped to the observed range; `nil`
    /// before the first record.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (bin, binCount) in counts.enumerated() {
            seen += binCount
            if seen >= rank {
                let centre = Self.lowestSeconds * pow(10, (Double(bin) + 0.5) / Self.binsPerDecade)
                return min(max(centre, minimumSeconds), maximumSeconds)
            }
        }
        return maximumSeconds
    }
}
