import ArgumentParser
import Foundation
import PulseGraph
import PulseModels
import PulseONNX
import PulseSignals

/// `pulse import onnx`: an ONNX model into a pulse model file.
struct ImportONNXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onnx",
        abstract: "Convert an ONNX model into a pulse model file (.h5).",
        discussion: """
            The model must read one window [batch, channels, samples] and return one score per rate bin. What ONNX does \
            not carry comes from the options: the input spec (rate, band, and the channels and samples where the file \
            leaves those axes open) and the rate bins (the count is the model's output size). A file written by `pulse \
            export onnx` carries them in its metadata; options given override it. Without either, the input spec is the \
            baseline's (32 Hz, 0.5-4 Hz, order 4) and the bins start at 30 BPM, 1.875 BPM apart.
            """)

    @Argument(help: "The ONNX file.")
    var file: String

    @Option(help: "The model file to write (.h5).")
    var out: String

    @Flag(help: "Overwrite an existing file.")
    var force = false

    @Option(name: .customLong("rate-hz"), help: "Sample rate of the model's input in Hz.")
    var sampleRateHz: Double?

    @Option(help: "Samples per window (the input's last axis, where the file leaves it open).")
    var window: Int?

    @Option(help: "Input channels: the PPG, then accelerometer axes (the input's first axis, where the file leaves it open).")
    var channels: Int?

    @Option(name: .customLong("band-low"), help: "Low edge of the input's band-pass in Hz.")
    var bandLowHz: Double?

    @Option(name: .customLong("band-high"), help: "High edge of the input's band-pass in Hz.")
    var bandHighHz: Double?

    @Option(name: .customLong("band-order"), help: "Order of the input's Butterworth band-pass.")
    var bandOrder: Int?

    @Option(name: .customLong("first-bpm"), help: "Heart rate of the first output bin in BPM.")
    var firstBpm: Double?

    @Option(name: .customLong("bin-bpm"), help: "Width of the output bins in BPM.")
    var binBpm: Double?

    func run() throws {
        var outputs = OutputPlan(inputs: [file])
        try outputs.add(out, force: force)
        let data = try ONNXFile.read(file)
        var options = ONNXImporter.Options()
        options.inputName = ModelFile.inputName
        options.flattenOutputs = true
        // The stored or default spec fills the axes the file leaves open; explicit options are checked below.
        let stored = (try? ONNXImporter.metadata(of: data)) ?? [:]
        var input = try ONNXModelMetadata.decode(ModelInput.self, ONNXModelMetadata.inputKey, from: stored, path: file) ?? .standard
        options.inputShape = [channels ?? input.channels, window ?? input.windowSamples]
        let model: ImportedModel
        do {
            model = try ONNXImporter(options: options).importModel(data)
        } catch let error as ONNXError {
            throw CommandError("\(file): \(error)")
        }
        let inputs = model.graph.inputs
        guard inputs.count == 1, inputs[0].shape.count == 2, model.graph.outputs.count == 1 else {
            throw CommandError("\(file): a pulse model reads one window [batch, channels, samples] and returns one score vector; this one "
                + "reads \(inputs.map { "[batch] + \($0.shape)" }.joined(separator: ", ")) and has \(model.graph.outputs.count) outputs")
        }
        let shape = inputs[0].shape
        if let channels, channels != shape[0] { throw CommandError("--channels \(channels): the model's input has \(shape[0]) channels") }
        if let window, window != shape[1] { throw CommandError("--window \(window): the model's input holds \(shape[1]) samples") }
        input.channels = shape[0]
        input.windowSamples = shape[1]
        if let sampleRateHz { input.sampleRateHz = sampleRateHz }
        if let bandLowHz { input.bandLowHz = bandLowHz }
        if let bandHighHz { input.bandHighHz = bandHighHz }
        if let bandOrder { input.bandOrder = bandOrder }
        if let problem = input.problem { throw CommandError("the input spec is unusable: \(problem)") }
        let scores = model.graph.instructions[model.graph.outputs[0]].shape.reduce(1, *)
        var bins = try ONNXModelMetadata.decode(RateBins.self, ONNXModelMetadata.outputKey, from: stored, path: file)
            ?? RateBins(firstBpm: 30, binBpm: 1.875, count: scores)
        if let firstBpm { bins.firstBpm = firstBpm }
        if let binBpm { bins.binBpm = binBpm }
        guard bins.count == scores else {
            throw CommandError("\(file): the model returns \(scores) scores, its stored rate bins number \(bins.count)")
        }
        if let problem = bins.problem { throw CommandError("the rate bins are unusable: \(problem) (see --first-bpm, --bin-bpm)") }
        var metadata = model.metadata.filter { $0.key != ONNXModelMetadata.inputKey && $0.key != ONNXModelMetadata.outputKey }
        metadata["onnx_file"] = URL(fileURLWithPath: file).lastPathComponent
        metadata["onnx_producer"] = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        metadata["onnx_opset"] = String(model.opsetVersion)
        if !model.documentation.isEmpty { metadata["onnx_doc"] = model.documentation }
        metadata["imported_by"] = "pulse import onnx"
        let modelFile = ModelFile(graph: model.graph, parameters: model.parameters, input: input, output: bins, metadata: metadata)
        try modelFile.write(to: out, replacing: force)
        print("wrote \(out): \(model.graph.parameterCount) parameters, \(model.graph.multiplyAccumulates) MACs per window, "
            + "input [\(input.channels), \(input.windowSamples)] at \(input.sampleRateHz) Hz, \(bins.count) bins from \(bins.firstBpm) BPM")
    }
}
