import PulseGraph

/// One reading of an ONNX graph: the graph built so far, its parameters, and what each ONNX value name stands for.
struct ImportSession {
    /// The graph built so far.
    private(set) var graph = Graph()
    /// The parameters of the graph, by name.
    var parameters: [String: Tensor] = [:]
    /// The default domain's operator set the model imports.
    let opset: Int
    /// How many node inputs read each value name.
    let consumers: [String: Int]
    /// The names of the graph's outputs.
    let outputNames: Set<String>
    /// The batch size the model's inputs declare, when they fix one instead of naming the axis.
    var declaredBatch: Int?
    /// Convolutions a following `BatchNormalization` may fold into, by the ONNX name of their output.
    var foldableConvolutions: [String: FoldableConvolution] = [:]

    private var values: [String: ImportedValue] = [:]
    private var materialized: [ImportedActivation: Int] = [:]
    private var initializerInstructions: [InitializerUse: Int] = [:]
    private var parameterNames = Set<String>()

    /// A convolution's parameters, which folding a normalisation scales.
    struct FoldableConvolution {
        var weight: String
        var bias: String
        var outputChannels: Int
        /// The graph instruction of the convolution's output (the bias add).
        var output: Int
    }

    private struct InitializerUse: Hashable {
        var name: String
        var shape: [Int]
    }

    init(opset: Int, consumers: [String: Int], outputNames: Set<String>) {
        self.opset = opset
        self.consumers = consumers
        self.outputNames = outputNames
    }

    // MARK: Values

    /// Defines ONNX value `name`.
    /// - Throws: `ONNXError` at `location` when the name is defined already (ONNX graphs assign each name once).
    mutating func define(_ name: String, _ value: ImportedValue, location: String) throws {
        guard !name.isEmpty else { throw ONNXError(location, "a value has an empty name") }
        guard values[name] == nil else { throw ONNXError(location, "value \(name) is defined twice") }
        values[name] = value
    }

    /// The value named `name`, or `nil` when nothing defined it (yet).
    func value(_ name: String) -> ImportedValue? { values[name] }

    /// Input `position` of `node`.
    /// - Throws: `ONNXError` naming the node when the input is absent or nothing before the node defines it.
    func input(_ node: ONNXNode, _ position: Int) throws -> ImportedValue {
        guard let value = try optionalInput(node, position) else {
            throw node.error("input \(position) is missing (the operator needs at least \(position + 1) inputs)")
        }
        return value
    }

    /// Input `position` of `node`, or `nil` when it is absent or given as the empty name.
    func optionalInput(_ node: ONNXNode, _ position: Int) throws -> ImportedValue? {
        guard position < node.proto.input.count, !node.proto.input[position].isEmpty else { return nil }
        let name = node.proto.input[position]
        guard let value = values[name] else {
            throw node.error("input \(position) \"\(name)\" is neither a graph input, an initializer nor the output of an earlier node")
        }
        return value
    }

    /// Input `position` of `node`, which must be an activation.
    func activationInput(_ node: ONNXNode, _ position: Int) throws -> ImportedActivation {
        guard case .activation(let activation) = try input(node, position) else {
            throw node.error("input \(position) must depend on the model's input; a constant there is not supported")
        }
        return activation
    }

    /// Input `position` of `node`, which must be known while reading (an initializer or a constant); `nil` when absent.
    func constantInput(_ node: ONNXNode, _ position: Int, _ role: String) throws -> ONNXConstant? {
        switch try optionalInput(node, position) {
        case nil: return nil
        case .constant(let constant)?: return constant
        case .activation?: throw node.error("input \(position) (\(role)) must be an initializer or a constant, not computed from the model's input")
        }
    }

    /// Input `position` of `node` as whole numbers (shapes, axes, pads); `nil` when absent.
    func integerInput(_ node: ONNXNode, _ position: Int, _ role: String) throws -> [Int64]? {
        guard let constant = try constantInput(node, position, role) else { return nil }
        guard constant.shape.count <= 1, let values = constant.wholeNumbers else {
            throw node.error("input \(position) (\(role)) must be a list of integers, got shape \(constant.shape)")
        }
        return values
    }

    /// Defines the node's first output.
    mutating func setOutput(_ node: ONNXNode, _ value: ImportedValue) throws {
        try node.checkSingleOutput()
        try define(node.proto.output[0], value, location: node.location)
    }

    // MARK: Graph instructions

    /// The static shape of graph instruction `index`.
    func shape(_ index: Int) -> [Int] { graph.instructions[index].shape }

    /// Appends an instruction for `node`; a graph error becomes an `ONNXError` naming the node.
    @discardableResult
    mutating func append(_ primitive: Primitive, _ inputs: [Int] = [], shape: [Int] = [], node: ONNXNode) throws -> Int {
        try append(primitive, inputs, shape: shape, layer: node.layer, location: node.location)
    }

    /// Appends an instruction tagged `layer`; a graph error becomes an `ONNXError` at `location`.
    @discardableResult
    mutating func append(_ primitive: Primitive, _ inputs: [Int] = [], shape: [Int] = [], layer: String, location: String) throws -> Int {
        do {
            return try graph.append(primitive, inputs, shape: shape, layer: layer)
        } catch let error as GraphError {
            throw ONNXError(location, error.message)
        }
    }

