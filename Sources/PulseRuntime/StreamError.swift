/// A stream that cannot go on, or cannot start, with a message naming the setting, group or sample.
public struct StreamError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
