/// Two dilated convolutions with a skip connection (TEMPONet / TCN style):
/// `y = relu(x + conv₂(relu(conv₁(x))))`, channels and length unchanged.
public struct ResidualBlock: Layer, Sendable {
    /// The block's name, which prefixes its convolutions (`NAME.conv1`, `NAME.conv2`).
    public let name: String
    public let channels: Int
    public let kernelSize: Int
    public let dilation: Int

    /// A block named `name` over `channels` channels, each convolution of `kernelSize` taps at `dilation`.
    public init(_ name: String, channels: Int, kernelSize: Int, dilation: Int) {
        self.name = name
        self.channels = channels
        self.kernelSize = kernelSize
        self.dilation = dilation
    }

    /// Appends the block after `input` (`[channels, length]`).
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
