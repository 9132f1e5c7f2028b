/// A graph that cannot be built or run as asked, naming the instruction and what is wrong with it.
public struct GraphError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
