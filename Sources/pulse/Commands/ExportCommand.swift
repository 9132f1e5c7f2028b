import ArgumentParser
import Foundation
import PulseModels
import PulseONNX
import PulseSignals

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model in another format.",
        subcommands: [ONNX.self, C.self])

    struct ONNX: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "onnx",
            abstract: "Write a model file (.h5) as ONNX: opset 17, a symbolic batch axis, 1-D convolutions as 2-D Conv over [N, C, 1, L].",
            discussion: """
                The model's input spec and rate bins go into the ONNX metadata (pulse.input, pulse.output), with the \
                model file's own metadata, so that `pulse import onnx` restores them.
                """)

        @Option(help: "The model file (.h5).")
        var model: String

        @Option(help: "Where to write the ONNX file.")
        var out: String

        @Flag(help: "Overwrite an existing file.")
        var force = false

        func run() throws {
            var outputs = OutputPlan(inputs: [model])
            try outputs.add(out, force: force)
            let file = try ModelFile(path: model)
            let name = URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
            var exporter = ONNXExporter(graph: file.graph, parameters: file.parameters)
            exporter.modelName = name
            exporter.documentation = "pulse model \(name): reads \(ModelFile.inputName) [batch, \(file.input.channels), "
                + "\(file.input.windowSamples)] (\(file.input.windowSamples) samples at \(file.input.sampleRateHz) Hz), returns one score "
                + "per rate bin [batch, \(file.output.count)] from \(file.output.firstBpm) BPM in steps of \(file.output.binBpm) BPM"
            var metadata = file.metadata
            metadata[ONNXModelMetadata.inputKey] = try ONNXModelMetadata.encode(file.input)
            metadata[ONNXModelMetadata.outputKey] = try ONNXModelMetadata.encode(file.output)
            exporter.metadata = metadata
            let data: Data
            do {
                data = try exporter.serializedModel()
            } catch let error as ONNXError {
                throw CommandError("\(model): cannot be written as ONNX: \(error)")
            }
            try AtomicFile.write(to: out, replacing: force) { temporary in
                guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                    throw RecordingError(path: out, .writeFailed("the disk refused the content"))
                }
            }
            print("wrote \(out): \(data.count) bytes, ONNX opset \(ONNXExporter.opsetVersion)")
        }
    }
}
