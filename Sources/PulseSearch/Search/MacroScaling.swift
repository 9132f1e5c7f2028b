import PulseGraph
import PulseModels

/// The search's point of comparison: macro hyper-parameter scaling of the parent spectral CNN, a uniform channel
/// width multiplier and a number of residual blocks, with weights inherited from the parent so that each scaled
/// model is fine-tuned exactly as a search candidate is.
///
/// Trunk channels are kept by the energy of every weight that writes or reads them (conv0's filters, each block's
/// first-convolution inputs and second-convolution outputs, the head's inputs); each kept block's inner channels by
/// the norms of its first convolution's filter and its second convolution's input weights; the first `blocks`
/// blocks are kept.
public enum MacroScaling {
    /// The grid of the comparison: width multipliers 0.25, 0.5, 0.75 and 1 by 1 to 4 blocks (the full parent is
    /// left out; it is the search's reference).
    public static func grid(blocks: Int) -> [(widthMultiplier: Double, blocks: Int)] {
        [0.25, 0.5, 0.75, 1].flatMap { multiplier in (1...blocks).map { (multiplier, $0) } }.filter { !($0.0 == 1 && $0.1 == blocks) }
    }

    /// The parent's architecture, when its graph is exactly a `SpectralCNN`'s.
    /// - Throws: `SearchError.rewrite` when it is not.
    public static func architecture(of model: ModelFile) throws -> SpectralCNN {
        let parameters = Dictionary(uniqueKeysWithValues: model.graph.parameters.map { ($0.name, $0.shape) })
        guard let first = parameters["conv0.weight"], first.count == 3 else {
            throw SearchError.rewrite("macro scaling", reason: "the model is not a spectral CNN (no conv0.weight of shape [width, channels, taps])")
        }
        var dilations: [Int] = []
        while let region = try? model.graph.region(layer: "block\(dilations.count + 1).conv1") {
            let window = region.instructions.compactMap { position -> Int? in
                if case .window(_, _, _, let dilation) = model.graph.instructions[position].primitive { return dilation }
                return nil
            }
            guard let dilation = window.first else { break }
            dilations.append(dilation)
        }
        let architecture = SpectralCNN(input: model.input, bins: model.output, width: first[0], kernelSize: first[2], dilations: dilations)
        func body(_ graph: Graph) -> [Instruction] { graph.instructions.map { var copy = $0; copy.key = InstructionKey(0); return copy } }
        guard let graph = try? architecture.graph(), body(graph) == body(model.graph), graph.outputs == model.graph.outputs else {
            throw SearchError.rewrite("macro scaling", reason: "the model's graph is not that of a spectral CNN of width \(first[0])")
        }
        return architecture
    }

    /// The parent scaled to `round(width · widthMultiplier)` channels and its first `blocks` blocks.
    /// - Throws: `SearchError.rewrite` when the parent is not a spectral CNN or the scale is out of range.
    public static func scaled(_ parent: ModelFile, widthMultiplier: Double, blocks: Int) throws -> ModelFile {
        let architecture = try architecture(of: parent)
        let width = max(1, Int((Double(architecture.width) * widthMultiplier).rounded()))
        guard widthMultiplier > 0, widthMultiplier <= 1, (1...architecture.dilations.count).contains(blocks) else {
            throw SearchError.rewrite("macro scaling", reason: "width multiplier \(widthMultiplier) and \(blocks) blocks are outside (0, 1] and 1...\(architecture.dilations.count)")
        }
        let k = architecture.kernelSize
        let channels = architecture.input.channels
        let full = architecture.width
        func tensor(_ name: String) throws -> Tensor {
            guard let value = parent.parameters[name] else { throw SearchError.rewrite("macro scaling", reason: "parameter \(name) is missing") }
            return value
        }
        // weight[o, i, t] of a [out, in, taps] tensor.
        func at(_ weight: Tensor, _ o: Int, _ i: Int, _ t: Int) -> Float { weight.scalars[(o * weight.shape[1] + i) * weight.shape[2] + t] }
        var trunkEnergy = [Float](repeating: 0, count: full)
        let conv0 = try tensor("conv0.weight")
        let head = try tensor("head.weight")
        for c in 0..<full {
            for i in 0..<channels { for t in 0..<k { trunkEnergy[c] += at(conv0, c, i, t) * at(conv0, c, i, t) } }
            trunkEnergy[c] += at(head, 0, c, 0) * at(head, 0, c, 0)
        }
        for block in 1...architecture.dilations.count {
            let first = try tensor("block\(block).conv1.weight")
            let second = try tensor("block\(block).conv2.weight")
            for c in 0..<full {
                for o in 0..<full { for t in 0..<k { trunkEnergy[c] += at(first, o, c, t) * at(first, o, c, t) + at(second, c, o, t) * at(second, c, o, t) } }
            }
        }
        let trunk = (0..<full).sorted { (trunkEnergy[$0], -$0) > (trunkEnergy[$1], -$1) }.prefix(width).sorted()
        let scaled = SpectralCNN(input: architecture.input, bins: architecture.bins, width: width, kernelSize: k,
                                 dilations: Array(architecture.dilations.prefix(blocks)))
        let graph = try scaled.graph()
        var parameters: [String: Tensor] = [:]
        func slice(_ name: String, rows: [Int], columns: [Int]?) throws {
            let source = try tensor(name)
            let taps = source.shape.count == 3 ? source.shape[2] : 1
            let inner = columns ?? Array(0..<(source.shape.count > 1 ? source.shape[1] : 1))
            var values: [Float] = []
            for o in rows {
                for i in inner {
                    for t in 0..<taps { values.append(source.scalars[(o * (source.shape.count > 1 ? source.shape[1] : 1) + i) * taps + t]) }
                }
            }
            let shape = source.shape.count == 3 ? [rows.count, inner.count, taps] : [rows.count, source.shape.count > 1 ? source.shape[1] : 1]
            parameters[name] = Tensor(shape: shape, scalars: values)
        }
        try slice("conv0.weight", rows: trunk, columns: nil)
        try slice("conv0.bias", rows: trunk, columns: nil)
        for block in 1...blocks {
            let first = try tensor("block\(block).conv1.weight")
            let second = try tensor("block\(block).conv2.weight")
            let innerEnergy = (0..<full).map { c -> Float in
                var a: Float = 0, b: Float = 0
                for i in 0..<full { for t in 0..<k { a += at(first, c, i, t) * at(first, c, i, t); b += at(second, i, c, t) * at(second, i, c, t) } }
                return a.squareRoot() * b.squareRoot()
            }
            let inner = (0..<full).sorted { (innerEnergy[$0], -$0) > (innerEnergy[$1], -$1) }.prefix(width).sorted()
            try slice("block\(block).conv1.weight", rows: inner, columns: trunk)
            try slice("block\(block).conv1.bias", rows: inner, columns: nil)
            try slice("block\(block).conv2.weight", rows: trunk, columns: inner)
            try slice("block\(block).conv2.bias", rows: trunk, columns: nil)
        }
        try slice("head.weight", rows: [0], columns: trunk)
        parameters["head.bias"] = try tensor("head.bias")
        for (name, shape) in graph.parameters where parameters[name]?.shape != shape {
            throw SearchError.rewrite("macro scaling", reason: "parameter \(name) came out as \(parameters[name]?.shape ?? []), the graph needs \(shape)")
        }
        return ModelFile(graph: graph, parameters: parameters, input: parent.input, output: parent.output, metadata: parent.metadata)
    }
}
