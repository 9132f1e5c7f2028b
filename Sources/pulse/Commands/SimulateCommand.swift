import ArgumentParser
import Foundation
import PulseRuntime
import PulseSignals

extension Activity: ExpressibleByArgument {}

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write a simulated wrist recording (PPG, accelerometer, exact reference heart rate) in the HDF5 layout.")

    @Option(help: "Length in seconds (8 to 604800, a week).")
    var duration: Double

    @Option(help: "rest, walk, run or mixed.")
    var activity: Activity = .mixed

    @Option(help: "Seed: the same seed gives the same recording.")
    var seed: UInt64 = 1

    @Option(name: .customLong("fs-ppg"), help: "PPG sample rate in Hz (1 to 10⁶).")
    var ppgRateHz = 64.0

    @Option(name: .customLong("fs-acc"), help: "Accelerometer sample rate in Hz (1 to 10⁶).")
    var accRateHz = 32.0

    @Option(help: "Sensor noise relative to a typical wrist sensor (0 to 100).")
    var noise = 1.0

    @Flag(help: "Clip the PPG as a saturating sensor would.")
    var saturation = false

    @Flag(help: "Drop out short stretches of PPG (NaN).")
    var dropouts = false

    @Option(help: "The recording to write (.h5).")
    var out: String

    @Flag(help: "Overwrite an existing file.")
    var force = false

    private var simulator: SensorSimulator {
        var simulator = SensorSimulator(durationSeconds: duration, activity: activity, seed: seed)
        simulator.ppgRateHz = ppgRateHz
        simulator.accRateHz = accRateHz
        simulator.noiseLevel = noise
        simulator.saturation = saturation
        simulator.dropouts = dropouts
        return simulator
    }

    /// Refuses, before any work, a duration, rate or noise level out of range (NaN and infinities included) and a
    /// recording too large to hold in memory and read back, naming the option (`SimulationError`, exit status 1).
    func validate() throws {
        try simulator.validateWholeRecording(source: out)
    }

    func run() throws {
        // Refuse an existing output before simulating: a long recording takes a while to make.
        var outputs = OutputPlan(inputs: [])
        try outputs.add(out, force: force)
        let name = URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
        let recording = try simulator.recording(name: name)
        try OutputFile.write(recording, to: out, force: force)
        print("\(out): \(format(duration, 0)) s of \(activity.rawValue), \(recording.windowCount()) windows")
    }
}
