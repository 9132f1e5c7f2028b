import ArgumentParser
import Foundation
import PulseSignals

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score an estimator against the reference heart rate of recordings (MAE in BPM).")

    @Argument(help: "Recordings (.h5) or folders of them.")
    var paths: [String]

    @OptionGroup var estimator: EstimatorOptions

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let estimator = try estimator.makeEstimator()
        let files = try RecordingPaths.expand(paths)
        let progress = Progress(total: files.count, label: "evaluate")
        var rows: [EvaluationReport.Row] = []
        var seconds = 0.0
        for (index, path) in files.enumerated() {
            progress.update(index, detail: URL(fileURLWithPath: path).lastPathComponent)
            let recording = try Recording(hdf5Path: path)
            let started = ContinuousClock.now
            let estimates = try EstimationRun.estimate(estimator, recording, path: path)
            let elapsed = ContinuousClock.now - started
            guard estimates.contains(where: { $0.referenceBpm != nil }) else { throw RecordingError(path: path, .noReference) }
            seconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            rows.append(.init(name: recording.name, estimates: estimates))
        }
        progress.finish()
        let report = EvaluationReport(method: estimator.name, rows: rows, estimatorSeconds: seconds)
        print(json ? try report.json() : report.table(), terminator: json ? "\n" : "")
    }
}
