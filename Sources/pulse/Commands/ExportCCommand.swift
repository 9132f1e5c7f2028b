import ArgumentParser
import Foundation
import PulseFirmware
import PulseGraph
import PulseHardware
import PulseModels
import PulseSignals

extension ExportCommand {
    struct C: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "c",
            abstract: "Write a model as C99 for a target: int8 for firmware, float32 (NEON on AArch64) for the Pi and the phone.",
            discussion: """
                For an int8 target (mcu, stm32l4r5) the model is quantised after training: activations per tensor with \
                zero points, calibrated on every valid window of the --calibration recordings; convolution weights per \
                output channel; int32 accumulators and fixed-point requantisation (as CMSIS-NN). The directory gets \
                pulse_model.h/.c and the kernel library pulse_kernels.h/.c. For a float32 target (rpi3, redmi7s and their \
                -pulse-c targets) it gets the same kernels and arena in float32 (pulse_kernels_f32.h/.c); --calibration is \
                then optional, since float32 code does not depend on activation ranges. A model with a kernel the generator \
                does not support is refused before anything is written.
                """)

        @Option(help: "The model file (.h5).")
        var model: String

        @Option(help: "The directory to write the C files into.")
        var out: String

        @Option(help: "The target: an int8 one (mcu, stm32l4r5) or a float32 one (rpi3, redmi7s, rpi3-pulse-c, redmi7s-pulse-c).")
        var target = "mcu"

        @Option(parsing: .upToNextOption, help: "Recordings (or folders of them) whose windows calibrate the activation ranges.")
        var calibration: [String] = []

        @Flag(help: "Overwrite files in an existing directory.")
        var force = false

        func run() throws {
            let target = try Target.named(self.target)
            guard target.dataType == .int8 || target.dataType == .float32 else {
                throw CommandError("--target \(self.target): C is written for int8 or float32 targets, not \(target.dataType)")
            }
            if target.dataType == .int8, calibration.isEmpty {
                throw CommandError("--target \(self.target) is int8: give --calibration recordings (real windows set the int8 ranges)")
            }
            if FileManager.default.fileExists(atPath: out), !force {
                throw CommandError("\(out) exists; add --force to write into it")
            }
            let file = try ModelFile(path: model)
            let calibrator = try FirmwareCalibration(model: file)
            let windows: [[Float]]
            if calibration.isEmpty {
                var generator = SeededGenerator(seed: 1)
                let size = calibrator.input.shape.reduce(1, *)
                windows = [(0..<size).map { _ in Float.random(in: -2...2, using: &generator) }]
            } else {
                windows = try FirmwareCalibration.windows(calibration, input: file.input)
            }
            let quantised = try calibrator.quantise(windows)
            let name = URL(fileURLWithPath: model).lastPathComponent
            if target.dataType == .int8 {
                try CCodeGenerator(model: quantised, title: name).write(to: out)
                print("wrote \(out): \(quantised.kernels.count) int8 kernels, arena \(quantised.arenaBytes) B, "
                      + "parameters \(quantised.parameterBytes) B; calibrated on \(windows.count) windows")
            } else {
                try FloatCodeGenerator(model: quantised, parameters: file.parameters, title: name).write(to: out)
                print("wrote \(out): \(quantised.kernels.count) float32 kernels, arena \(4 * quantised.arenaBytes) B")
            }
        }
    }
}
