import Foundation

/// The matrices of a 1-D Winograd (Toom–Cook) correlation `F(m, r)`: `m` outputs of an `r`-tap filter from
/// `n = m + r − 1` inputs, as `y = Aᵀ [(G g) ⊙ (Bᵀ d)]` with `n` multiplications instead of `m · r`.
///
/// The interpolation points are 0, ±1, ±2, ±½ and infinity (for `n = 8`). `Aᵀ` holds the points' powers,
/// `G` the Lagrange-scaled powers, and `Bᵀ` is solved (in Double) from the identity
/// `Σ_ξ Aᵀ[i][ξ] G[ξ][k] Bᵀ[ξ][j] = [j = i + k]`, then checked to hold within 1e-9.
struct WinogradTransform: Sendable {
    /// Outputs per tile (`m`).
    let outputs: Int
    /// Filter taps (`r`).
    let taps: Int
    /// Inputs per tile and products (`n`).
    let points: Int
    /// `Bᵀ`, `n × n` row-major.
    let inputTransform: [Float]
    /// `Aᵀ`, `m × n` row-major.
    let outputTransform: [Float]
    /// `G`, `n × r` row-major, in Double: it is applied once to the weights.
    let filterTransform: [Double]

    private static let finitePoints: [Double] = [0, 1, -1, 2, -2, 0.5, -0.5, 4, -4, 0.25, -0.25]

    /// The transform for an `taps`-tap filter with `points` products, or `nil` when there is none (fewer than 2
    /// outputs per tile, or too many points for the table).
    init?(taps: Int, points: Int = 8) {
        let outputs = points - taps + 1
        guard taps >= 2, outputs >= 2, points - 1 <= Self.finitePoints.count else { return nil }
        let p = Array(Self.finitePoints.prefix(points - 1))
        var a = [Double](repeating: 0, count: outputs * points)
        for i in 0..<outputs {
            for (xi, point) in p.enumerated() { a[i * points + xi] = pow(point, Double(i)) }
        }
        a[(outputs - 1) * points + points - 1] = 1
        var g = [Double](repeating: 0, count: points * taps)
        for (xi, point) in p.enumerated() {
            let scale = p.enumerated().reduce(1.0) { $1.offset == xi ? $0 : $0 * (point - $1.element) }
            for k in 0..<taps { g[xi * taps + k] = pow(point, Double(k)) / scale }
        }
        g[(points - 1) * taps + taps - 1] = 1
        // Solve each column of Bᵀ by least squares on the identity's m · r equations.
        var b = [Double](repeating: 0, count: points * points)
        for j in 0..<points {
            var rows: [[Double]] = []
            var targets: [Double] = []
            for i in 0..<outputs {
                for k in 0..<taps {
                    rows.append((0..<points).map { a[i * points + $0] * g[$0 * taps + k] })
                    targets.append(j == i + k ? 1 : 0)
                }
            }
            guard let column = Self.leastSquares(rows, targets) else { return nil }
            for xi in 0..<points { b[xi * points + j] = column[xi] }
            for (row, target) in zip(rows, targets) {
                let value = zip(row, column).reduce(0) { $0 + $1.0 * $1.1 }
                guard Swift.abs(value - target) < 1e-9 else { return nil }
            }
        }
        // The kernels compute Bᵀ d and Aᵀ M through the factored forms `transformInput` and `transformOutput`,
        // which hold for the eight-point set only: check that the solved matrix is the one they factor.
        guard points == 8, zip(b, Self.factoredInputTransform).allSatisfy({ Swift.abs($0 - $1) < 1e-9 }) else { return nil }
        self.outputs = outputs
        self.taps = taps
        self.points = points
        self.inputTransform = b.map(Float.init)
        self.outputTransform = a.map(Float.init)
        self.filterTransform = g
    }

    /// `Bᵀ` for the points 0, ±1, ±2, ±½, ∞, row-major: the matrix `transformInput` computes in factored form.
    static let factoredInputTransform: [Double] = [
        -1, 0, 5.25, 0, -5.25, 0, 1, 0,
        0, 1, 1, -4.25, -4.25, 1, 1, 0,
        0, -1, 1, 4.25, -4.25, -1, 1, 0,
        0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0,
        0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0,
        0, 2, 4, -2.5, -5, 0.5, 1, 0,
        0, -2, 4, 2.5, -5, -0.5, 1, 0,
        0, -1, 0, 5.25, 0, -5.25, 0, 1,
    ]

    /// `Bᵀ d` in factored form: the rows for `+p` and `−p` share their even-index part `E` and odd-index part `O`
    /// (`E + O` and `E − O`), 26 operations instead of 64.
    @inline(__always)
    static func transformInput(_ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>, _ d3: SIMD8<Float>,
                               _ d4: SIMD8<Float>, _ d5: SIMD8<Float>, _ d6: SIMD8<Float>, _ d7: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let v0 = (d6 - d0) + 5.25 * (d2 - d4)
        let v7 = (d7 - d1) + 5.25 * (d3 - d5)
        let e1 = (d2 + d6) - 4.25 * d4
        let o1 = (d1 + d5) - 4.25 * d3
        let e2 = (0.25 * d2 - 1.25 * d4) + d6
        let o2 = (0.5 * d1 - 2.5 * d3) + 2 * d5
        let e3 = (4 * d2 - 5 * d4) + d6
        let o3 = (2 * d1 - 2.5 * d3) + 0.5 * d5
        return (v0, e1 + o1, e1 - o1, e2 + o2, e2 - o2, e3 + o3, e3 - o3, v7)
    }

    /// Row `i` of `Aᵀ M` in factored form, from the sums `s_q` and differences `d_q` of the products at `±p_q`
    /// (`p = 1, 2, ½`): `[i = 0] m₀ + Σ_q p_qⁱ (i even ? s_q : d_q) + [i = m − 1] m₇`.
    @inline(__always)
    func transformOutput(row i: Int, m0: SIMD8<Float>, m7: SIMD8<Float>, sums: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
                         differences: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) -> SIMD8<Float> {
        let (a, b, c) = i % 2 == 0 ? sums : differences
        let scale2 = Float(1 << i)
        let scaleHalf = 1 / scale2
        var y = a + scale2 * b + scaleHalf * c
        if i == 0 { y += m0 }
        if i == outputs - 1 { y += m7 }
        return y
    }

    /// `x` minimising `|R x − t|` through the normal equations and Gaussian elimination with partial pivoting.
    private static func leastSquares(_ rows: [[Double]], _ targets: [Double]) -> [Double]? {
        let n = rows[0].count
        var m = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for (row, target) in zip(rows, targets) {
            for i in 0..<n {
                for j in 0..<n { m[i][j] += row[i] * row[j] }
                m[i][n] += row[i] * target
            }
        }
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { Swift.abs(m[$0][column]) < Swift.abs(m[$1][column]) }),
                  Swift.abs(m[pivot][column]) > 1e-12 else { return nil }
            m.swapAt(column, pivot)
            for row in 0..<n where row != column {
                let factor = m[row][column] / m[column][column]
                for j in column...n { m[row][j] -= factor * m[column][j] }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }
}
