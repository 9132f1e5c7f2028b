import PulseGraph
/// The values of one forward pass, kept so that gradients can be taken. Instructions inside a fused kernel have
/// no value of their own; fused convolutions keep their unfolded input (`columns`) for the backward pass.
public struct Evaluation {
    let graph: Graph
    let values: [Value?]
    let columns: [Int: [Float]]

    /// The value of instruction `index`, or `nil` when it ran inside a fused kernel.
    public func value(_ index: Int) -> Tensor? {
        values[index].map { Tensor(shape: $0.shape, scalars: $0.data) }
    }

    /// The graph's outputs.
    public var outputs: [Tensor] { graph.outputs.compactMap(value) }
}
