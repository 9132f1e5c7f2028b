/// An activation being read: the value of graph instruction `index`, which ONNX sees as `[N] + shape` with axes of
/// extent 1 inserted at `unitAxes`. Reshapes that only add or drop such axes (`Unsqueeze`, `Squeeze`, the
/// `[N, C, 1, L]` form of a 1-D convolution) cost no instruction.
struct ImportedActivation: Hashable {
    /// The graph instruction holding the values.
    var index: Int
    /// ONNX axes (each at least 1, ascending) of extent 1 that the graph value does not have.
    var unitAxes: [Int]

    /// The activation with no inserted axes.
    init(_ index: Int, unitAxes: [Int] = []) {
        self.index = index
        self.unitAxes = unitAxes
    }
}

/// An ONNX value while the model is read.
enum ImportedValue {
    /// A value computed from the model's input: it has the batch axis first.
    case activation(ImportedActivation)
    /// A value known while reading (initializer, `Constant`, or computed from those alone).
    case constant(ONNXConstant)
}
