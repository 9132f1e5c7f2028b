/// Names one instruction of a graph: its position in `Graph.instructions`.
public struct InstructionID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The instruction's index in `Graph.instructions`.
    public let index: Int

    /// The instruction at `index`.
    public init(_ index: Int) { self.index = index }

    /// Graph order: `a` comes before `b`.
    public static func < (a: InstructionID, b: InstructionID) -> Bool { a.index < b.index }

    /// `#index`.
    public var description: String { "#\(index)" }
}
