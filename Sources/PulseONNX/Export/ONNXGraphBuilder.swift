import Foundation
import PulseGraph

/// The nodes and initializers of an ONNX graph being written, in order, with every value and node name unique.
struct ONNXGraphBuilder {
    /// The nodes so far, in an order where each one's inputs come first.
    private(set) var nodes: [Onnx_NodeProto] = []
    /// The initializers so far.
    private(set) var initializers: [Onnx_TensorProto] = []
    private var usedNames = Set<String>()

    /// A name not used yet: `base`, else `base_2`, `base_3`…; reserved from then on.
    mutating func uniqueName(_ base: String) -> String {
        var name = base
        var suffix = 2
        while usedNames.contains(name) {
            name = "\(base)_\(suffix)"
            suffix += 1
        }
        usedNames.insert(name)
        return name
    }

    /// Adds a Float32 initializer named after `name` (made unique), with `documentation` as its `doc_string`;
    /// returns its name.
    mutating func addInitializer(_ tensor: Tensor, name: String, documentation: String? = nil) -> String {
        var proto = Onnx_TensorProto()
        proto.name = uniqueName(name)
        if let documentation { proto.docString = documentation }
        proto.dataType = ONNXDataType.float
        proto.dims = tensor.shape.map(Int64.init)
        var bytes = Data(capacity: tensor.count * 4)
        for value in tensor.scalars {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        proto.rawData = bytes
        initializers.append(proto)
        return proto.name
    }

    /// Adds a 1-D Int64 initializer (shapes, axes, pads, slice bounds) named after `name`; returns its name.
    mutating func addInitializer(integers: [Int], name: String) -> String {
        var proto = Onnx_TensorProto()
        proto.name = uniqueName(name)
        proto.dataType = ONNXDataType.int64
        proto.dims = [Int64(integers.count)]
        proto.int64Data = integers.map(Int64.init)
        initializers.append(proto)
        return proto.name
    }

    /// Adds a Float32 scalar initializer (a `Clip` bound) named after `name`; returns its name.
    mutating func addInitializer(scalar: Float, name: String) -> String {
        addInitializer(Tensor(shape: [], scalars: [scalar]), name: name)
    }

    /// Appends a node of the default domain with one output. The node is named `name/opType` (made unique), and so is
    /// its output unless `output` names it. Returns the output's name.
    mutating func addNode(_ opType: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = [], name: String,
                          output: String? = nil) -> String {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.name = uniqueName(name + "/" + opType)
        node.input = inputs
        node.output = [output.map { uniqueName($0) } ?? node.name]
        node.attribute = attributes
        nodes.append(node)
        return node.output[0]
    }

    /// Renames the value `old`, which a node of this graph produces, to `new` (a graph output's name) wherever it
    /// appears. Returns `false` (and changes nothing) when no node produces `old` or `new` is taken.
    mutating func renameNodeOutput(_ old: String, to new: String) -> Bool {
        guard !usedNames.contains(new), nodes.contains(where: { $0.output.contains(old) }) else { return false }
        usedNames.insert(new)
        for index in nodes.indices {
            nodes[index].input = nodes[index].input.map { $0 == old ? new : $0 }
            nodes[index].output = nodes[index].output.map { $0 == old ? new : $0 }
        }
        return true
    }
}

/// Makes the attributes of exported nodes.
enum ONNXAttribute {
    /// An `INT` attribute.
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    /// An `INTS` attribute.
    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map(Int64.init)
        return attribute
    }
}
