// Fuzzes the model-file loader, `ModelFile(path:)`, and what a loaded model goes through: `NeuralEstimator` (its
// `Executor`), one inference on a zero window, the rate tracker over its bins, `NeuralTracker` in a
// `HeartRateStream`, and an estimate of a short synthetic recording. Structural oddities that pass the loader's
// checks and then trap are what this looks for.
//
// An input that starts with the HDF5 signature is written as it is (a mutated model file). Any other input is a
// model in text form, four lines: the `format` attribute, the `input` JSON, the `output` JSON, then the `graph`
// JSON. The harness writes them as a model file with pulse's HDF5 writer, with a parameter of the declared shape
// for every `param` the graph decodes to (so mutations of the graph reach past the parameter checks).
//
// With PULSE_FUZZ_MODEL_SEEDS=DIR (and optionally PULSE_FUZZ_MODEL_FILE=models/baseline.h5) the harness writes
// seeds in text form to DIR and exits: small graphs built with pulse's layers and the given model file.
import CFuzzerDriver
import Foundation
import FuzzSupport
import PulseDSP
import PulseGraph
import PulseModels
import PulseRuntime
import PulseSignals

let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

/// The most parameter values the harness writes for a text-form model.
let maximumParameterValues = 1 << 22

/// 20 s at 25 Hz of a pulse at 1.3 Hz with a little motion: what `NeuralEstimator.estimate` runs on.
let recording: Recording = {
    let rate = 25.0
    let count = 500
    let ppg = (0..<2).map { c in (0..<count).map { Float(sin(2 * Double.pi * 1.3 * Double($0) / rate + Double(c))) } }
    let acc = (0..<3).map { c in (0..<count).map { Float(0.1 * sin(2 * Double.pi * 2.1 * Double($0) / rate + Double(c))) } }
    return Recording(name: "synthetic", ppg: SignalGroup(channels: ppg, sampleRateHz: rate),
                     acc: SignalGroup(channels: acc, sampleRateHz: rate))
}()

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    let environment = ProcessInfo.processInfo.environment
    if let folder = environment["PULSE_FUZZ_MODEL_SEEDS"] {
        do {
            try writeSeeds(to: folder, modelFile: environment["PULSE_FUZZ_MODEL_FILE"])
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("fuzz-model: cannot write seeds: \(error)\n".utf8))
            exit(1)
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    pulse_fuzz_reset_forked_children()
    let path: String
    if bytes.starts(with: signature) {
        path = Scratch.write(bytes, as: "model.h5")
    } else {
        path = Scratch.path("model.h5")
        guard writeTextModel(bytes, to: path) else { return 0 }
    }
    guard let file = attempt("ModelFile(path:)", { try ModelFile(path: path) }) else { return 0 }
    exercise(file)
    return 0
}

/// Everything a loaded model goes through in `pulse estimate --model` and `pulse stream --model`.
func exercise(_ file: ModelFile) {
    // NeuralEstimator.load, with one thread (the harness stays single-threaded).
    guard let estimator = attempt("NeuralEstimator", { try NeuralEstimator(model: file, name: "model", preprocessing: .causal, threads: 1) }) else { return }
    let zero = [Float](repeating: 0, count: file.input.channels * file.input.windowSamples)
    if let probabilities = attempt("inference on a zero window", { try estimator.probabilities([zero], threads: 1) }),
       let tracker = try? RateTracker(firstBpm: file.output.firstBpm, binBpm: file.output.binBpm, binCount: file.output.count,
                                      settings: estimator.tracking) {
        for row in probabilities { _ = tracker.step(logLikelihood: row.map { log($0 + NeuralEstimator.probabilityFloor) }) }
    }
    if let tracker = attempt("NeuralTracker", { try NeuralTracker(estimator: estimator) }) {
        _ = attempt("HeartRateStream") { try HeartRateStream(settings: StreamSettings(ppgRateHz: 25, accRateHz: 25, ppgChannels: 2), tracker: tracker) }
    }
    _ = attempt("estimate") { try estimator.estimate(recording, layout: .standard) }
}

/// Writes the model that the text `bytes` describes; false when pulse's writer refuses it.
func writeTextModel(_ bytes: [UInt8], to path: String) -> Bool {
    let parts = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 3, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    guard let file = try? HDF5File.create(path) else { return false }
    for (name, index) in [("format", 0), ("input", 1), ("output", 2), ("graph", 3)] where index < parts.count {
        try? file.write(.text(parts[index]), as: name)
    }
    try? file.write(.text("fuzz"), as: "meta.source")
    guard parts.count == 4, let graph = try? JSONDecoder().decode(Graph.self, from: Data(parts[3].utf8)) else { return true }
    var budget = maximumParameterValues
    for (name, shape) in graph.parameters {
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: max($1, 0)).overflow ? Int.max : $0 * max($1, 0) }
        guard count <= budget, shape.allSatisfy({ $0 > 0 }) else { continue }
        budget -= count
        let values = (0..<count).map { Float(sin(Double($0) * 0.7)) * 0.1 }
        try? file.write(values, shape: shape.isEmpty ? [1] : shape, as: "param." + name)
    }
    return true
}

