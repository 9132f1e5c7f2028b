/// A request the signal-processing code cannot meet, with a message naming the parameter.
public struct DSPError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
