import ArgumentParser
import Foundation

@main
struct PulseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pulse",
        abstract: "Heart-rate estimation from wrist PPG and accelerometer signals.",
        subcommands: [EstimateCommand.self, EvaluateCommand.self, TrainCommand.self, SimulateCommand.self, StreamCommand.self, ImportCommand.self, ExportCommand.self, BenchCommand.self, InferCommand.self, ProfileCommand.self, SearchCommand.self, FirmwareCommand.self])

    /// Refuses to start on a processor without the extensions the engine was built for, then runs the command.
    static func main() {
        let missing = ProcessorCheck.missingExtensions()
        guard missing.isEmpty else {
            FileHandle.standardError.write(Data(("pulse: error: this processor lacks \(missing.joined(separator: " and ")), which this "
                + "build of pulse's engine needs (x86-64 with AVX2 and FMA: Haswell, 2013, or later)\n").utf8))
            Foundation.exit(1)
        }
        main(nil)
    }
}
