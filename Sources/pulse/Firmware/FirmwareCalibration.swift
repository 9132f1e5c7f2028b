import Foundation
import PulseEngine
import PulseFirmware
import PulseGraph
import PulseModels
import PulseSignals

/// Post-training quantisation of a model file on real windows: the float model runs on every valid window of the
/// calibration recordings, and the range of each activation (and the value of each folded constant) is kept.
struct FirmwareCalibration {
    /// The model.
    let model: ModelFile
    /// The float executor (its kernel plan is the one quantised).
    let executor: Executor

    init(model: ModelFile) throws {
        self.model = model
        executor = try Executor(graph: model.graph, parameters: model.parameters)
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
            let evaluation = try executor.evaluate([ModelFile.inputName: Tensor(shape: [batch.count] + model.input.shape, scalars: scalars)])
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
        return try QuantisedModel(plan: executor.plan, parameters: model.parameters, calibration: calibrate(windows))
    }
}
