import Foundation
import PulseGraph
import PulseModels
import PulseONNX
import PulseSignals

/// A model to run, from a model file (.h5) or an ONNX file (.onnx).
struct ModelSource {
    var graph: Graph
    var parameters: [String: Tensor]
    /// The model file's input spec; `nil` for an ONNX file, which does not carry one.
    var input: ModelInput?

    /// Reads the model at `path`: ONNX when the name ends in `.onnx`, else a pulse model file.
    /// - Throws: `RecordingError` or `ONNXError` naming the file, node or field that cannot be read.
    static func load(_ path: String) throws -> ModelSource {
        if path.lowercased().hasSuffix(".onnx") {
            let imported = try ONNXImporter().importModel(try ONNXFile.read(path))
            return ModelSource(graph: imported.graph, parameters: imported.parameters, input: nil)
        }
        let file = try ModelFile(path: path)
        return ModelSource(graph: file.graph, parameters: file.parameters, input: file.input)
    }
}
