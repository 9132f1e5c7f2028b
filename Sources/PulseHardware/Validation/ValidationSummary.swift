/// Predicted against measured latency for one graph.
public struct ValidationCase: Sendable, Equatable {
    /// The graph.
    public var name: String
    /// The cost model's latency, in seconds.
    public var predictedSeconds: Double
    /// The measured latency, in seconds.
    public var measuredSeconds: Double

    /// A case for `name`.
    public init(name: String, predictedSeconds: Double, measuredSeconds: Double) {
        self.name = name
        self.predictedSeconds = predictedSeconds
        self.measuredSeconds = measuredSeconds
    }

    /// `predicted / measured − 1`.
    public var relativeError: Double { predictedSeconds / measuredSeconds - 1 }
}

/// How well predictions follow measurements over a set of graphs.
public struct ValidationSummary: Sendable, Equatable {
    /// The graphs.
    public var cases: [ValidationCase]

    /// A summary of `cases`.
    public init(cases: [ValidationCase]) { self.cases = cases }

    /// Share of cases whose relative error is within `±tolerance`.
    public func shareWithin(_ tolerance: Double) -> Double {
        guard !cases.isEmpty else { return 0 }
        return Double(cases.filter { abs($0.relativeError) <= tolerance }.count) / Double(cases.count)
    }

    /// The median of the absolute relative errors.
    public var medianAbsoluteError: Double {
        let errors = cases.map { abs($0.relativeError) }.sorted()
        guard !errors.isEmpty else { return .nan }
        return errors.count % 2 == 1 ? errors[errors.count / 2] : (errors[errors.count / 2 - 1] + errors[errors.count / 2]) / 2
    }

    /// The case with the largest absolute relative error.
    public var worst: ValidationCase? { cases.max { abs($0.relativeError) < abs($1.relativeError) } }

    /// Spearman's rank correlation of predicted and measured latencies (ties share their mean rank).
    public var spearman: Double {
        SpearmanCorrelation.coefficient(cases.map(\.predictedSeconds), cases.map(\.measuredSeconds))
    }

    /// Whether predictions put the cases in the measured order.
    public var ordersAsMeasured: Bool {
        cases.indices.sorted { cases[$0].predictedSeconds < cases[$1].predictedSeconds }
            == cases.indices.sorted { cases[$0].measuredSeconds < cases[$1].measuredSeconds }
    }
}

/// Spearman's rank correlation.
public enum SpearmanCorrelation {
    /// The Pearson correlation of the ranks of `a` and `b` (equal lengths; ties share their mean rank); NaN for
    /// fewer than two values or a constant series.
    public static func coefficient(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count, a.count >= 2 else { return .nan }
        let (x, y) = (ranks(a), ranks(b))
        let n = Double(x.count)
        let (meanX, meanY) = (x.reduce(0, +) / n, y.reduce(0, +) / n)
        var (covariance, varianceX, varianceY) = (0.0, 0.0, 0.0)
        for (u, v) in zip(x, y) {
            covariance += (u - meanX) * (v - meanY)
            varianceX += (u - meanX) * (u - meanX)
            varianceY += (v - meanY) * (v - meanY)
        }
        return covariance / (varianceX * varianceY).squareRoot()
    }

    /// Ranks from 1, ties given their mean rank.
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            for position in start...end { ranks[order[position]] = Double(start + end) / 2 + 1 }
            start = end + 1
        }
        return ranks
    }
}
