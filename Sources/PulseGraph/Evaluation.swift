/// Every instruction's value from one forward pass, kept so that gradients can be taken.
public struct Evaluation {
    let graph: Graph
    let values: [Value]

    /// The value of instruction `index`.
    public func value(_ index: Int) -> Tensor { Tensor(shape: values[index].shape, scalars: values[index].data) }

    /// The graph's outputs.
    public var outputs: [Tensor] { graph.outputs.map(value) }
}
