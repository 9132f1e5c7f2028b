extension FittedTerms {
    /// What a kernel does per sample, in the terms' units: calls, multiply-accumulates and values moved.
    public struct Quantities: Sendable, Equatable {
        /// Calls per sample (`1 / tile` for a kernel called once per tile).
        public var calls: Double
        /// Multiply-accumulates per sample.
        public var work: Double
        /// Values read and written per sample.
        public var values: Double

        /// Quantities given one by one.
        public init(calls: Double, work: Double, values: Double) {
            self.calls = calls
            self.work = work
            self.values = values
        }
    }

    /// Seconds per sample of a kernel doing `quantities`.
    public func seconds(_ quantities: Quantities) -> Double {
        secondsPerCall.value * quantities.calls + secondsPerMAC.value * quantities.work + secondsPerValue.value * quantities.values
    }

    /// One timed kernel: what it does per sample and its measured seconds per sample.
    public struct Observation: Sendable, Equatable {
        /// What the kernel does per sample.
        public var quantities: Quantities
        /// Measured seconds per sample.
        public var seconds: Double

        /// An observation.
        public init(quantities: Quantities, seconds: Double) {
            self.quantities = quantities
            self.seconds = seconds
        }
    }

    /// The non-negative terms that best fit `observations` in relative error: weighted least squares (weights
    /// `1 / seconds`) over every subset of the three terms, keeping the best solution whose terms are all
    /// non-negative. `nil` without observations.
    public static func fitted(_ observations: [Observation], source: String) -> FittedTerms? {
        guard !observations.isEmpty else { return nil }
        let rows = observations.map { observation -> (x: [Double], y: Double) in
            let w = 1 / max(observation.seconds, 1e-12)
            let q = observation.quantities
            return ([w * q.calls, w * q.work, w * q.values], 1)
        }
        var best: (loss: Double, terms: [Double])?
        for mask in 1..<8 {
            let used = (0..<3).filter { mask & (1 << $0) != 0 }
            guard let solution = leastSquares(rows.map { row in used.map { row.x[$0] } }, rows.map(\.y)), solution.allSatisfy({ $0 >= 0 })
            else { continue }
            var terms = [0.0, 0, 0]
            for (position, index) in used.enumerated() { terms[index] = solution[position] }
            let loss = rows.reduce(0) { total, row in
                let residual = zip(row.x, terms).reduce(0) { $0 + $1.0 * $1.1 } - row.y
                return total + residual * residual
            }
            if loss < (best?.loss ?? .infinity) { best = (loss, terms) }
        }
        guard let terms = best?.terms else { return nil }
        return FittedTerms(secondsPerCall: terms[0], secondsPerMAC: terms[1], secondsPerValue: terms[2], source: source)
    }

    /// The least-squares solution of `a · x = b` by the normal equations on columns scaled to unit root mean square
    /// (Gaussian elimination with partial pivoting); `nil` when they are singular.
    public static func leastSquares(_ unscaled: [[Double]], _ b: [Double]) -> [Double]? {
        guard let columns = unscaled.first?.count, columns > 0 else { return nil }
        let scales = (0..<columns).map { column in
            max((unscaled.reduce(0) { $0 + $1[column] * $1[column] } / Double(unscaled.count)).squareRoot(), 1e-300)
        }
        let a = unscaled.map { row in (0..<columns).map { row[$0] / scales[$0] } }
        var m = [[Double]](repeating: [Double](repeating: 0, count: columns + 1), count: columns)
        for (row, y) in zip(a, b) {
            for i in 0..<columns {
                for j in 0..<columns { m[i][j] += row[i] * row[j] }
                m[i][columns] += row[i] * y
            }
        }
        for pivot in 0..<columns {
            guard let best = (pivot..<columns).max(by: { abs(m[$0][pivot]) < abs(m[$1][pivot]) }), abs(m[best][pivot]) > 1e-300 else { return nil }
            m.swapAt(pivot, best)
            for row in 0..<columns where row != pivot {
                let factor = m[row][pivot] / m[pivot][pivot]
                for column in pivot...columns { m[row][column] -= factor * m[pivot][column] }
            }
        }
        return (0..<columns).map { m[$0][columns] / m[$0][$0] / scales[$0] }
    }
}
