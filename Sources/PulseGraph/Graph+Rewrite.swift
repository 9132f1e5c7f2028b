extension Graph {
    /// The position of the instruction with `key`, if it is still in the graph.
    public func position(of key: InstructionKey) -> Int? { instructions.firstIndex { $0.key == key } }

    /// The layers that tag the graph's instructions, in order of first appearance.
    public var layers: [String] {
        var seen = Set<String>()
        return instructions.compactMap { seen.insert($0.layer).inserted ? $0.layer : nil }
    }

    /// The region made of every instruction tagged with one of `layers`, with its boundary.
    /// - Throws: `GraphError` when a layer tags no instruction.
    public func region(layers: [String]) throws -> GraphRegion {
        let wanted = Set(layers)
        for layer in layers where !instructions.contains(where: { $0.layer == layer }) {
            throw GraphError("no instruction of the graph belongs to layer \(layer)")
        }
        var region = try region(of: instructions.indices.filter { wanted.contains(instructions[$0].layer) })
        region.layers = layers
        return region
    }

    /// The region made of the instructions at `positions`, with its boundary; its `layers` are theirs.
    /// - Throws: `GraphError` when a position is outside the graph.
    public func region(of positions: [Int]) throws -> GraphRegion {
        guard positions.allSatisfy({ $0 >= 0 && $0 < instructions.count }) else {
            throw GraphError("a region of positions \(positions) reaches outside the graph's \(instructions.count) instructions")
        }
        let members = Array(Set(positions)).sorted()
        let inside = Set(members)
        var inputs: [Int] = []
        for position in members {
            for input in instructions[position].inputs where !inside.contains(input) && !inputs.contains(input) { inputs.append(input) }
        }
        var read = Set(outputs)
        for (position, instruction) in instructions.enumerated() where !inside.contains(position) { read.formUnion(instruction.inputs) }
        var layers: [String] = []
        for position in members where !layers.contains(instructions[position].layer) { layers.append(instructions[position].layer) }
        return GraphRegion(layers: layers, instructions: members, keys: members.map { instructions[$0].key }, inputs: inputs,
                           outputs: members.filter { read.contains($0) })
    }

    /// The region of one layer.
    public func region(layer: String) throws -> GraphRegion { try region(layers: [layer]) }

    /// The region as a graph of its own: `input` instructions named `boundary0`, `boundary1`... for
    /// `region.inputs`, then the region's instructions (same primitives, shapes and layers), and the region's
    /// outputs as the graph's. `replace(region, with: extract(region))` leaves the graph unchanged.
    public func extract(_ region: GraphRegion) throws -> Graph {
        var subgraph = Graph()
        var position: [Int: Int] = [:]
        for (number, input) in region.inputs.enumerated() {
            position[input] = try subgraph.append(.input(name: "boundary\(number)"), shape: instructions[input].shape, layer: "boundary")
        }
        for member in region.instructions {
            let instruction = instructions[member]
            position[member] = try subgraph.append(instruction.primitive, instruction.inputs.compactMap { position[$0] },
                                                   shape: instruction.shape, layer: instruction.layer)
        }
        subgraph.outputs = region.outputs.compactMap { position[$0] }
        return subgraph
    }

    /// Replaces `region` by `subgraph`, whose `input` instructions stand, in order, for `region.inputs` and whose
    /// outputs stand, in order, for `region.outputs`; a subgraph output may be one of its inputs, passing a value
    /// through. Every instruction outside the region keeps its key, layer and parameter names; the subgraph's
    /// instructions get new keys and are placed just before the first instruction that reads them. A subgraph that
    /// repeats the region exactly leaves the graph unchanged, keys included.
    /// - Throws: `GraphError` when the region is stale (the graph changed since it was taken), when the subgraph's
    ///   inputs or outputs do not match the boundary in number or shape, when a subgraph parameter's name is
    ///   already used outside the region, or when the region is not convex (a value leaves it and comes back).
    public mutating func replace(_ region: GraphRegion, with subgraph: Graph) throws {
        guard region.instructions.count == region.keys.count,
              zip(region.instructions, region.keys).allSatisfy({ $0 < instructions.count && instructions[$0].key == $1 }) else {
            throw GraphError("the region of \(region.layers.joined(separator: ", ")) was taken from another version of the graph")
        }
        let boundaryInputs = subgraph.instructions.indices.filter {
            if case .input = subgraph.instructions[$0].primitive { return true }
            return false
        }
        let name = region.layers.joined(separator: ", ")
        guard boundaryInputs.count == region.inputs.count else {
            throw GraphError("\(name): the replacement reads \(boundaryInputs.count) values, the region \(region.inputs.count)")
        }
        for (inner, outer) in zip(boundaryInputs, region.inputs) where subgraph.instructions[inner].shape != instructions[outer].shape {
            throw GraphError("\(name): the replacement's input \(inner) has shape \(subgraph.instructions[inner].shape), "
                             + "the value it stands for \(instructions[outer].shape)")
        }
        guard subgraph.outputs.count == region.outputs.count else {
            throw GraphError("\(name): the replacement returns \(subgraph.outputs.count) values, the region \(region.outputs.count)")
        }
        for (inner, outer) in zip(subgraph.outputs, region.outputs) where subgraph.instructions[inner].shape != instructions[outer].shape {
            throw GraphError("\(name): the replacement's output has shape \(subgraph.instructions[inner].shape), "
                             + "the region's \(instructions[outer].shape)")
        }
        // Nodes: 0..<count are this graph's instructions (those of the region are dropped), count... the subgraph's.
        let count = instructions.count
        let inside = Set(region.instructions)
        var subgraphNode = [Int](repeating: -1, count: subgraph.instructions.count)
        for (inner, outer) in zip(boundaryInputs, region.inputs) { subgraphNode[inner] = outer }
        var added: [Int] = []
        for position in subgraph.instructions.indices where subgraphNode[position] < 0 {
            subgraphNode[position] = count + added.count
            added.append(position)
        }
        var regionOutputNode: [Int: Int] = [:]
        for (inner, outer) in zip(subgraph.outputs, region.outputs) { regionOutputNode[outer] = subgraphNode[inner] }
        func node(_ position: Int) -> Int { regionOutputNode[position] ?? position }
        var operands: [Int: [Int]] = [:]
        for position in 0..<count where !inside.contains(position) { operands[position] = instructions[position].inputs.map(node) }
        for (offset, position) in added.enumerated() {
            operands[count + offset] = subgraph.instructions[position].inputs.map { subgraphNode[$0] }
        }
        // Kahn's algorithm, taking among the ready nodes the one that comes first: outside instructions by their
        // position, the replacement's by the position of the region's last instruction, in their own order.
        let anchor = Double(region.instructions.max() ?? count) + 0.5
        func rank(_ node: Int) -> (Double, Int) { node < count ? (Double(node), 0) : (anchor, node) }
        var waiting: [Int: Int] = [:]
        var readers: [Int: [Int]] = [:]
        for (node, inputs) in operands {
            waiting[node] = inputs.count
            for input in inputs { readers[input, default: []].append(node) }
        }
        var ready = operands.keys.filter { waiting[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            let next = ready.indices.min { rank(ready[$0]) < rank(ready[$1]) } ?? 0
            let node = ready.remove(at: next)
            order.append(node)
            for reader in readers[node] ?? [] {
                waiting[reader, default: 0] -= 1
                if waiting[reader] == 0 { ready.append(reader) }
            }
        }
        guard order.count == operands.count else {
            throw GraphError("\(name): the region is not convex; a value leaves it and is read back by it through other layers")
        }
        var rebuilt = Graph()
        rebuilt.nextKey = nextKey
        var newPosition: [Int: Int] = [:]
        for node in order {
            let (primitive, shape, layer, key): (Primitive, [Int], String, InstructionKey)
            if node < count {
                let instruction = instructions[node]
                (primitive, shape, layer, key) = (instruction.primitive, instruction.shape, instruction.layer, instruction.key)
            } else {
                let instruction = subgraph.instructions[added[node - count]]
                (primitive, shape, layer, key) = (instruction.primitive, instruction.shape, instruction.layer, InstructionKey(rebuilt.nextKey))
            }
            let inputs = (operands[node] ?? []).compactMap { newPosition[$0] }
            newPosition[node] = try rebuilt.append(primitive, inputs, shape: shape, layer: layer, key: key)
        }
        rebuilt.outputs = outputs.compactMap { newPosition[node($0)] }
        let unchanged = rebuilt.instructions.count == instructions.count && rebuilt.outputs == outputs
            && zip(rebuilt.instructions, instructions).allSatisfy {
                $0.primitive == $1.primitive && $0.inputs == $1.inputs && $0.shape == $1.shape && $0.layer == $1.layer
            }
        if !unchanged { self = rebuilt }
    }

    /// Removes every instruction that no output depends on; the rest keep their keys.
    public mutating func prune() {
        var live = [Bool](repeating: false, count: instructions.count)
        var stack = outputs
        while let position = stack.popLast() {
            guard !live[position] else { continue }
            live[position] = true
            stack += instructions[position].inputs
        }
        guard live.contains(false) else { return }
        var newPosition = [Int](repeating: -1, count: instructions.count)
        var kept: [Instruction] = []
        for (position, instruction) in instructions.enumerated() where live[position] {
            var moved = instruction
            moved.inputs = instruction.inputs.map { newPosition[$0] }
            newPosition[position] = kept.count
            kept.append(moved)
        }
        instructions = kept
        outputs = outputs.map { newPosition[$0] }
    }

    /// Tags every instruction with `layer`: for a replacement built from layers of other names that stands for
    /// one layer.
    public mutating func retag(as layer: String) {
        for index in instructions.indices { instructions[index].layer = layer }
    }
}
