import PulseGraph

/// How an exported activation is laid out in ONNX.
enum ExportLayout: Hashable {
    /// `[N] + shape` for an activation, `shape` for a value that does not depend on the input.
    case plain
    /// A `[C, L]` activation as `[N, C, 1, L]`: the layout 1-D convolutions run in as 2-D `Conv`.
    case image
}

/// One export of a graph: walks its kernel plan and writes ONNX nodes, keeping the name of every value written in
/// each layout it exists in.
struct ExportSession {
    let graph: Graph
    let parameters: [String: Tensor]
    /// Whether each instruction's value carries the batch axis.
    let batched: [Bool]
    var builder = ONNXGraphBuilder()
    /// The ONNX names of computed values and inputs, per layout.
    private var names: [Int: [ExportLayout: String]] = [:]
    /// Initializers made from leaves, by leaf, shape and axis order.
    private var leafNames: [LeafKey: String] = [:]

    private struct LeafKey: Hashable {
        var index: Int
        var shape: [Int]
        var order: [Int]
    }

    /// A session for `graph`, whose parameters must all be in `parameters` with the graph's shapes.
    /// - Throws: `ONNXError` for an invalid graph or a missing or mis-shaped parameter.
    init(graph: Graph, parameters: [String: Tensor]) throws {
        do {
            try graph.validate()
        } catch let error as GraphError {
            throw ONNXError("graph", error.message)
        }
        for (name, shape) in graph.parameters {
            guard let tensor = parameters[name] else { throw ONNXError("parameter \(name)", "is missing") }
            guard tensor.shape == shape else {
                throw ONNXError("parameter \(name)", "has shape \(tensor.shape), the graph needs \(shape)")
            }
        }
        self.graph = graph
        self.parameters = parameters
        self.batched = graph.dependsOnInput
        for (index, instruction) in graph.instructions.enumerated() {
            if case .input(let name) = instruction.primitive {
                names[index] = [.plain: builder.uniqueName(name)]
            }
        }
    }

    /// The static shape (without batch axis) of instruction `index`.
    func shape(_ index: Int) -> [Int] { graph.instructions[index].shape }

    /// Where an instruction is, for messages: `instruction 12 (block1.conv1: window(...))`.
    func location(_ index: Int) -> String {
        let instruction = graph.instructions[index]
        return "instruction \(index) (\(instruction.layer): \(instruction.primitive))"
    }

    /// Writes every kernel, then names the outputs; returns the ONNX graph without its name.
    mutating func export() throws -> Onnx_GraphProto {
        let plan = KernelPlan(graph: graph)
        for kernel in plan.kernels {
            switch kernel.operation {
            case .convolution(let convolution):
                try exportConvolution(convolution, kernel)
            case .pooling(let pooling):
                try exportPooling(pooling, kernel)
            case .elementwise(let primitive):
                try exportElementwise(primitive, at: kernel.output.index)
            case .reduction(let kind, let axes):
                try exportReduction(kind, axes: axes, at: kernel.output.index)
            case .constantContraction(let contraction), .contraction(let contraction):
                try exportContraction(contraction.spec, at: kernel.output.index)
            case .dataMove(let primitive):
                try exportDataMove(primitive, at: kernel.output.index)
            }
        }
        var onnxGraph = Onnx_GraphProto()
        for (index, instruction) in graph.instructions.enumerated() {
            if case .input = instruction.primitive, let name = names[index]?[.plain] {
                onnxGraph.input.append(Self.valueInfo(name, shape: instruction.shape))
            }
        }
        var outputNames: [String] = []
        for (number, index) in graph.outputs.enumerated() {
            guard batched[index] else { throw ONNXError(location(index), "a model output must depend on the input") }
            let value = try value(index, .plain)
            let wanted = graph.outputs.count == 1 ? "output" : "output\(number)"
            if !outputNames.contains(value), builder.renameNodeOutput(value, to: wanted) {
                names[index]?[.plain] = wanted
                outputNames.append(wanted)
            } else {
                outputNames.append(builder.addNode("Identity", [value], name: wanted, output: wanted))
            }
            onnxGraph.output.append(Self.valueInfo(outputNames[number], shape: shape(index)))
        }
        onnxGraph.node = builder.nodes
        onnxGraph.initializer = builder.initializers
        return onnxGraph
    }

