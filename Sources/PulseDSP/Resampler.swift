import Foundation

/// Band-limited resampling between any two rates by windowed-sinc interpolation.
///
/// Output sample `m` lies at input position `m · q / p`, where `p / q` approximates `toHz / fromHz` (the last
/// continued-fraction convergent with `p ≤ 1024`, exact for the usual rates; a ratio above 1024 is rounded
/// to a whole number). Its value is
/// `Σₙ x[n] · (2 fc / fs_in) · sinc(2 fc (t − n / fs_in)) · kaiser(t − n / fs_in)`, with cut-off
/// `fc = 0.45 · min(fromHz, toHz)` (anti-aliasing when the rate falls) and a Kaiser window (β = 8) over
/// `zeroCrossings` lobes on each side. The `p` distinct phases are tabulated once, so resampling costs one
/// dot product per output sample. Samples beyond either end are taken equal to the end sample.
public struct Resampler: Sendable {
    public let fromHz: Double
    public let toHz: Double
    /// Output samples per `interpolation` step (`p`) and input samples per `decimation` step (`q`).
    public let interpolation: Int
    public let decimation: Int
    /// Input samples on each side of an output's centre that its value uses.
    public let halfWidth: Int
    let table: [[Float]]

    /// Lobes of the sinc kept on each side of the centre.
    public static let zeroCrossings = 12

    /// The largest factor by which the rate may rise or fall.
    public static let maximumRatio = 1e6

    /// - Throws: `DSPError` when either rate is not positive and finite, or they lie more than `maximumRatio` apart.
    public init(fromHz: Double, toHz: Double) throws {
        guard fromHz.isFinite, fromHz > 0, toHz.isFinite, toHz > 0 else {
            throw DSPError("resampling needs positive, finite rates (got \(fromHz) Hz to \(toHz) Hz)")
        }
        guard max(toHz / fromHz, fromHz / toHz) <= Self.maximumRatio else {
            throw DSPError("resampling from \(fromHz) Hz to \(toHz) Hz changes the rate by more than \(Int(Self.maximumRatio))×")
        }
        self.fromHz = fromHz
        self.toHz = toHz
        (interpolation, decimation) = Self.rationalApproximation(toHz / fromHz, maxNumerator: 1024)
        let cutoff = 0.45 * min(fromHz, toHz)
        let samplesPerLobe = fromHz / (2 * cutoff)
        let halfWidth = Int((Double(Self.zeroCrossings) * samplesPerLobe).rounded(.up))
        self.halfWidth = halfWidth
        let support = Double(halfWidth) + 1
        let p = interpolation
        let q = decimation
        table = (0..<p).map { phase in
            let fraction = Double(phase * q % p) / Double(p)
            return (-halfWidth...halfWidth).map { tap in
                let distance = Double(tap) - fraction
                let x = 2 * cutoff / fromHz * distance
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                return Float(2 * cutoff / fromHz * sinc * kaiser(distance / support, beta: 8))
            }
        }
    }

    /// Number of output samples for `inputCount` input samples: `⌊inputCount · p / q⌋`.
    public func outputCount(for inputCount: Int) -> Int { inputCount * interpolation / decimation }

    /// Resamples a whole signal.
    public func resample(_ signal: [Float]) -> [Float] {
        let count = signal.count
        guard count > 0 else { return [] }
        let p = interpolation
        let q = decimation
        return (0..<outputCount(for: count)).map { m in
            let base = m * q / p
            let weights = table[m % p]
            var sum: Float = 0
            if base - halfWidth >= 0 && base + halfWidth < count {
                signal.withUnsafeBufferPointer { x in
                    for k in 0..<weights.count { sum += weights[k] * x[base - halfWidth + k] }
                }
            } else {
                for k in 0..<weights.count {
                    sum += weights[k] * signal[min(max(base - halfWidth + k, 0), count - 1)]
                }
            }
            return sum
        }
    }

    /// The last continued-fraction convergent `p / q` of `ratio` with `p ≤ maxNumerator`.
    static func rationalApproximation(_ ratio: Double, maxNumerator: Int) -> (Int, Int) {
        var (p0, q0, p1, q1) = (0, 1, 1, 0)
        var x = ratio
        for _ in 0..<64 {
            let a = Int(x.rounded(.down))
            let (p2, q2) = (a * p1 + p0, a * q1 + q0)
            if p2 > maxNumerator { break }
            (p0, q0, p1, q1) = (p1, q1, p2, q2)
            let remainder = x - Double(a)
            if remainder < 1e-12 || abs(Double(p1) / Double(q1) - ratio) < 1e-12 * ratio { break }
            x = 1 / remainder
        }
        return q1 == 0 ? (max(1, Int(ratio.rounded())), 1) : (p1, q1)
    }
}

/// The Kaiser window at `position` in [-1, 1]: `I₀(β √(1 − x²)) / I₀(β)`, 0 outside.
func kaiser(_ position: Double, beta: Double) -> Double {
    guard abs(position) < 1 else { return 0 }
    return besselI0(beta * (1 - position * position).squareRoot()) / besselI0(beta)
}

/// The modified Bessel function of the first kind, order 0, by its power series.
func besselI0(_ x: Double) -> Double {
    var sum = 1.0
    var term = 1.0
    let quarter = x * x / 4
    for k in 1..<64 {
        term *= quarter / Double(k * k)
        sum += term
        if term < 1e-17 * sum { break }
    }
    return sum
}
