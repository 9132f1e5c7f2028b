import ArgumentParser
import Foundation
import PulseEngine
import PulseGraph
import PulseModels
import PulseSignals

struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run a model on an array of windows (HDF5 in, HDF5 out).",
        discussion: """
            The input dataset holds windows of the model's input shape, one after the other: [N] + input shape (or \
            the input shape alone for one window). The model's outputs are written to --output as Float32 datasets \
            `output` (or `output0`, `output1`, … for several), each [N] + output shape, with attributes naming the \
            model and the input.
            """)

    @Option(help: "The model: a model file (.h5) or an ONNX file (.onnx).")
    var model: String

    @Option(help: "The HDF5 file holding the windows.")
    var input: String

    @Option(help: "The HDF5 file to write the outputs to.")
    var output: String

    @Option(help: "The input dataset's name.")
    var dataset = "windows"

    @Option(help: "Threads to run the batch on.")
    var threads = 2

    @Flag(help: "Overwrite an existing --output file.")
    var force = false

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1 to 256") }
    }

    func run() throws {
        var outputs = OutputPlan(inputs: [model, input])
        try outputs.add(output, force: force)
        let loaded = try ModelSource.load(model)
        guard let (name, shape) = loaded.graph.inputs.first, loaded.graph.inputs.count == 1 else {
            throw RecordingError(path: model, .unreadable("the model has \(loaded.graph.inputs.count) inputs; infer runs models with one"))
        }
        let (datasetShape, values) = try HDF5Contents(path: input).readFloats(dataset)
        let width = shape.reduce(1, *)
        let batch: Int
        if datasetShape == shape {
            batch = 1
        } else if datasetShape.count == shape.count + 1, Array(datasetShape.dropFirst()) == shape {
            batch = datasetShape[0]
        } else {
            throw RecordingError(path: input, .unreadable("dataset /\(dataset) has shape \(datasetShape); the model takes [N] + \(shape)"))
        }
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw RecordingError(path: input, .unreadable("dataset /\(dataset): window \(index / max(width, 1)) holds \(values[index])"))
        }
        let executor = try Executor(graph: loaded.graph, parameters: loaded.parameters)
        let results = try executor.infer([name: Tensor(shape: [batch] + shape, scalars: values)], threads: threads)
        try AtomicFile.write(to: output, replacing: force) { temporary in
            let file = try HDF5File.create(temporary)
            for (index, result) in results.enumerated() {
                try file.write(result.scalars, shape: result.shape, as: results.count == 1 ? "output" : "output\(index)")
            }
            try file.write(.text(model), as: "model")
            try file.write(.text(input + ":/" + dataset), as: "input")
        }
        FileHandle.standardError.write(Data("wrote \(output): \(batch) windows, outputs \(results.map { $0.shape })\n".utf8))
    }
}
