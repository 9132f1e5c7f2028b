import ArgumentParser

@main
struct PulseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pulse",
        abstract: "Heart-rate estimation from wrist PPG and accelerometer signals.",
        subcommands: [EstimateCommand.self, EvaluateCommand.self, TrainCommand.self, SimulateCommand.self, StreamCommand.self, ImportCommand.self, BenchCommand.self, InferCommand.self])
}
