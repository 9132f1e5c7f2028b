import Foundation
import PulseGraph
import PulseSignals

/// A trained model on disk (HDF5): the instruction graph as a JSON attribute `graph`, one Float32 dataset per
/// parameter (`param.NAME`), the input it expects as a JSON attribute `input`, and free-form text metadata
/// (training data, metrics) as further attributes.
public struct ModelFile: Sendable, Equatable {
    /// The file layout this code writes and reads.
    public static let format = "pulse-model-1"
    /// The name of a model's one input, a `[channels, samples]` window.
    public static let inputName = "window"

    public var graph: Graph
    public var parameters: [String: Tensor]
    public var input: ModelInput
    public var output: RateBins
    public var metadata: [String: String]

    public init(graph: Graph, parameters: [String: Tensor], input: ModelInput, output: RateBins, metadata: [String: String] = [:]) {
        self.graph = graph
        self.parameters = parameters
        self.input = input
        self.output = output
        self.metadata = metadata
    }

    /// Writes the model atomically (`AtomicFile`).
    /// - Parameter replacing: whether an existing file at `path` may be replaced; without it, one is an error.
    public func write(to path: String, replacing: Bool = true) throws {
        try AtomicFile.write(to: path, replacing: replacing) { temporary in try writeContent(to: temporary) }
    }

    private func writeContent(to path: String) throws {
        let file = try HDF5File.create(path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        try file.write(.text(Self.format), as: "format")
        try file.write(.text(try json(graph)), as: "graph")
        try file.write(.text(try json(input)), as: "input")
        try file.write(.text(try json(output)), as: "output")
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { try file.write(.text(value), as: "meta." + key) }
        for (name, tensor) in parameters.sorted(by: { $0.key < $1.key }) {
            try file.write(tensor.scalars, shape: tensor.shape.isEmpty ? [1] : tensor.shape, as: "param." + name)
        }
    }

    /// Reads a model and checks that its graph is valid and its parameters match it.
    /// - Throws: `RecordingError` naming the file: not a model, a corrupt graph, a missing or mis-shaped parameter.
    public init(path: String) throws {
        let file = try HDF5Contents(path: path)
        func text(_ name: String) throws -> String {
            guard case .text(let value)? = try file.attribute(name) else { throw RecordingError(path: path, .missingAttribute(name)) }
            return value
        }
        guard try text("format") == Self.format else {
            throw RecordingError(path: path, .unsupported("not a \(Self.format) model (attribute format)"))
        }
        func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
            do {
                return try JSONDecoder().decode(type, from: Data(try text(name).utf8))
            } catch let error as RecordingError {
                throw error
            } catch {
                throw RecordingError(path: path, .unreadable("attribute \(name) is not a valid \(T.self)"))
            }
        }
        let graph = try decode(Graph.self, "graph")
        do {
            try graph.validate()
        } catch let error as GraphError {
            throw RecordingError(path: path, .unreadable("the graph does not hold together: \(error.message)"))
        }
        let input = try decode(ModelInput.self, "input")
        let output = try decode(RateBins.self, "output")
        try Self.check(graph: graph, input: input, output: output, path: path)
        var parameters: [String: Tensor] = [:]
        for (name, shape) in graph.parameters {
            guard file.contains("param." + name) else { throw RecordingError(path: path, .missingDataset("/param." + name)) }
            let (storedShape, values) = try file.readFloats("param." + name)
            guard storedShape == shape || (shape.isEmpty && storedShape == [1]) else {
                throw RecordingError(path: path, .badShape(field: "/param." + name, detail: "holds \(storedShape), the graph needs \(shape)"))
            }
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw RecordingError(path: path, .unreadable("/param.\(name) holds \(values[index]) at index \(index); every weight must be finite"))
            }
            parameters[name] = Tensor(shape: shape, scalars: values)
        }
        var metadata: [String: String] = [:]
        for name in file.attributeNames where name.hasPrefix("meta.") {
            if case .text(let value)? = try? file.attribute(name) { metadata[String(name.dropFirst(5))] = value }
        }
        self.init(graph: graph, parameters: parameters, input: input, output: output, metadata: metadata)
    }

    /// Throws unless the graph reads one `[channels, samples]` window named `inputName` and returns one score per
    /// rate bin, and the input and output specs are usable.
    private static func check(graph: Graph, input: ModelInput, output: RateBins, path: String) throws {
        func fail(_ detail: String) -> RecordingError { RecordingError(path: path, .unreadable(detail)) }
        if let problem = input.problem { throw fail("attribute input: \(problem)") }
        if let problem = output.problem { throw fail("attribute output: \(problem)") }
        let inputs = graph.inputs
        guard inputs.count == 1, inputs[0].name == inputName, inputs[0].shape == input.shape else {
            throw fail("the graph must read one input \(inputName) of shape \(input.shape)")
        }
        guard graph.outputs.count == 1, graph.instructions[graph.outputs[0]].shape == [output.count] else {
            throw fail("the graph must return one score per rate bin (\(output.count))")
        }
    }
}
