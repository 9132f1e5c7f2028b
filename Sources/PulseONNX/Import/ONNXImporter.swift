import Foundation
import PulseGraph

/// Reads an ONNX model (the bytes of a `.onnx` file) into a graph and its parameters.
///
/// Every activation keeps the batch axis as axis 0, which the graph leaves implicit: the model's inputs must
/// name it (or fix it) first, and no operator may move it, merge it with another axis or broadcast against it.
/// Every other axis must have a fixed size, or get one from `Options.inputShape`. Convolutions land in the graph
/// forms that `ConvolutionKernel` lists, so the kernel plan fuses them; `BatchNormalization` folds into the
/// convolution before it. `supportedOperators` lists what is read; anything else, or an attribute or a value the
/// graph cannot express, is an `ONNXError` naming the node (name, index, op type) and what is unsupported.
/// A file that is not ONNX, a truncated one, an unknown opset, an open axis, an initializer of the wrong size or a
/// missing input are errors too, never a crash.
public struct ONNXImporter: Sendable {
    /// Versions of the default operator set read. From 11 on, `Clip`, `Pad` and `Slice` take their bounds as inputs;
    /// 28 is the newest that onnx 1.23 defines.
    public static let supportedOpsets = 11...28
    /// ONNX IR versions read (3 introduced operator-set imports; 14 is onnx 1.23's).
    public static let supportedIRVersions = 3...14
    /// The largest file read: protobuf's own limit.
    public static let maximumFileBytes = Int(Int32.max)
    /// The operators read (default domain).
    public static let supportedOperators = [
        "Abs", "Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant", "Conv", "Div", "Dropout", "Exp", "Flatten",
        "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity", "Log", "MatMul", "MaxPool", "Mul", "Pad", "ReduceMax", "ReduceMean",
        "ReduceSum", "Relu", "Reshape", "Sigmoid", "Slice", "Softmax", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
    ]

    /// What the caller knows that the ONNX file may not carry, for a model with one input.
    public struct Options: Sendable {
        /// The input's shape without the batch axis: the extent of each axis the file leaves open (the file's own
        /// extents stand where it fixes them).
        public var inputShape: [Int]?
        /// The graph's name for the input (the ONNX name by default).
        public var inputName: String?
        /// Whether each output is reshaped to one axis after the batch axis.
        public var flattenOutputs = false

        /// No shape, no renaming, outputs as ONNX shapes them.
        public init() {}
    }

    /// How the model is read.
    public var options: Options

