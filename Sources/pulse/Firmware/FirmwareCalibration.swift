import Foundation
import PulseEngine
import PulseFirmware
import PulseGraph
import PulseModels
import PulseSignals

/// Post-training quantisation of a model file on real windows: the float model runs on every valid window of the
/// calibration recordings, and the range of each activation (and the value of each folded constant) is kept.
struct FirmwareCalibration {
    /// The float executor (its kernel plan is the one quantised).
    let executor: Executor
    /// The parameters.
    let parameters: [String: Tensor]
    /// The graph's input: its name and shape per sample.
    let input: (name: String, shape: [Int])

    init(model: ModelFile) throws {
        try self.init(graph: model.graph, parameters: model.parameters)
    }

    /// The calibration of a graph of one input.
    init(graph: Graph, parameters: [String: Tensor]) throws {
        guard let input = graph.inputs.first, graph.inputs.count == 1 else { throw CommandError("the int8 model takes graphs of one input") }
        self.input = input
        self.parameters = parameters
        executor = try Executor(graph: graph, parameters: parameters)
    }

    /// The valid model input windows of `paths` (recordings or folders of them), zero-phase preprocessed.
    static func windows(_ paths: [String], input: ModelInput) throws -> [[Float]] {
        let pipeline = InputPipeline(input: input)
        var windows: [[Float]] = []
        for path in try RecordingPaths.expand(paths) {
            let (inputs, valid) = try pipeline.windows(try Recording(hdf5Path: path), layout: .standard)
            windows += inputs.indices.filter { valid[$0] }.map { inputs[$0] }
        }
        return windows
    }

    /// Ranges and folded constants of the float model over `windows`, run in batches of 128.
    func calibrate(_ windows: [[Float]]) throws -> Calibration {
        var calibration = Calibration()
        let plan = executor.plan
        for start in stride(from: 0, to: windows.count, by: 128) {
            let batch = windows[start..<min(start + 128, windows.count)]
            let scalars = batch.flatMap { $0 }
            let evaluation = try executor.evaluate([input.name: Tensor(shape: [batch.count] + input.shape, scalars: scalars)])
            calibration.observe(plan.inputs[0], scalars)
            for kernel in plan.kernels {
                guard let value = evaluation.value(kernel.output.index) else { continue }
                if kernel.dependsOnInput {
                    calibration.observe(kernel.output, value.scalars)
                } else if calibration.constants[kernel.output] == nil {
                    calibration.constants[kernel.output] = value
                }
            }
            calibration.countWindows(batch.count)
        }
        return calibration
    }

    /// The model quantised with the ranges of `windows`.
    /// - Throws: `CommandError` when there is no window; `FirmwareError` naming a kernel the int8 kernels do not cover.
    func quantise(_ windows: [[Float]]) throws -> QuantisedModel {
        guard !windows.isEmpty else { throw CommandError("no valid window to calibrate the int8 model on") }
        return try QuantisedModel(plan: executor.plan, parameters: parameters, calibration: calibrate(windows))
    }
}
