import ArgumentParser
import Foundation
import PulseEngine
import PulseGraph
import PulseModels
import PulseSignals

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure estimator throughput in windows per second.",
        discussion: """
            Recordings are read once; each round runs preprocessing and estimation on all of them (the spectral \
            estimator on one thread, a model's inference on two). With --model it also measures batch inference \
            alone on both cores, in multiply-accumulates per second and as a share of this machine's BLAS peak.
            """)

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
        var result: [String: Any] = [
            "method": estimator.name, "recordings": recordings.count, "rounds": rounds, "windows": windows,
            "wall_seconds": wall, "cpu_seconds": cpu, "windows_per_second": Double(windows) / wall,
            "windows_per_cpu_second": Double(windows) / cpu,
        ]
        var lines = [
            "\(estimator.name): \(windows) windows in \(rounds) rounds, \(format(wall, 2)) s wall, \(format(cpu, 2)) s CPU",
            "\(format(Double(windows) / wall, 0)) windows/s (wall), \(format(Double(windows) / cpu, 0)) windows per CPU second",
        ]
        if let neural = estimator as? NeuralEstimator {
            let inference = try measureInference(neural, recordings: recordings)
            result["inference"] = inference
            lines.append("batch inference on 2 threads: \(format(inference["windows_per_second"] as? Double ?? 0, 0)) windows/s, "
                + "\(format(inference["gmacs_per_second"] as? Double ?? 0, 2)) GMAC/s (\(inference["macs_per_window"] ?? 0) MACs per window), "
                + "\(format(100 * (inference["share_of_blas_peak"] as? Double ?? 0), 1)) % of the BLAS peak of "
                + "\(format(inference["blas_peak_gflops"] as? Double ?? 0, 1)) GFLOP/s")
        }
        print(json ? try JSONText.encode(result) : lines.joined(separator: "\n"))
    }

    /// Inference alone on batches of 256 windows, on both cores, against sgemm's throughput on both cores.
    private func measureInference(_ neural: NeuralEstimator, recordings: [Recording]) throws -> [String: Any] {
        let pipeline = InputPipeline(input: neural.model.input)
        var windows: [[Float]] = []
        for recording in recordings where windows.count < 256 { windows += try pipeline.windows(recording, layout: .standard).inputs }
        let batch = Array(windows.prefix(256))
        let executor = try Executor(graph: neural.model.graph, parameters: neural.model.parameters)
        let input = Tensor(shape: [batch.count] + neural.model.input.shape, scalars: batch.flatMap { $0 })
        _ = try executor.infer([ModelFile.inputName: input], threads: 2)
        var done = 0
        let start = Date()
        while Date().timeIntervalSince(start) < seconds || done == 0 {
            _ = try executor.infer([ModelFile.inputName: input], threads: 2)
            done += batch.count
        }
        let perSecond = Double(done) / Date().timeIntervalSince(start)
        let macs = neural.model.graph.multiplyAccumulates
        let peak = BLASPeak.measure(threads: 2, seconds: min(seconds, 3))
        return ["windows_per_second": perSecond, "macs_per_window": macs, "gmacs_per_second": perSecond * Double(macs) / 1e9,
                "blas_peak_gflops": peak, "share_of_blas_peak": 2 * perSecond * Double(macs) / 1e9 / peak, "batch": batch.count]
    }

    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
