import PulseGraph

/// The state of one import: the graph so far, the instruction that holds each blob, and the layer being read,
/// with the helpers every layer uses (operands, parameters with ncnn's defaults, shape hints, errors).
struct NCNNImportSession {
    /// The file's name, for errors.
    let file: String
    /// The graph built so far.
    var graph = Graph()
    /// The instruction holding each blob written so far.
    var blobs: [String: Int] = [:]
    /// The blobs some layer has read.
    var consumed: Set<String> = []
    /// The blobs in the order they were written.
    var produced: [String] = []
    /// The layer being imported.
    var layer = NCNNParamFile.Layer(type: "", name: "", bottoms: [], tops: [], values: [:], arrays: [:], line: 0)

    init(file: String) { self.file = file }

    /// An error about the current layer.
    func error(_ message: String) -> NCNNError {
        NCNNError(file: file, line: layer.line, layer: layer.name, layerType: layer.type, message)
    }

    /// Appends an instruction tagged with the current layer's name, a graph error becoming an `NCNNError`.
    mutating func append(_ primitive: Primitive, _ inputs: [Int] = [], shape: [Int] = []) throws -> Int {
        let name = layer.name
        return try build { graph in try graph.append(primitive, inputs, shape: shape, layer: name) }
    }

    /// Runs a layer builder of `PulseGraph` on the graph, a graph error becoming an `NCNNError` (without the layer
    /// name the graph puts in front, which the error names anyway).
    mutating func build(_ builder: (inout Graph) throws -> Int) throws -> Int {
        do {
            return try builder(&graph)
        } catch let failure as GraphError {
            let prefix = layer.name + ": "
            throw error(failure.message.hasPrefix(prefix) ? String(failure.message.dropFirst(prefix.count)) : failure.message)
        }
    }

    /// A scalar constant, broadcast by whatever uses it.
    mutating func constant(_ value: Double) throws -> Int {
        try append(.const(Tensor(shape: [1], scalars: [Float(value)])))
    }

    /// The shape of instruction `value`.
    func shape(_ value: Int) -> [Int] { graph.instructions[value].shape }

    /// The `[c, h, w]` of a 3-D blob.
    func image(_ value: Int) throws -> (c: Int, h: Int, w: Int) {
        let dims = shape(value)
        guard dims.count == 3 else { throw error("needs a [c, h, w] blob, reads one of shape \(dims)") }
        return (dims[0], dims[1], dims[2])
    }

    // MARK: Blobs

    /// The instruction of bottom `position`, which an earlier layer must have written.
    mutating func bottom(_ position: Int = 0) throws -> Int {
        guard position < layer.bottoms.count else { throw error("has \(layer.bottoms.count) bottoms, needs at least \(position + 1)") }
        let name = layer.bottoms[position]
        guard let value = blobs[name] else { throw error("reads blob \(name), which no earlier layer writes") }
        consumed.insert(name)
        return value
    }

    /// The instructions of every bottom.
    mutating func bottoms() throws -> [Int] { try layer.bottoms.indices.map { try bottom($0) } }

    /// Binds top `position` to instruction `value`, after checking it against the layer's shape hint.
    mutating func setTop(_ value: Int, _ position: Int = 0) throws {
        guard position < layer.tops.count else { throw error("has \(layer.tops.count) tops, needs at least \(position + 1)") }
        let name = layer.tops[position]
        guard blobs[name] == nil else { throw error("writes blob \(name), which an earlier layer writes") }
        if let hint = try hintedShape(position), hint != shape(value) {
            throw error("computes shape \(shape(value)) for blob \(name), its shape hint (-23330) says \(hint)")
        }
        blobs[name] = value
        produced.append(name)
    }

    /// The shape hint of top `position`: array key 30 holds `dims, w, h, c` per top, read as `[w]`, `[h, w]` or
    /// `[c, h, w]`; `nil` without a hint or for a blob of more than three axes.
    func hintedShape(_ position: Int) throws -> [Int]? {
        guard let hint = try integers(30) else { return nil }
        guard hint.count == 4 * layer.tops.count else {
            throw error("the shape hint (-23330) holds \(hint.count) values, not 4 for each of \(layer.tops.count) tops")
        }
        let entry = Array(hint[(4 * position)..<(4 * position + 4)])
        switch entry[0] {
        case 1: return [entry[1]]
        case 2: return [entry[2], entry[1]]
        case 3: return [entry[3], entry[2], entry[1]]
        default: return nil
        }
    }

    // MARK: Parameters

    /// Integer parameter `key`, `fallback` when the layer does not set it.
    /// - Throws: when the value is not a whole number or lies outside `range`.
    func int(_ key: Int, _ fallback: Int, in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let value = layer.values[key] else { return fallback }
        guard let integer = value.integer else { throw error("parameter \(key)=\(value) must be an integer") }
        if let range, !range.contains(integer) { throw error("parameter \(key)=\(integer) is outside \(range)") }
        return integer
    }

    /// Real parameter `key`, `fallback` when the layer does not set it.
    func float(_ key: Int, _ fallback: Double) -> Double { layer.values[key]?.real ?? fallback }

    /// Array parameter `key` as real numbers, `nil` when the layer does not set it.
    func reals(_ key: Int) -> [Double]? { layer.arrays[key]?.map(\.real) }

    /// Array parameter `key` as integers, `nil` when the layer does not set it.
    /// - Throws: when an entry is not a whole number.
    func integers(_ key: Int) throws -> [Int]? {
        try layer.arrays[key]?.map { value in
            guard let integer = value.integer else { throw error("array parameter \(key) holds \(value), not an integer") }
            return integer
        }
    }

    /// The values a size parameter (kernel, stride, channels) may take: 1 to `Graph.maximumExtent`.
    static let extents = 1...Graph.maximumExtent

    /// The product of `factors`, `nil` on overflow.
    static func product(_ factors: Int...) -> Int? {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            result = next
        }
        return result
    }

    // MARK: Outputs

    /// The finished graph, whose outputs are the blobs no layer reads (deduplicated, in the order written).
    /// - Throws: `NCNNError` when every blob is read or the graph does not validate.
    mutating func finish() throws -> Graph {
        var seen = Set<Int>()
        graph.outputs = produced.filter { !consumed.contains($0) }.compactMap { blobs[$0] }.filter { seen.insert($0).inserted }
        guard !graph.outputs.isEmpty else { throw NCNNError(file: file, "every blob is read by a layer: the network has no output") }
        do {
            try graph.validate()
        } catch let failure as GraphError {
            throw NCNNError(file: file, failure.message)
        }
        return graph
    }
}
