import Numerics

/// One biquad, `H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²)`; a first-order section has `b2 = a2 = 0`.
public struct Biquad: Sendable, Equatable {
    public var b0, b1, b2, a1, a2: Double

    public init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        (self.b0, self.b1, self.b2, self.a1, self.a2) = (b0, b1, b2, a1, a2)
    }

    /// The transposed direct-form II state after an infinitely long constant input of 1 (the step's steady
    /// state): solves `(I - Aᵀ) z = b[1:] - a[1:] b0` for the section's companion matrix `A`.
    var unitStepState: (Double, Double) {
        let u0 = b1 - a1 * b0
        let u1 = b2 - a2 * b0
        let z0 = (u0 + u1) / (1 + a1 + a2)
        return (z0, u1 - a2 * z0)
    }

    /// Gain at zero frequency, `H(1)`.
    var dcGain: Double { (b0 + b1 + b2) / (1 + a1 + a2) }
}

/// A digital filter as a cascade of second-order sections, the numerically robust form of an IIR filter.
public struct SecondOrderSections: Sendable, Equatable {
    public var sections: [Biquad]

    public init(_ sections: [Biquad]) { self.sections = sections }

    /// The complex frequency response `H(e^{jω})` at `frequencyHz` for a signal sampled at `sampleRateHz`.
    public func response(atHz frequencyHz: Double, sampleRateHz: Double) -> Complex<Double> {
        let omega = 2 * Double.pi * frequencyHz / sampleRateHz
        let z1 = Complex<Double>(length: 1, phase: -omega)
        let z2 = z1 * z1
        var h = Complex<Double>.one
        for s in sections {
            let numerator = Complex(s.b0) + Complex(s.b1) * z1 + Complex(s.b2) * z2
            let denominator = Complex(1) + Complex(s.a1) * z1 + Complex(s.a2) * z2
            h = h * numerator / denominator
        }
        return h
    }

    /// `|H|` at `frequencyHz`.
    public func magnitude(atHz frequencyHz: Double, sampleRateHz: Double) -> Double {
        response(atHz: frequencyHz, sampleRateHz: sampleRateHz).length
    }

    /// Per-section initial states for which a constant input of 1 passes without transient (SciPy's
    /// `sosfilt_zi`): each section's step state scaled by the DC gain of the sections before it.
    public var unitStepStates: [(Double, Double)] {
        var scale = 1.0
        return sections.map { section in
            let (z0, z1) = section.unitStepState
            defer { scale *= section.dcGain }
            return (z0 * scale, z1 * scale)
        }
    }

    /// Number of first-order sections (`b2 == 0` and `a2 == 0`).
    var firstOrderCount: Int { sections.filter { $0.b2 == 0 && $0.a2 == 0 }.count }
}
