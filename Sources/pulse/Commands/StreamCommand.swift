import ArgumentParser
import Dispatch
import Foundation
import PulseDSP
import PulseModels
import PulseRuntime
import PulseSignals

extension StreamView.Format: ExpressibleByArgument {}
extension InvalidWindowPolicy: ExpressibleByArgument {}

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Estimate heart rate live from a simulated sensor, a replayed recording or CSV lines on stdin.",
        discussion: """
            One estimate every 2 s once 8 s have arrived, from causal preprocessing in bounded memory. Faults (timestamp \
            gaps, out-of-order or duplicated samples, NaN, saturation, dropped-out channels, rate drift) are flagged \
            and the stream goes on. A summary (estimates, flags, latency median and p99, throughput, resident \
            memory) goes to stderr, and with --json to a file.
            """)

    @Flag(help: "Stream from the sensor simulator.")
    var simulate = false

    @Option(help: "Replay this recording (.h5) as a device would deliver it.")
    var replay: String?

    @Flag(help: "Read CSV lines 'timestamp,ppg…,ax,ay,az' from standard input.")
    var stdin = false

    @Option(help: "Simulated activity: rest, walk, run or mixed.")
    var activity: Activity = .mixed

    @Option(help: "Simulated length in seconds.")
    var duration = 600.0

    @Option(help: "Simulation seed.")
    var seed: UInt64 = 1

    @Flag(help: "--simulate: drop out short stretches of PPG (NaN).")
    var dropouts = false

    @Flag(help: "--simulate: clip the PPG as a saturating sensor would.")
    var saturation = false

    @Option(help: "Pace of --simulate and --replay: a multiple of real time (0.01 to 10⁶: 1, 10, …) or max.")
    var speed: StreamSpeed = .factor(1)

    @Option(help: "Estimate with this trained model (.h5) instead of the spectral method.")
    var model: String?

    @Option(help: "Output: text or jsonl (one JSON object per estimate).")
    var format: StreamView.Format = .text

    @Option(name: .customLong("invalid"), help: "Windows that cannot be analysed: omit (no rate) or hold (repeat the last rate).")
    var invalidWindows: InvalidWindowPolicy = .omit

    @Option(name: .customLong("rate-hz"), help: "--stdin: the sample rate (default: inferred from the first timestamps).")
    var rateHz: Double?

    @Option(name: .customLong("ppg-columns"), help: "--stdin: PPG columns per line (default: all but the timestamp and the last three).")
    var ppgColumns: Int?

    @Flag(help: "--stdin: stop at the first malformed line instead of skipping it.")
    var strict = false

    @Option(help: "Write the run's summary as JSON to this file.")
    var json: String?

    @Flag(help: "Overwrite an existing --json file.")
    var force = false

    func validate() throws {
        guard [simulate, replay != nil, stdin].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one source: --simulate, --replay FILE or --stdin")
        }
        if let rateHz, !(rateHz.isFinite && rateHz > 0) { throw ValidationError("--rate-hz must be a positive number") }
        if let ppgColumns, ppgColumns < 1 { throw ValidationError("--ppg-columns must be at least 1") }
    }

    func run() throws {
        if let json {
            var outputs = OutputPlan(inputs: [replay, model].compactMap { $0 })
            try outputs.add(json, force: force)
        }
        let memoryAtStart = ResidentMemory.current()
        let tracker = try makeTracker()
        let started = DispatchTime.now().uptimeNanoseconds
        var summary = StreamSummary()
        var view = StreamView(format: format, live: isatty(STDOUT_FILENO) != 0)
        func drive<S: SensorSource>(_ source: inout S, label: String, paced: Bool) throws {
            var settings = source.settings
            settings.invalidWindows = invalidWindows
            let stream: HeartRateStream
            do {
                stream = try HeartRateStream(settings: settings, tracker: tracker)
            } catch let error as StreamError {
                throw StreamError("\(label): \(error.message)")
            }
            var pace = Pacer(speed: paced ? speed : .max)
            do {
                while let chunk = try source.next() {
                    pace.wait(untilSignalSeconds: chunk.timestampsSeconds.last ?? 0)
                    for estimate in try stream.push(chunk.group, timestampsSeconds: chunk.timestampsSeconds, samples: chunk.samples) {
                        try receive(estimate, source: source)
                    }
                }
                for estimate in try stream.finish() { try receive(estimate, source: source) }
            } catch let error as StreamError {
                throw StreamError("\(label): \(error.message)")
            }
            summary.latency = stream.latency
            summary.signalSeconds = stream.placedSeconds
        }
        func receive<S: SensorSource>(_ estimate: StreamEstimate, source: S) throws {
            let referenceBpm = source.referenceBpm(ofWindow: estimate.index)
            summary.add(estimate, referenceBpm: referenceBpm)
            try view.show(estimate, referenceBpm: referenceBpm)
        }

        if simulate {
            var simulator = SensorSimulator(durationSeconds: duration, activity: activity, seed: seed)
            simulator.dropouts = dropouts
            simulator.saturation = saturation
            var source = try SimulatedSensor(simulator, source: "--simulate")
            try drive(&source, label: "--simulate", paced: true)
        } else if let replay {
            let recording = try Recording(hdf5Path: replay)
            try recording.validate(source: replay)
            var source = RecordingReplay(recording)
            try drive(&source, label: replay, paced: true)
        } else {
            var source: CSVLineSource
            do {
                source = try CSVLineSource(readLine: { Swift.readLine(strippingNewline: true) }, ppgColumns: ppgColumns,
                                           rateHz: rateHz, strict: strict) { message in
                    FileHandle.standardError.write(Data("warning: stdin: \(message) (skipped)\n".utf8))
                }
            } catch let error as StreamError {
                throw StreamError("stdin: \(error.message)")
            }
            try drive(&source, label: "stdin", paced: false)
            guard source.acceptedLines > 0 else { throw StreamError("stdin: no line could be read") }
        }
        view.close()
        summary.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        summary.memoryAtStart = memoryAtStart
        summary.memoryAtEnd = ResidentMemory.current()
        FileHandle.standardError.write(Data(summary.text.utf8))
        if let json { try OutputFile.write(try JSONText.encode(summary.object), to: json, force: force) }
    }

    private func makeTracker() throws -> any WindowTracker {
        guard let model else { return try SpectralTracker(configuration: .standard, layout: .standard) }
        return try NeuralTracker(estimator: NeuralEstimator.load(path: model, preprocessing: .causal, threads: 1))
    }
}
