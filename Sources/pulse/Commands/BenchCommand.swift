import ArgumentParser
import Foundation
import PulseSignals

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure estimator throughput (windows per second) on one thread.",
        discussion: "Recordings are read once; each round runs preprocessing and estimation on all of them.")

    @Argument(help: "Recordings (.h5) or folders of them.")
    var paths: [String]

    @OptionGroup var estimator: EstimatorOptions

    @Option(help: "Minimum measuring time in seconds.")
    var seconds = 5.0

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard seconds.isFinite, seconds > 0 else { throw ValidationError("--seconds must be a positive number of seconds") }
    }

    func run() throws {
        let estimator = try estimator.makeEstimator()
        let paths = try RecordingPaths.expand(paths)
        let recordings = try paths.map { try EstimationRun.estimate(estimator, path: $0).0 }  // also warms up plans
        var windows = 0
        var rounds = 0
        let cpuStart = cpuSeconds()
        let start = Date()
        while Date().timeIntervalSince(start) < seconds || rounds == 0 {
            for recording in recordings { windows += try estimator.estimate(recording, layout: .standard).count }
            rounds += 1
        }
        let wall = Date().timeIntervalSince(start)
        let cpu = cpuSeconds() - cpuStart
        let result: [String: Any] = [
            "method": estimator.name, "recordings": recordings.count, "rounds": rounds, "windows": windows,
            "wall_seconds": wall, "cpu_seconds": cpu, "windows_per_second": Double(windows) / wall,
            "windows_per_cpu_second": Double(windows) / cpu,
        ]
        if json {
            print(try JSONText.encode(result))
        } else {
            print("\(estimator.name): \(windows) windows in \(rounds) rounds, \(format(wall, 2)) s wall, \(format(cpu, 2)) s CPU")
            print("\(format(Double(windows) / wall, 0)) windows/s (wall), \(format(Double(windows) / cpu, 0)) windows per CPU second")
        }
    }

    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
