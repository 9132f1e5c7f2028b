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
            abstract: "Fit a loop-count cost model to what pulse's generated C executes (int8 on a Cortex-M4, float32 on a Cortex-A53/A73), and validate it on the shipped models.",
            discussion: """
                Fitting set: the host target's micro-benchmark graphs, spectral front ends at other shapes, convolutions \
                over odd channel counts, element-wise functions and data moves (random weights, calibrated on random windows). \
                Validation set: every kernel of --models, calibrated on the --calibration recordings. With an mcu target \
                (mcu, stm32l4r5) each graph is built as int8 for the Cortex-M4 and counted under qemu-system-arm, cycles \
                from the executed instruction mix and the Cortex-M4 timings. With an AArch64 target (rpi3, redmi7s, \
                rpi3-pulse-c, redmi7s-pulse-c) it is built as float32 and counted under qemu-aarch64, cycles from \
                llvm-mca's model of the target's core for each executed block. Prints per-kernel Spearman, the share of \
                kernels within ±15 % and whole-model errors before (the target's own model) and after the fit; --out \
                writes the target with the fitted coefficients, named --name (an AArch64 roofline target's fit is written \
                as a generated_c target: rpi3 as rpi3-pulse-c).
                """)

        @Option(parsing: .upToNextOption, help: "Recordings (or folders) whose windows calibrate the validation models.")
        var calibration: [String]

        @Option(parsing: .upToNextOption, help: "The validation models.")
        var models = ["models/baseline.h5", "models/gos-mcu.h5", "models/gos-rpi3.h5", "models/gos-redmi7s.h5"]

        @Option(help: "The target whose model is the 'before' and whose core is counted: mcu, stm32l4r5, rpi3, redmi7s, rpi3-pulse-c or redmi7s-pulse-c.")
        var target = "mcu"

        @Option(help: "The name of the target --out writes (default: the target's, or NAME-pulse-c for a roofline target).")
        var name: String?

        @Option(help: "The firmware-sim directory.")
        var harness = "firmware-sim"

        @Option(help: "Write the target with the fitted coefficients to this JSON file.")
        var out: String?

        @Option(help: "Write every counted kernel (set, graph, kernel, kind, counts, counted and predicted cycles) to this CSV file.")
        var samples: String?

        @Flag(help: "Overwrite existing --out and --samples files.")
        var force = false

        @Flag(help: "Print one JSON object.")
        var json = false

        func validate() throws {
            guard !calibration.isEmpty else { throw ValidationError("give --calibration recordings (real windows calibrate the validation models)") }
            guard !models.isEmpty else { throw ValidationError("give at least one validation model") }
            if name != nil && out == nil { throw ValidationError("--name names the target --out writes: give --out") }
        }

        func run() throws {
            let target = try Target.named(self.target)
            let before: MCUCoefficients?
            switch target.costModel {
            case .mcu(let coefficients), .generatedC(let coefficients): before = coefficients
            case .roofline: before = nil
            case .fitted: throw CommandError("--target \(self.target): the host target is measured, not counted")
            }
            let core = try CountedCore(target)
            var outputs = OutputPlan(inputs: models)
            if let out { try outputs.add(out, force: force) }
            if let samples { try outputs.add(samples, force: force) }
            let harness = try FirmwareHarness(directory: self.harness)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-firmware-fit-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }

            var fitting: [FirmwareFit.Sample] = []
            var skipped: [String] = []
            let graphs = try MicroBenchmarkGraphs.all() + FirmwareFit.frontEndGraphs() + FirmwareFit.oddChannelGraphs() + FirmwareFit.elementwiseGraphs()
                + FirmwareFit.dataMoveGraphs()
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
                fitting += try FirmwareFit.measure(quantised, parameters: calibrator.parameters, windows: [windows[0]], name: name, core: core,
                                                   harness: harness, directory: directory, before: target.model)
            }
            var validation: [FirmwareFit.Sample] = []
            for model in models {
                progress("validation model \(model)")
                let file = try ModelFile(path: model)
                let calibrator = try FirmwareCalibration(model: file)
                let windows = try FirmwareCalibration.windows(calibration, input: file.input)
                let quantised = try calibrator.quantise(windows)
                validation += try FirmwareFit.measure(quantised, parameters: file.parameters, windows: [windows[0], windows[windows.count / 2]],
                                                      name: model, core: core, harness: harness, directory: directory, before: target.model)
            }
            let old = before.map { coefficients in coefficients.perCount.map { $0 * coefficients.stallFactor.value } }
            guard let fitted = FirmwareFit.fit(fitting, fallback: old ?? [Double](repeating: 0, count: FirmwareFitReport.names.count)) else {
                throw CommandError("the fit is singular: too few kinds of kernel counted")
            }
            let report = FirmwareFitReport(fitting: fitting, validation: validation, core: core, before: old, after: fitted, skipped: skipped)
            print(json ? try JSONText.encode(report.json) : report.text)
            if let samples { try OutputFile.write(report.csv, to: samples, force: force) }
            if let out {
                var updated = target
                updated.costModel = core == .cortexM4 ? .mcu(report.coefficients) : .generatedC(report.coefficients)
                updated.name = name ?? (before == nil ? target.name + "-pulse-c" : target.name)
                if before == nil {
                    updated.device += ", running pulse's generated float32 C"
                    updated.threads.source = "pulse's generated C runs on one thread; the loop model ignores --threads"
                }
                try updated.validate(origin: out)
                try OutputFile.write(String(decoding: try updated.encoded(), as: UTF8.self) + "\n", to: out, force: force)
                if !json { print("wrote \(out)") }
            }
        }

        private func progress(_ message: String) {
            guard !json, isatty(STDERR_FILENO) != 0 else { return }
            FileHandle.standardError.write(Data("\u{1B}[2K\r\(message)".utf8))
        }
    }
}
