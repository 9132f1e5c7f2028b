/// A causal, stateful second-order-section filter for streaming: samples go in chunk by chunk and the output
/// is the same as filtering the concatenated signal in one call.
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
        if !primed {
            states = design.unitStepStates.map { ($0.0 * Double(first), $0.1 * Double(first)) }
            primed = true
        }
        var buffer = chunk.map(Double.init)
        design.run(&buffer, states: &states)
        return buffer.map(Float.init)
    }
}
