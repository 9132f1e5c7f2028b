import Foundation
import PulseGraph

/// Writes a graph and its parameters as an ONNX model, by translating its `KernelPlan`: opset 17, IR version 8,
/// Float32 throughout, and a symbolic batch axis (`batch`) in front of every input and output.
///
/// - Convolution kernels become `Conv` (with `group`, `strides`, `dilations` and `pads`; the weight in ONNX's layout
///   `[O, C/G, K…]`, the bias as Conv's `B`), followed by `Add` for a fused residual and `Relu`/`Clip` for a fused
///   activation. A 1-D convolution runs as a 2-D `Conv` over `[N, C, 1, L]`, the form onnxruntime runs fastest, and
///   values stay in that layout between convolutions, so that a stack of them has one `Unsqueeze` before and one
///   `Squeeze` after. A fully connected kernel becomes `Gemm`.
/// - Pooling kernels become `AveragePool` or `MaxPool` (sums, and means over dilated windows, a depthwise `Conv`
///   with constant weights); contractions become `MatMul` with `Transpose` and `Reshape` only where the axes need
///   them, a constant operand being stored already in the order the product reads.
/// - Element-wise instructions, reductions and data moves become their ONNX operators; `shift` becomes `Pad` then
///   `Slice`. A `window` outside a convolution or pooling pattern has no simple ONNX form and is refused.
///
/// Parameter names are the initializers' names; node names are the layer tags (`block1.conv2/Conv`). The initializers
/// of graph constants (not trained) carry `constantDocumentation` as their `doc_string`, so that importing the model
/// makes them constants again.
public struct ONNXExporter: Sendable {
    /// The operator set the exported models import.
    public static let opsetVersion = 17
    /// The ONNX IR version of the exported models.
    public static let irVersion = 8
    /// The symbolic name of the batch axis.
    public static let batchAxisName = "batch"
    /// The `doc_string` of initializers that hold graph constants rather than trained parameters.
    public static let constantDocumentation = "pulse constant: not trained"

    /// The graph to export.
    public var graph: Graph
    /// The graph's parameters, by name.
    public var parameters: [String: Tensor]
    /// The ONNX graph's name.
    public var modelName = "pulse"
    /// Free text stored as the model's `doc_string`.
    public var documentation = ""
    /// Key–value metadata stored as the model's `metadata_props`.
    public var metadata: [String: String] = [:]

    /// An exporter of `graph` with `parameters`.
    public init(graph: Graph, parameters: [String: Tensor]) {
        self.graph = graph
        self.parameters = parameters
    }

    /// The model as ONNX protobuf bytes.
    /// - Throws: `ONNXError` naming the instruction or parameter that cannot be exported, and why.
    public func serializedModel() throws -> Data {
        do {
            return try model().serializedData()
        } catch let error as ONNXError {
            throw error
        } catch {
            throw ONNXError("model", "protobuf encoding failed: \(error)")
        }
    }

    /// The model as an ONNX message.
    /// - Throws: `ONNXError` naming the instruction or parameter that cannot be exported, and why.
    package func model() throws -> Onnx_ModelProto {
        var session = try ExportSession(graph: graph, parameters: parameters)
        var onnxGraph = try session.export()
        onnxGraph.name = modelName
        var model = Onnx_ModelProto()
        model.irVersion = Int64(Self.irVersion)
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(Self.opsetVersion)
        model.opsetImport = [opset]
        model.producerName = "pulse"
        if !documentation.isEmpty { model.docString = documentation }
        model.metadataProps = metadata.sorted { $0.key < $1.key }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        model.graph = onnxGraph
        return model
    }
}
