/// An ONNX model that pulse cannot read or a graph it cannot write as ONNX, naming where: the node (its name, its
/// index in the graph and its op type), the initializer, input or field, and what is wrong or unsupported.
public struct ONNXError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where the problem is: `node 3 "conv1" (Conv)`, `initializer conv1.weight`, `opset_import`, `instruction 12 (conv0)`.
    public var location: String
    /// What is wrong, as a sentence without the location.
    public var message: String

    /// An error at `location` saying `message`.
    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `location: message`.
    public var description: String { "\(location): \(message)" }
}
