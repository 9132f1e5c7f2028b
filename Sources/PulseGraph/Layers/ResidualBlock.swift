/// Two dilated convolutions with a skip connection (TEMPONet / TCN style):
/// `y = relu(x + conv₂(relu(conv₁(x))))`, channels and length unchanged.
public struct ResidualBlock: Layer, Sendable {
    public let name: String
    public let channels: Int
    public let kernelSize: Int
    public let dilation: Int

    public init(_ name: String, channels: Int, kernelSize: Int, dilation: Int) {
        self.name = name
        self.channels = channels
        self.kernelSize = kernelSize
        self.dilation = dilation
    }

    public func callAsFunction(_ input: Int, in graph: inout Graph) throws -> Int {
        let first = try Conv1d(name + ".conv1", inputChannels: channels, outputChannels: channels, kernelSize: kernelSize,
                               dilation: dilation)(input, in: &graph)
        let activated = try graph.append(.relu, [first], layer: name + ".conv1")
        let second = try Conv1d(name + ".conv2", inputChannels: channels, outputChannels: channels, kernelSize: kernelSize,
                                dilation: dilation)(activated, in: &graph)
        let sum = try graph.append(.add, [input, second], layer: name)
        return try graph.append(.relu, [sum], layer: name)
    }
}
