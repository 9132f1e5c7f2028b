import ArgumentParser
import Foundation
import PulseFirmware
import PulseGraph
import PulseHardware
import PulseModels
import PulseSignals

struct FirmwareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firmware",
        abstract: "Check a model as int8 firmware: C builds for the host, a Cortex-M4 (QEMU) and AArch64 (QEMU).",
        subcommands: [Check.self, Fit.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Build the int8 C model three ways, run it on real windows, compare with the integer reference, count what the M4 runs.",
            discussion: """
                The model is quantised on the --calibration recordings (as pulse export c does) and written as C with the \
                harness of --harness (firmware-sim). Windows of --recording go in. Each build (host gcc; Cortex-M4F with \
                arm-none-eabi-gcc under qemu-system-arm -M mps2-an386; AArch64 with aarch64-linux-gnu-gcc under \
                qemu-aarch64) must give the integer reference's outputs bit for bit. The Cortex-M4 run is counted by a QEMU \
                plugin, per kernel; cycles come from the executed instruction mix and the Cortex-M4 instruction timings, \
                against the --target's cost model. Flash and SRAM come from the ELF's symbols. The float32 variant is \
                built the same three ways and must agree with the float model within 1e-5; with an AArch64 --target its \
                AArch64 run is the one counted, each executed block timed by llvm-mca.
                """)

        @Option(help: "The model file (.h5).")
        var model: String

        @Option(help: "The target whose cost model the counts are set against: mcu or stm32l4r5 (the int8 Cortex-M4 build); rpi3-pulse-c, redmi7s-pulse-c (pulse's float32 C, fitted to these counts), rpi3 or redmi7s (an ncnn-class runtime) for the float32 AArch64 build, timed by llvm-mca's Cortex-A53 or Cortex-A73 model.")
        var target = "mcu"

        @Option(parsing: .upToNextOption, help: "Recordings (or folders of them) whose windows calibrate the int8 ranges.")
        var calibration: [String]

        @Option(help: "The recording whose windows go in (default: the first calibration recording).")
        var recording: String?

        @Option(help: "Windows to run, spread over the recording.")
        var windows = 4

        @Option(help: "The firmware-sim directory (harness, build and run scripts).")
        var harness = "firmware-sim"

        @Option(help: "Keep the generated C, the builds and the counts in this directory (default: a temporary one, removed).")
        var work: String?

        @Flag(help: "Print one JSON object.")
        var json = false

        func validate() throws {
            guard !calibration.isEmpty else { throw ValidationError("give --calibration recordings (real windows set the int8 ranges)") }
            guard (1...64).contains(windows) else { throw ValidationError("--windows must be 1...64") }
        }

        func run() throws {
            let target = try Target.named(self.target)
            let core = try CountedCore(target)
            let harness = try FirmwareHarness(directory: self.harness)
            let file = try ModelFile(path: model)
            let calibrator = try FirmwareCalibration(model: file)
            let quantised = try calibrator.quantise(try FirmwareCalibration.windows(calibration, input: file.input))
            let source = try recording ?? RecordingPaths.expand(calibration)[0]
            let all = try FirmwareCalibration.windows([source], input: file.input)
            guard !all.isEmpty else { throw CommandError("\(source): no valid window") }
            let chosen = (0..<min(windows, all.count)).map { all[$0 * all.count / min(windows, all.count)] }
            let inputs = try chosen.enumerated().map { try quantised.quantise(window: $1, name: "\(source), window \($0)") }
            let executor = IntegerExecutor(model: quantised)
            let reference = try inputs.map(executor.run)

            let directory = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("pulse-firmware-\(UUID().uuidString)").path
            defer { if work == nil { try? FileManager.default.removeItem(atPath: directory) } }
            let generated = directory + "/gen"
            try CCodeGenerator(model: quantised, title: URL(fileURLWithPath: model).lastPathComponent).write(
                to: generated, extra: ["pulse_windows.h": CCodeGenerator.windowsHeader(inputs, inputSize: quantised.input.count)])

            var check = FirmwareCheck()
            check.countedCore = core.description
            var m4: String?
            for build in FirmwareTarget.allCases {
                progress("building and running \(build.rawValue)")
                let elf = try harness.build(build, generated: generated, build: directory + "/build")
                check.builds.append(FirmwareCheck.compare(build, try harness.run(build, elf: elf, outputSize: quantised.output.count),
                                                          reference: reference))
                if build == .m4 { m4 = elf }
            }
            progress("building and running the float32 variant")
            let floatGenerated = directory + "/gen-f32"
            try FloatCodeGenerator(model: quantised, parameters: file.parameters, title: URL(fileURLWithPath: model).lastPathComponent).write(
                to: floatGenerated, extra: ["pulse_windows.h": FloatCodeGenerator.windowsHeader(chosen, inputSize: quantised.input.count)])
            let logits = try calibrator.executor.infer([calibrator.input.name: Tensor(shape: [chosen.count] + calibrator.input.shape,
                                                                                      scalars: chosen.flatMap { $0 })])[0].scalars
            let width = quantised.output.count
            let expected = (0..<chosen.count).map { Array(logits[($0 * width)..<(($0 + 1) * width)]) }
            var floatAArch64: String?
            for build in FirmwareTarget.allCases {
                let elf = try harness.build(build, generated: floatGenerated, build: directory + "/build-f32")
                if build == .aarch64 { floatAArch64 = elf }
                let run = try harness.run(build, elf: elf, outputSize: width, valueBytes: 4)
                check.floatBuilds.append(.init(target: build, relativeError: FirmwareCheck.relativeError(run.floatOutputs, expected),
                                               runSeconds: run.seconds))
            }
            if let elf = core == .cortexM4 ? m4 : floatAArch64 {
                progress("counting the \(core == .cortexM4 ? "Cortex-M4" : "float32 AArch64") run")
                let run = try core.count(elf: elf, harness: harness, outputSize: width, kernelCount: quantised.kernels.count,
                                         countsPath: directory + "/counts.txt")
                (check.kernels, check.glueInstructions, check.glueCycles) = FirmwareCheck.kernelCounts(
                    run.counts, model: quantised, windows: inputs.count, costModel: target.model, float: core != .cortexM4, cycles: run.cycles)
            }
            if core == .cortexM4, let m4 {
                let symbols = try harness.symbolSizes(.m4, elf: m4)
                (check.modelFlashBytes, check.sramBytes) = FirmwareCheck.modelBytes(symbols)
                check.image = try? harness.imageSizes(.m4, elf: m4)
                let memory = MemoryReport(plan: quantised.plan, memory: quantised.memory, dataType: .int8, model: target.model)
                check.predictedFlashBytes = memory.parameterBytes
                check.predictedSRAMBytes = memory.arenaBytes + memory.scratchBytes
            }
            let report = FirmwareCheckReport(check: check, target: target, model: model, recording: source, windows: inputs.count)
            print(json ? try JSONText.encode(report.json) : report.text)
            if let failed = check.builds.first(where: { $0.identicalWindows != $0.windows }) {
                throw CommandError("the \(failed.target.rawValue) build differs from the integer reference: \(failed.firstDifference ?? "")")
            }
            if let failed = check.floatBuilds.first(where: { !($0.relativeError <= FirmwareCheck.floatTolerance) }) {
                throw CommandError("the float32 \(failed.target.rawValue) build differs from the float model by \(failed.relativeError) (relative)")
            }
        }

        private func progress(_ message: String) {
            guard !json, isatty(STDERR_FILENO) != 0 else { return }
            FileHandle.standardError.write(Data("\(message)…\n".utf8))
        }
    }
}