    /// A Float32 value with the symbolic batch axis in front of `shape`.
    static func valueInfo(_ name: String, shape: [Int]) -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = ONNXExporter.batchAxisName
        var tensorShape = Onnx_TensorShapeProto()
        tensorShape.dim = [batch] + shape.map { extent in
            var dimension = Onnx_TensorShapeProto.Dimension()
            dimension.dimValue = Int64(extent)
            return dimension
        }
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = ONNXDataType.float
        tensorType.shape = tensorShape
        var type = Onnx_TypeProto()
        type.tensorType = tensorType
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }

    // MARK: Values

    /// Records the ONNX name of instruction `index`'s value in `layout`.
    mutating func record(_ index: Int, _ name: String, _ layout: ExportLayout) {
        names[index, default: [:]][layout] = name
    }

    /// Whether the value of instruction `index` has been written in `layout` (leaves never are).
    func has(_ index: Int, _ layout: ExportLayout) -> Bool { names[index]?[layout] != nil }

    /// Whether instruction `index` is a parameter or constant.
    func isLeaf(_ index: Int) -> Bool {
        switch graph.instructions[index].primitive {
        case .param, .const: return true
        default: return false
        }
    }

    /// The ONNX name of instruction `index`'s value in `layout`, converting it (`Unsqueeze` / `Squeeze` of axis 2)
    /// from the layout it was written in. Leaves become initializers of their own shape.
    mutating func value(_ index: Int, _ layout: ExportLayout) throws -> String {
        if let name = names[index]?[layout] { return name }
        if isLeaf(index) {
            guard layout == .plain else { throw ONNXError(location(index), "a parameter has no image layout") }
            return try leaf(index)
        }
        guard let written = names[index], let (from, name) = written.first else {
            throw ONNXError(location(index), "its value is read before it is written (a kernel plan out of order)")
        }
        guard batched[index], shape(index).count == 2 else {
            throw ONNXError(location(index), "only a [channels, length] activation has an image layout")
        }
        let layer = graph.instructions[index].layer
        let axes = builder.addInitializer(integers: [2], name: layer + "/axes")
        let converted = builder.addNode(from == .plain ? "Unsqueeze" : "Squeeze", [name, axes], name: layer)
        record(index, converted, layout)
        return converted
    }

    /// The tensor of a parameter or constant.
    func leafTensor(_ index: Int) throws -> Tensor {
        switch graph.instructions[index].primitive {
        case .param(let name):
            guard let tensor = parameters[name] else { throw ONNXError("parameter \(name)", "is missing") }
            return tensor
        case .const(let tensor):
            return tensor
        default:
            throw ONNXError(location(index), "is not a parameter or constant")
        }
    }

    /// An initializer holding leaf `index`, its axes reordered by `order` (see `Tensor.permuted`), then given
    /// `shape` (the same values in the same order). The first initializer of a parameter takes its name.
    mutating func leaf(_ index: Int, shape requested: [Int]? = nil, order requestedOrder: [Int]? = nil) throws -> String {
        let order = requestedOrder ?? Array(shape(index).indices)
        let permutedShape = order.map { shape(index)[$0] }
        let targetShape = requested ?? permutedShape
        let key = LeafKey(index: index, shape: targetShape, order: order)
        if let name = leafNames[key] { return name }
        let tensor = try leafTensor(index).permuted(order)
        guard targetShape.reduce(1, *) == tensor.count else {
            throw ONNXError(location(index), "cannot be stored as shape \(targetShape): it holds \(tensor.count) values")
        }
        let stored: String
        let reshaped = Tensor(shape: targetShape, scalars: tensor.scalars)
        if case .param(let parameter) = graph.instructions[index].primitive {
            stored = builder.addInitializer(reshaped, name: parameter)
        } else {
            stored = builder.addInitializer(reshaped, name: "\(graph.instructions[index].layer).const\(index)",
                                            documentation: ONNXExporter.constantDocumentation)
        }
        leafNames[key] = stored
        return stored
    }

    /// The ONNX axis of static axis `axis` of a value in `layout` (batched values carry the batch axis first).
    func onnxAxis(_ axis: Int, of index: Int, in layout: ExportLayout) -> Int {
        guard batched[index] else { return axis }
        switch layout {
        case .plain: return axis + 1
        case .image: return axis == 0 ? 1 : 3
        }
    }

    /// The layout to compute a shape-keeping instruction on: image when its first operand is a `[C, L]` activation
    /// already written only in that layout, plain otherwise.
    func preferredLayout(for operand: Int) -> ExportLayout {
        batched[operand] && shape(operand).count == 2 && has(operand, .image) && !has(operand, .plain) ? .image : .plain
    }
}
