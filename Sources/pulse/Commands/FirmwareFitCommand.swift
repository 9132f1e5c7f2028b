import ArgumentParser
import Foundation
import PulseFirmware
import PulseGraph
import PulseHardware
import PulseModels
import PulseSignals

extension FirmwareCommand {
    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fit",
            abstract: "Fit the mcu cost model to instruction counts of pulse's int8 C code on a Cortex-M4 (QEMU), and validate it on the shipped models.",
            discussion: """
                Fitting set: the host target's micro-benchmark graphs, spectral front ends at other shapes and convolutions over odd channel counts (random weights, calibrated on random windows), each \
                built for the Cortex-M4 and counted per kernel under QEMU; cycles come from the executed instruction mix and \
                the Cortex-M4 timings. Validation set: every kernel of --models, calibrated on the --calibration recordings. \
                Prints per-kernel Spearman, the share of kernels within ±15 % and whole-model errors before (the target's \
                coefficients) and after the fit; --out writes the target with the fitted coefficients.
                """)

        @Option(parsing: .upToNextOption, help: "Recordings (or folders) whose windows calibrate the validation models.")
        var calibration: [String]

        @Option(parsing: .upToNextOption, help: "The validation models.")
        var models = ["models/baseline.h5", "models/gos-mcu.h5", "models/gos-rpi3.h5", "models/gos-redmi7s.h5"]

        @Option(help: "The target whose coefficients are the 'before' (and which --out rewrites): mcu.")
        var target = "mcu"

        @Option(help: "The firmware-sim directory.")
        var harness = "firmware-sim"

        @Option(help: "Write the target with the fitted coefficients to this JSON file.")
        var out: String?

        @Flag(help: "Print one JSON object.")
        var json = false

        func validate() throws {
            guard !calibration.isEmpty else { throw ValidationError("give --calibration recordings (real windows calibrate the validation models)") }
            guard !models.isEmpty else { throw ValidationError("give at least one validation model") }
        }

        func run() throws {
            let target = try Target.named(self.target)
            guard case .mcu(let before) = target.costModel else { throw CommandError("--target \(self.target) has no mcu cost model") }
            let harness = try FirmwareHarness(directory: self.harness)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-firmware-fit-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }

            var fitting: [FirmwareFit.Sample] = []
            var skipped: [String] = []
            let graphs = try MicroBenchmarkGraphs.all() + FirmwareFit.frontEndGraphs() + FirmwareFit.oddChannelGraphs()
            for (index, (name, graph)) in graphs.enumerated() {
                progress("fitting graph \(index + 1)/\(graphs.count): \(name)")
                var generator = SeededGenerator(seed: UInt64(index + 1))
                let calibrator = try FirmwareCalibration(graph: graph, parameters: graph.initialParameters(seed: UInt64(index + 1)))
                let size = calibrator.input.shape.reduce(1, *)
                let windows = (0..<6).map { _ in (0..<size).map { _ in Float.random(in: -2...2, using: &generator) } }
                let quantised: QuantisedModel
                do {
                    quantised = try calibrator.quantise(windows)
                } catch let error as FirmwareError {
                    skipped.append("\(name): \(error)")
                    continue
                }
                let input = try quantised.quantise(window: windows[0], name: name)
                fitting += try FirmwareFit.measure(quantised, inputs: [input], name: name, harness: harness, directory: directory, target: before)
            }
            var validation: [FirmwareFit.Sample] = []
            for model in models {
                progress("validation model \(model)")
                let file = try ModelFile(path: model)
                let calibrator = try FirmwareCalibration(model: file)
                let windows = try FirmwareCalibration.windows(calibration, input: file.input)
                let quantised = try calibrator.quantise(windows)
                let inputs = try [windows[0], windows[windows.count / 2]].map { try quantised.quantise(window: $0, name: model) }
                validation += try FirmwareFit.measure(quantised, inputs: inputs, name: model, harness: harness, directory: directory, target: before)
            }
            let old = before.perCount.map { $0 * before.stallFactor.value }
            guard let fitted = FirmwareFit.fit(fitting, fallback: old) else { throw CommandError("the fit is singular: too few kinds of kernel counted") }
            let report = FirmwareFitReport(fitting: fitting, validation: validation, before: old, after: fitted, skipped: skipped)
            print(json ? try JSONText.encode(report.json) : report.text)
            if let out {
                var updated = target
                updated.costModel = .mcu(report.coefficients(replacing: before))
                try AtomicFile.write(to: out, replacing: true) { temporary in
                    guard FileManager.default.createFile(atPath: temporary, contents: try updated.encoded()) else {
                        throw CommandError("\(out): cannot be written")
                    }
                }
                if !json { print("wrote \(out)") }
            }
        }

        private func progress(_ message: String) {
            guard !json, isatty(STDERR_FILENO) != 0 else { return }
            FileHandle.standardError.write(Data("\u{1B}[2K\r\(message)".utf8))
        }
    }
}
