import Foundation
import PulseGraph
import PulseModels
import PulseSignals

/// A model to run, from a model file (.h5).
struct ModelSource {
    var graph: Graph
    var parameters: [String: Tensor]

    /// Reads the model at `path`.
    /// - Throws: `RecordingError` naming the file when it cannot be read as a model.
    static func load(_ path: String) throws -> ModelSource {
        let file = try ModelFile(path: path)
        return ModelSource(graph: file.graph, parameters: file.parameters)
    }
}
