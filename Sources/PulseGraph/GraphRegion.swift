/// A part of a graph, the instructions of some layers, with the values that cross its edge: what a rewrite
/// replaces. Positions are those of the graph the region was taken from; `keys` let `Graph.replace` check
/// that the graph has not changed since.
public struct GraphRegion: Sendable, Equatable {
    /// The layers whose instructions make up the region.
    public var layers: [String]
    /// Positions of the region's instructions (parameters and constants included), in graph order.
    public var instructions: [Int]
    /// The keys of `instructions`.
    public var keys: [InstructionKey]
    /// Values made outside the region that its instructions read, in order of first use.
    public var inputs: [Int]
    /// Values of the region read outside it or returned by the graph, in graph order.
    public var outputs: [Int]

    /// The region's parameters: their names and positions in `graph`, the graph the region was taken from.
    public func parameters(in graph: Graph) -> [(name: String, position: Int)] {
        instructions.compactMap { position in
            if case .param(let name) = graph.instructions[position].primitive { return (name, position) }
            return nil
        }
    }
}
