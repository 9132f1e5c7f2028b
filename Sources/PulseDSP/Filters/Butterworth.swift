import Numerics
import Foundation

/// Which frequencies a filter passes.
public enum FilterBand: Sendable, Equatable {
    case lowPass(cutoffHz: Double)
    case highPass(cutoffHz: Double)
    case bandPass(lowHz: Double, highHz: Double)
}

/// Butterworth filter design (maximally flat pass band), digital by the bilinear transform with
/// pre-warped edges, returned as second-order sections with the gain in the first section.
///
/// The analog prototype of order `n` has poles `p_k = exp(iπ(2k + n + 1) / 2n)`, `k = 0..<n`, on the left
/// unit half-circle; band transforms follow the textbook `s → s/ω`, `s → ω/s`, `s → (s² + ω₀²)/(s·B)`.
/// A band-pass design of order `n` has `2n` poles. Matches SciPy's `butter(..., output='sos')` response.
public enum Butterworth {
    /// Orders this design accepts; beyond them the poles crowd and second-order sections lose their accuracy.
    public static let orderRange = 1...32

    /// Designs the filter.
    /// - Throws: `DSPError` when the order lies outside `orderRange` or a cutoff is not strictly between 0 and Nyquist.
    public static func design(order: Int, band: FilterBand, sampleRateHz: Double) throws -> SecondOrderSections {
        guard orderRange.contains(order) else { throw DSPError("filter order must lie within \(orderRange) (got \(order))") }
        guard sampleRateHz.isFinite, sampleRateHz > 0 else {
            throw DSPError("sample rate must be positive (got \(sampleRateHz) Hz)")
        }
        let nyquist = sampleRateHz / 2
        let edges: [Double]
        switch band {
        case .lowPass(let f), .highPass(let f): edges = [f]
        case .bandPass(let low, let high):
            guard low < high else { throw DSPError("band-pass edges must rise (got \(low) Hz to \(high) Hz)") }
            edges = [low, high]
        }
        for edge in edges where !(edge > 0 && edge < nyquist) {
            throw DSPError("cutoff \(edge) Hz must lie between 0 and the Nyquist frequency \(nyquist) Hz")
        }
        // Pre-warp so that the digital edges land where asked: ω = 2 fs tan(π f / fs).
        let warp = { (f: Double) in 2 * sampleRateHz * tan(Double.pi * f / sampleRateHz) }
        let prototype = (0..<order).map { k in
            Complex<Double>(length: 1, phase: Double.pi * Double(2 * k + order + 1) / Double(2 * order))
        }
        var poles: [Complex<Double>]
        var zeros: [Complex<Double>]
        var gain: Double
        switch band {
        case .lowPass(let f):
            let w = warp(f)
            poles = prototype.map { $0 * Complex(w) }
            zeros = []
            gain = pow(w, Double(order))
        case .highPass(let f):
            let w = warp(f)
            poles = prototype.map { Complex(w) / $0 }
            zeros = Array(repeating: .zero, count: order)
            // k / Π(−p) with Π(−p) = 1: the prototype's poles are conjugate pairs (and −1) on the unit circle.
            gain = 1
        case .bandPass(let low, let high):
            let (w1, w2) = (warp(low), warp(high))
            let bandwidth = w2 - w1
            let centre2 = Complex(w1 * w2)
            poles = prototype.flatMap { p -> [Complex<Double>] in
                let half = p * Complex(bandwidth / 2)
                let root = Complex.sqrt(half * half - centre2)
                return [half + root, half - root]
            }
            zeros = Array(repeating: .zero, count: order)
            gain = pow(bandwidth, Double(order))
        }
        return bilinear(zeros: zeros, poles: poles, gain: gain, sampleRateHz: sampleRateHz)
    }

    /// Maps analog zeros, poles and gain to the z-plane (`z = (2fs + s) / (2fs − s)`) and pairs them into
    /// sections. Zeros at infinity land at z = −1.
    private static func bilinear(
        zeros: [Complex<Double>], poles: [Complex<Double>], gain: Double, sampleRateHz: Double
    ) -> SecondOrderSections {
        let fs2 = Complex(2 * sampleRateHz)
        let map = { (s: Complex<Double>) in (fs2 + s) / (fs2 - s) }
        let digitalPoles = poles.map(map)
        var digitalZeros = zeros.map(map)
        digitalZeros += Array(repeating: Complex(-1), count: poles.count - zeros.count)
        let numerator = zeros.reduce(Complex<Double>.one) { $0 * (fs2 - $1) }
        let denominator = poles.reduce(Complex<Double>.one) { $0 * (fs2 - $1) }
        let digitalGain = gain * (numerator / denominator).real
        return pair(zeros: digitalZeros, poles: digitalPoles, gain: digitalGain)
    }

    /// Groups conjugate pole pairs (and leftover real poles) into sections, each with two of the zeros,
    /// which for a Butterworth design all lie at z = ±1. Complex pairs come in order of their distance from
    /// the origin, then pairs of real poles, with a lone real pole (odd orders) as a first-order section first.
    private static func pair(zeros: [Complex<Double>], poles: [Complex<Double>], gain: Double) -> SecondOrderSections {
        let tolerance = 1e-12
        var complexPoles = poles.filter { $0.imaginary > tolerance }
        var realPoles = poles.filter { abs($0.imaginary) <= tolerance }.map(\.real)
        complexPoles.sort { $0.length < $1.length }
        realPoles.sort { abs($0) < abs($1) }
        var denominators: [(Double, Double)] = complexPoles.map { (-2 * $0.real, $0.lengthSquared) }
        while realPoles.count >= 2 {
            let (p, q) = (realPoles.removeFirst(), realPoles.removeFirst())
            denominators.append((-(p + q), p * q))
        }
        var firstOrderPole: Double?
        if let last = realPoles.first { firstOrderPole = last }
        var plus = zeros.filter { $0.real > 0 }.count
        var minus = zeros.count - plus
        var sections: [Biquad] = []
        if let p = firstOrderPole {
            let b1: Double
            if plus > 0 { plus -= 1; b1 = -1 } else { minus -= 1; b1 = 1 }
            sections.append(Biquad(b0: 1, b1: b1, b2: 0, a1: -p, a2: 0))
        }
        for (a1, a2) in denominators {
            // Two zeros: (z − 1)(z + 1) = z² − 1, (z − 1)² or (z + 1)².
            let (b1, b2): (Double, Double)
            if plus > 0 && minus > 0 { plus -= 1; minus -= 1; (b1, b2) = (0, -1) }
            else if plus >= 2 { plus -= 2; (b1, b2) = (-2, 1) }
            else { minus -= 2; (b1, b2) = (2, 1) }
            sections.append(Biquad(b0: 1, b1: b1, b2: b2, a1: a1, a2: a2))
        }
        sections[0].b0 *= gain
        sections[0].b1 *= gain
        sections[0].b2 *= gain
        return SecondOrderSections(sections)
    }
}
