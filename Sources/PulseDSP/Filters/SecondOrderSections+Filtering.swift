extension SecondOrderSections {
    /// Runs the cascade over `signal` in place, starting from `states` (transposed direct form II per
    /// section: `y = b0 x + z0; z0 = b1 x − a1 y + z1; z1 = b2 x − a2 y`) and leaving the final states there.
    func run(_ signal: inout [Double], states: inout [(Double, Double)]) {
        for (index, s) in sections.enumerated() {
            var (z0, z1) = states[index]
            for i in signal.indices {
                let x = signal[i]
                let y = s.b0 * x + z0
                z0 = s.b1 * x - s.a1 * y + z1
                z1 = s.b2 * x - s.a2 * y
                signal[i] = y
            }
            states[index] = (z0, z1)
        }
    }

    /// Number of samples reflected at each end by `filtfilt` (SciPy's default `padlen` for `sosfiltfilt`).
    public var zeroPhasePadding: Int {
        3 * (2 * sections.count + 1 - firstOrderCount)
    }

    /// Zero-phase filtering: forward, then backward over the reversed output, so the phase shifts cancel and
    /// the magnitude response is `|H|²`. Like SciPy's `sosfiltfilt`: the ends are extended by odd reflection
    /// (`2 x[0] − x[k]`) over `zeroPhasePadding` samples (fewer for short signals) and each pass starts from
    /// the steady state of its first sample, so a constant offset passes without transient.
    public func filtfilt(_ signal: [Float]) -> [Float] {
        let count = signal.count
        guard count > 1 else { return signal }
        let pad = min(zeroPhasePadding, count - 1)
        var extended = [Double](repeating: 0, count: count + 2 * pad)
        let first = Double(signal[0])
        let last = Double(signal[count - 1])
        for i in 0..<pad {
            extended[i] = 2 * first - Double(signal[pad - i])
            extended[pad + count + i] = 2 * last - Double(signal[count - 2 - i])
        }
        for i in 0..<count { extended[pad + i] = Double(signal[i]) }
        let unit = unitStepStates
        var states = unit.map { ($0.0 * extended[0], $0.1 * extended[0]) }
        run(&extended, states: &states)
        extended.reverse()
        states = unit.map { ($0.0 * extended[0], $0.1 * extended[0]) }
        run(&extended, states: &states)
        return (0..<count).map { Float(extended[extended.count - 1 - pad - $0]) }
    }
}