/// The text form of a model: format, input, output and graph, one per line.
func textForm(_ graph: Graph, input: ModelInput, output: RateBins) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
    return [ModelFile.format, try json(input), try json(output), try json(graph)].joined(separator: "\n")
}

func writeSeeds(to folder: String, modelFile: String?) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var seeds: [String: String] = [:]
    if let modelFile {
        let model = try ModelFile(path: modelFile)
        seeds["baseline-text"] = try textForm(model.graph, input: model.input, output: model.output)
    }
    // Small spectral CNNs: the baseline's architecture at toy sizes.
    let small = ModelInput(sampleRateHz: 8, windowSamples: 64, bandLowHz: 0.5, bandHighHz: 3.5, bandOrder: 2, channels: 4)
    for (name, bins, width, dilations) in [("cnn-small", RateBins(firstBpm: 40, binBpm: 8, count: 20), 4, [1, 2]),
                                           ("cnn-tiny", RateBins(firstBpm: 30, binBpm: 15, count: 12), 2, [1])] {
        let cnn = SpectralCNN(input: small, bins: bins, width: width, kernelSize: 3, dilations: dilations)
        seeds[name] = try textForm(try cnn.graph(), input: small, output: bins)
    }
    // A dense model over the flattened window, and one that reduces, pads, shifts and concatenates.
    let tiny = ModelInput(sampleRateHz: 25, windowSamples: 200, bandLowHz: 0.5, bandHighHz: 4, bandOrder: 4, channels: 4)
    let bins = RateBins(firstBpm: 40, binBpm: 10, count: 16)
    var dense = Graph()
    var x = try dense.append(.input(name: ModelFile.inputName), shape: tiny.shape, layer: "input")
    x = try dense.append(.reshape(shape: [tiny.channels * tiny.windowSamples]), [x], layer: "flatten")
    x = try Dense("fc1", inputs: tiny.channels * tiny.windowSamples, outputs: 8)(x, in: &dense)
    x = try dense.append(.tanh, [x], layer: "fc1")
    dense.outputs = [try Dense("fc2", inputs: 8, outputs: bins.count)(x, in: &dense)]
    seeds["dense"] = try textForm(dense, input: tiny, output: bins)
    var mixed = Graph()
    let input = try mixed.append(.input(name: ModelFile.inputName), shape: tiny.shape, layer: "input")
    let pooled = try Pool1d("pool", kind: .mean, size: 25, stride: 25)(input, in: &mixed)
    let padded = try mixed.append(.pad(axis: 1, before: 2, after: 2), [pooled], layer: "pad")
    let shifted = try mixed.append(.shift(axis: 1, amount: 1), [padded], layer: "shift")
    let joined = try mixed.append(.concat(axis: 0), [padded, shifted], layer: "concat")
    let sliced = try mixed.append(.slice(axis: 0, start: 0, count: 4), [joined], layer: "slice")
    let summed = try mixed.append(.reduce(kind: .sum, axes: [0]), [sliced], layer: "reduce")
    let logged = try mixed.append(.log, [try mixed.append(.abs, [summed], layer: "act")], layer: "act")
    let clipped = try mixed.append(.clip(lower: -3, upper: 3), [logged], layer: "act")
    let windowed = try mixed.append(.window(axis: 0, size: 5, stride: 1, dilation: 2), [clipped], layer: "head")
    let collapsed = try mixed.append(.reduce(kind: .max, axes: [0]), [windowed], layer: "head")
    let sig = try mixed.append(.sigmoid, [collapsed], layer: "head")
    let divided = try mixed.append(.div, [sig, try mixed.append(.exp, [sig], layer: "head")], layer: "head")
    let subtracted = try mixed.append(.sub, [divided, try mixed.append(.const(Tensor(shape: [1], scalars: [0.5])), layer: "head")], layer: "head")
    mixed.outputs = [try Dense("fc", inputs: 4, outputs: bins.count)(subtracted, in: &mixed)]
    seeds["mixed"] = try textForm(mixed, input: tiny, output: bins)
    for (name, text) in seeds {
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("seed-\(name).txt"))
    }
}

/// The entry point SwiftPM links as `main` (see CFuzzerDriver.h): hands the command line to libFuzzer.
@_cdecl("fuzz_model_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
