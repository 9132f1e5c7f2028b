/// A causal, stateful second-order-section filter for streaming: samples go in chunk by chunk, or one at a time,
/// and the output is the same, bit for bit, as filtering the concatenated signal in one call.
public struct CausalFilter: Sendable {
    public let design: SecondOrderSections
    private var states: [(Double, Double)]
    private var primed = false

    /// A filter that starts, at its first sample, in the steady state of that sample's value, so that a
    /// signal's constant offset (PPG counts in the thousands) causes no start-up transient.
    public init(_ design: SecondOrderSections) {
        self.design = design
        self.states = Array(repeating: (0, 0), count: design.sections.count)
    }

    /// Filters `chunk`, continuing from the previous call.
    public mutating func process(_ chunk: [Float]) -> [Float] {
        guard let first = chunk.first else { return [] }
        prime(first)
        var buffer = chunk.map(Double.init)
        design.run(&buffer, states: &states)
        return buffer.map(Float.init)
    }

    /// Filters one sample, continuing from the previous call.
    public mutating func process(_ sample: Float) -> Float {
        prime(sample)
        var y = Double(sample)
        for index in design.sections.indices {
            let s = design.sections[index]
            let x = y
            let (z0, z1) = states[index]
            y = s.b0 * x + z0
            states[index] = (s.b1 * x - s.a1 * y + z1, s.b2 * x - s.a2 * y)
        }
        return Float(y)
    }

    private mutating func prime(_ first: Float) {
        guard !primed else { return }
        states = design.unitStepStates.map { ($0.0 * Double(first), $0.1 * Double(first)) }
        primed = true
    }
}
