import ArgumentParser
import Foundation
import PulseFirmware
import PulseModels
import PulseSignals

extension ExportCommand {
    struct C: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "c",
            abstract: "Write a model as int8 C99 for firmware: kernels, const weights, one static arena, pulse_model_run().",
            discussion: """
                The model is quantised after training: activations per tensor with zero points, calibrated on every valid \
                window of the --calibration recordings; convolution weights per output channel; int32 accumulators and \
                fixed-point requantisation (as CMSIS-NN). The directory gets pulse_model.h/.c and the kernel library \
                pulse_kernels.h/.c. A model with a kernel the generator does not support is refused before anything is written.
                """)

        @Option(help: "The model file (.h5).")
        var model: String

        @Option(help: "The directory to write the C files into.")
        var out: String

        @Option(parsing: .upToNextOption, help: "Recordings (or folders of them) whose windows calibrate the activation ranges.")
        var calibration: [String]

        @Flag(help: "Overwrite files in an existing directory.")
        var force = false

        func validate() throws {
            guard !calibration.isEmpty else { throw ValidationError("give --calibration recordings (real windows set the int8 ranges)") }
        }

        func run() throws {
            if FileManager.default.fileExists(atPath: out), !force {
                throw CommandError("\(out) exists; add --force to write into it")
            }
            let file = try ModelFile(path: model)
            let calibrator = try FirmwareCalibration(model: file)
            let windows = try FirmwareCalibration.windows(calibration, input: file.input)
            let quantised = try calibrator.quantise(windows)
            let name = URL(fileURLWithPath: model).lastPathComponent
            try CCodeGenerator(model: quantised, title: name).write(to: out)
            print("wrote \(out): \(quantised.kernels.count) int8 kernels, arena \(quantised.arenaBytes) B, "
                  + "parameters \(quantised.parameterBytes) B; calibrated on \(windows.count) windows")
        }
    }
}
