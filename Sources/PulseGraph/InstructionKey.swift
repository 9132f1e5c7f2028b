/// An instruction's identity, which rewrites keep: unlike its position (`InstructionID`), which pruning and
/// replacing shift, an instruction keeps its key for as long as it stays in the graph, and a new instruction gets
/// a key no instruction of the graph ever had.
public struct InstructionKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The key's number: the order in which the graph's instructions were created.
    public let value: Int

    /// The key numbered `value`.
    public init(_ value: Int) { self.value = value }

    /// Creation order: `a` was created before `b`.
    public static func < (a: InstructionKey, b: InstructionKey) -> Bool { a.value < b.value }

    /// `key value`.
    public var description: String { "key \(value)" }

    /// Decodes the key from its number.
    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int.self) }

    /// Encodes the key as its number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
