import Foundation
@testable import PulseONNX

/// Builds small ONNX models in Swift, for the importer's error cases.
struct ONNXModelMaker {
    /// One axis of a declared shape.
    enum Dimension {
        case fixed(Int)
        case named(String)
        case open
    }

    var nodes: [Onnx_NodeProto] = []
    var initializers: [Onnx_TensorProto] = []
    var inputs: [Onnx_ValueInfoProto] = []
    var outputs: [Onnx_ValueInfoProto] = []
    var opset: Int64 = 17
    var irVersion: Int64 = 8

    /// A Float32 graph input.
    mutating func input(_ name: String, _ dimensions: [Dimension]) { inputs.append(Self.valueInfo(name, dimensions)) }

    /// A Float32 graph output.
    mutating func output(_ name: String, _ dimensions: [Dimension]) { outputs.append(Self.valueInfo(name, dimensions)) }

    /// A Float32 initializer stored as raw bytes, or as `rawBytes` when given (to make it the wrong size).
    mutating func initializer(_ name: String, shape: [Int], values: [Float], rawBytes: Int? = nil) {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = ONNXDataType.float
        tensor.dims = shape.map(Int64.init)
        var bytes = Data()
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        tensor.rawData = rawBytes.map { Data(bytes.prefix($0)) } ?? bytes
        initializers.append(tensor)
    }

    /// An Int64 initializer.
    mutating func integers(_ name: String, _ values: [Int]) {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = ONNXDataType.int64
        tensor.dims = [Int64(values.count)]
        tensor.int64Data = values.map(Int64.init)
        initializers.append(tensor)
    }

    /// A node of the default domain.
    mutating func node(_ opType: String, _ inputs: [String], _ outputs: [String], name: String = "", _ attributes: [Onnx_AttributeProto] = []) {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.name = name
        node.input = inputs
        node.output = outputs
        node.attribute = attributes
        nodes.append(node)
    }

    /// The model.
    var model: Onnx_ModelProto {
        var graph = Onnx_GraphProto()
        graph.name = "test"
        graph.node = nodes
        graph.initializer = initializers
        graph.input = inputs
        graph.output = outputs
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        var opsetID = Onnx_OperatorSetIdProto()
        opsetID.version = opset
        model.opsetImport = [opsetID]
        model.producerName = "pulse tests"
        model.graph = graph
        return model
    }

    /// The model's bytes.
    func data() throws -> Data { try model.serializedData() }

    private static func valueInfo(_ name: String, _ dimensions: [Dimension]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = dimensions.map { dimension in
            var proto = Onnx_TensorShapeProto.Dimension()
            switch dimension {
            case .fixed(let value): proto.dimValue = Int64(value)
            case .named(let name): proto.dimParam = name
            case .open: break
            }
            return proto
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = ONNXDataType.float
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }

    /// A model `y = Relu(Conv(x, W, B))` over `[batch, 2, 8]` with a 3-tap kernel and 4 output channels: the base that
    /// the error cases break.
    static func convolution() -> ONNXModelMaker {
        var maker = ONNXModelMaker()
        maker.input("x", [.named("batch"), .fixed(2), .fixed(8)])
        maker.initializer("conv.weight", shape: [4, 2, 3], values: (0..<24).map { Float($0) / 24 - 0.5 })
        maker.initializer("conv.bias", shape: [4], values: [0.1, -0.2, 0.3, 0])
        maker.node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name: "conv", [ONNXAttribute.ints("pads", [1, 1])])
        maker.node("Relu", ["c"], ["y"], name: "relu")
        maker.output("y", [.named("batch"), .fixed(4), .fixed(8)])
        return maker
    }
}