    /// An importer with `options`.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Reads the model in `data`.
    /// - Throws: `ONNXError` naming the node, initializer, input or field that cannot be read, and why.
    public func importModel(_ data: Data) throws -> ImportedModel {
        guard data.count <= Self.maximumFileBytes else {
            throw ONNXError("file", "\(data.count) bytes exceed protobuf's limit of \(Self.maximumFileBytes)")
        }
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ONNXError("file", "not an ONNX model (protobuf decoding failed: \(error))")
        }
        return try importModel(model)
    }

    /// The `metadata_props` of the model in `data` (a later key repeating an earlier one is ignored), without
    /// reading its graph.
    /// - Throws: `ONNXError` when `data` is not an ONNX model.
    public static func metadata(of data: Data) throws -> [String: String] {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ONNXError("file", "not an ONNX model (protobuf decoding failed: \(error))")
        }
        return Dictionary(model.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads a decoded model.
    package func importModel(_ model: Onnx_ModelProto) throws -> ImportedModel {
        guard model.hasIrVersion, model.irVersion > 0 else { throw ONNXError("ir_version", "is missing: not an ONNX model") }
        guard Self.supportedIRVersions.contains(Int(clamping: model.irVersion)) else {
            throw ONNXError("ir_version", "\(model.irVersion) lies outside the versions pulse reads (\(Self.supportedIRVersions))")
        }
        guard let opsetEntry = model.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" }) else {
            throw ONNXError("opset_import", "names no version of the default operator set")
        }
        guard Self.supportedOpsets.contains(Int(clamping: opsetEntry.version)) else {
            throw ONNXError("opset_import", "opset \(opsetEntry.version) lies outside the versions pulse reads (\(Self.supportedOpsets))")
        }
        guard model.hasGraph else { throw ONNXError("graph", "is missing") }
        let onnxGraph = model.graph
        guard onnxGraph.sparseInitializer.isEmpty else { throw ONNXError("sparse_initializer", "sparse initializers are not supported") }
        var consumers: [String: Int] = [:]
        for node in onnxGraph.node {
            for name in node.input where !name.isEmpty { consumers[name, default: 0] += 1 }
        }
        var session = ImportSession(opset: Int(opsetEntry.version), consumers: consumers, outputNames: Set(onnxGraph.output.map(\.name)))
        for initializer in onnxGraph.initializer {
            let location = "initializer \(initializer.name)"
            try session.define(initializer.name, .constant(try ONNXConstant(initializer, location: location)), location: location)
        }
        let inputs = onnxGraph.input.filter { input in !onnxGraph.initializer.contains { $0.name == input.name } }
        if inputs.count > 1, options.inputShape != nil || options.inputName != nil {
            throw ONNXError("graph", "has \(inputs.count) inputs; an input shape or name can be given for a model with one input only")
        }
        for input in inputs { try declareInput(input, in: &session) }
        guard !session.graph.inputs.isEmpty else { throw ONNXError("graph", "has no input besides initializers") }
        for (index, proto) in onnxGraph.node.enumerated() {
            try session.importNode(ONNXNode(proto: proto, index: index))
        }
        guard !onnxGraph.output.isEmpty else { throw ONNXError("graph", "has no output") }
        var outputs: [Int] = []
        for output in onnxGraph.output { outputs.append(try readOutput(output, in: &session)) }
        session.setOutputs(outputs)
        do {
            try session.graph.validate()
        } catch let error as GraphError {
            throw ONNXError("graph", error.message)
        }
        return ImportedModel(
            graph: session.graph, parameters: session.parameters, producerName: model.producerName, producerVersion: model.producerVersion,
            documentation: model.docString, graphName: onnxGraph.name, opsetVersion: Int(opsetEntry.version),
            metadata: Dictionary(model.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
    }

    /// Declares graph input `input`: Float32, the batch axis first, every other axis fixed (by the file or by
    /// `options.inputShape`).
    private func declareInput(_ input: Onnx_ValueInfoProto, in session: inout ImportSession) throws {
        let location = "input \(input.name)"
        guard case .tensorType(let tensorType)? = input.type.value else { throw ONNXError(location, "is not a tensor") }
        guard tensorType.elemType == ONNXDataType.float else {
            throw ONNXError(location, "has element type \(ONNXDataType.name(tensorType.elemType)); pulse reads FLOAT inputs")
        }
        let override = options.inputShape
        guard tensorType.hasShape else {
            guard let override else { throw ONNXError(location, "has no shape; give its shape (without the batch axis)") }
            try declare(input.name, shape: override, location: location, in: &session)
            return
        }
        let dimensions = tensorType.shape.dim
        guard let batch = dimensions.first else { throw ONNXError(location, "is a scalar; pulse needs the batch axis first") }
        if case .dimValue(let value)? = batch.value {
            guard value >= 1, value <= Int64(Graph.maximumExtent) else { throw ONNXError(location, "batch axis of size \(value)") }
            if let declared = session.declaredBatch, declared != Int(value) {
                throw ONNXError(location, "fixes the batch at \(value), another input at \(declared)")
            }
            session.declaredBatch = Int(value)
        }
        var shape: [Int] = []
        for (axis, dimension) in dimensions.enumerated().dropFirst() {
            if case .dimValue(let value)? = dimension.value, value > 0 {
                guard value <= Int64(Graph.maximumExtent) else { throw ONNXError(location, "axis \(axis) of size \(value) exceeds \(Graph.maximumExtent)") }
                shape.append(Int(value))
            } else if let override {
                guard override.count == dimensions.count - 1 else {
                    throw ONNXError(location, "has \(dimensions.count - 1) axes after the batch axis, some open; the shape given, \(override), has \(override.count)")
                }
                shape.append(override[axis - 1])
            } else {
                let name = dimension.dimParam.isEmpty ? "no size" : "the open size \"\(dimension.dimParam)\""
                throw ONNXError(location, "axis \(axis) has \(name); pulse needs a fixed size on every axis but the batch axis (give the input's shape)")
            }
        }
        try declare(input.name, shape: shape, location: location, in: &session)
    }

    private func declare(_ name: String, shape: [Int], location: String, in session: inout ImportSession) throws {
        let index = try session.append(.input(name: options.inputName ?? name), shape: shape, layer: "input", location: location)
        try session.define(name, .activation(ImportedActivation(index)), location: location)
    }

    /// The graph instruction of output `output`, checked against the shape the file declares.
    private func readOutput(_ output: Onnx_ValueInfoProto, in session: inout ImportSession) throws -> Int {
        let location = "output \(output.name)"
        guard let value = session.value(output.name) else { throw ONNXError(location, "is computed by no node") }
        guard case .activation(let activation) = value else { throw ONNXError(location, "does not depend on the model's input") }
        let shape = session.onnxShape(activation)
        if case .tensorType(let tensorType)? = output.type.value, tensorType.hasShape {
            let declared = tensorType.shape.dim.map { dimension -> Int? in
                if case .dimValue(let value)? = dimension.value { return Int(clamping: value) }
                return nil
            }
            let mismatch = declared.count != shape.count + 1 || zip(declared.dropFirst(), shape).contains { $0.0 != nil && $0.0 != $0.1 }
            if mismatch { throw ONNXError(location, "is declared \(declared.map { $0.map(String.init) ?? "?" }), pulse computes [N] + \(shape)") }
        }
        let index = try session.plain(activation, layer: "output", location: location)
        guard options.flattenOutputs, shape.count != 1 else { return index }
        return try session.append(.reshape(shape: [shape.reduce(1, *)]), [index], layer: "output", location: location)
    }
}

/// A model read from ONNX.
public struct ImportedModel: Sendable {
    /// The instructions.
    public var graph: Graph
    /// The parameters, by name (initializer names where the values are the initializer's).
    public var parameters: [String: Tensor]
    /// The tool that wrote the file (`producer_name`).
    public var producerName: String
    /// The version of that tool (`producer_version`).
    public var producerVersion: String
    /// The model's `doc_string`.
    public var documentation: String
    /// The ONNX graph's name.
    public var graphName: String
    /// The default domain's operator set the file imports.
    public var opsetVersion: Int
    /// The model's `metadata_props`.
    public var metadata: [String: String]
}
