/// A graph that cannot be built or run as asked, naming the instruction and what is wrong with it.
public struct GraphError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, naming the layer or instruction.
    public var message: String

    /// An error saying `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