    /// Sets the graph's outputs.
    mutating func setOutputs(_ outputs: [Int]) { graph.outputs = outputs }

    /// ONNX's static shape of `activation` (its axes after the batch axis).
    func onnxShape(_ activation: ImportedActivation) -> [Int] {
        var graphAxes = shape(activation.index)[...]
        let rank = graphAxes.count + activation.unitAxes.count
        return (1...max(rank, 1)).prefix(rank).map { axis in
            if activation.unitAxes.contains(axis) { return 1 }
            return graphAxes.popFirst() ?? 1
        }
    }

    /// The graph instruction holding `activation` in ONNX's shape (a reshape when it has inserted axes).
    mutating func plain(_ activation: ImportedActivation, node: ONNXNode) throws -> Int {
        try plain(activation, layer: node.layer, location: node.location)
    }

    /// The graph instruction holding `activation` in ONNX's shape, a reshape tagged `layer` if one is needed.
    mutating func plain(_ activation: ImportedActivation, layer: String, location: String) throws -> Int {
        guard !activation.unitAxes.isEmpty else { return activation.index }
        if let index = materialized[activation] { return index }
        let index = try append(.reshape(shape: onnxShape(activation)), [activation.index], layer: layer, location: location)
        materialized[activation] = index
        return index
    }

    /// Graph instruction `index` seen with ONNX's static shape `target` (same values in the same order): by inserting
    /// axes of extent 1 when the target is the graph's shape with such axes added, else through a reshape.
    mutating func view(_ index: Int, as target: [Int], node: ONNXNode) throws -> ImportedActivation {
        let graphShape = shape(index)
        var unitAxes: [Int] = []
        var matched = 0
        for (position, extent) in target.enumerated() {
            if matched < graphShape.count && graphShape[matched] == extent {
                matched += 1
            } else if extent == 1 {
                unitAxes.append(position + 1)
            } else {
                break
            }
        }
        if matched == graphShape.count && unitAxes.count + matched == target.count {
            return ImportedActivation(index, unitAxes: unitAxes)
        }
        if let source = sourceOfReshape(index), shape(source) == target { return ImportedActivation(source) }
        return ImportedActivation(try append(.reshape(shape: target), [index], node: node))
    }

    /// The operand of instruction `index` when it is a reshape.
    private func sourceOfReshape(_ index: Int) -> Int? {
        guard case .reshape = graph.instructions[index].primitive else { return nil }
        return graph.instructions[index].inputs.first
    }

    // MARK: Parameters and constants

    /// A parameter name made from `base`: characters other than letters, digits, `.`, `_` and `-` become `_`, and a
    /// suffix keeps it unique.
    mutating func parameterName(_ base: String) -> String {
        var cleaned = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        if cleaned.isEmpty { cleaned = "parameter" }
        var name = cleaned
        var suffix = 2
        while parameterNames.contains(name) {
            name = "\(cleaned)_\(suffix)"
            suffix += 1
        }
        parameterNames.insert(name)
        return name
    }

    /// Appends a new parameter named after `base` holding `tensor`.
    mutating func newParameter(_ base: String, _ tensor: Tensor, node: ONNXNode) throws -> (index: Int, name: String) {
        try checkFinite(tensor.scalars, what: base, node: node)
        let name = parameterName(base)
        let index = try append(.param(name: name), shape: tensor.shape, node: node)
        parameters[name] = tensor
        return (index, name)
    }

    /// A graph operand holding `constant` in `shape` (its own by default): for an initializer, a parameter named
    /// after it (a graph constant when it is not trainable), one per initializer and shape; otherwise a graph
    /// constant when it is small or not trainable, else a parameter named after `base`.
    mutating func constantOperand(_ constant: ONNXConstant, shape requested: [Int]? = nil, base: String, node: ONNXNode) throws -> Int {
        let shape = requested ?? constant.shape
        guard shape.reduce(1, *) == constant.count, constant.count > 0 else {
            throw node.error("a constant of shape \(constant.shape) cannot be used as \(shape)")
        }
        if let initializer = constant.initializer {
            let use = InitializerUse(name: initializer, shape: shape)
            if let index = initializerInstructions[use] { return index }
            let tensor = Tensor(shape: shape, scalars: constant.floats)
            let index: Int
            if constant.trainable {
                index = try newParameter(initializer, tensor, node: node).index
            } else {
                try checkFinite(constant.floats, what: initializer, node: node)
                index = try append(.const(tensor), node: node)
            }
            initializerInstructions[use] = index
            return index
        }
        if constant.count <= 16 || !constant.trainable {
            try checkFinite(constant.floats, what: base, node: node)
            return try append(.const(Tensor(shape: shape, scalars: constant.floats)), node: node)
        }
        return try newParameter(base, Tensor(shape: shape, scalars: constant.floats), node: node).index
    }

    private func checkFinite(_ values: [Float], what: String, node: ONNXNode) throws {
        if let position = values.firstIndex(where: { !$0.isFinite }) {
            throw node.error("\(what) holds \(values[position]) at index \(position); every weight and constant must be finite")
        }
    }
}
