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

            With --batch (and --model), it measures inference alone: a batch of that many windows (from the \
            recordings if given, else synthetic) on --threads threads, --repeats timed runs of --seconds each; it \
            reports the median, the range, the arena bytes per window and the parameter bytes.
            """)

    @Argument(help: "Recordings (.h5) or folders of them (optional with --batch).")
    var paths: [String] = []

    @Option(help: "Measure inference alone on batches of this many windows.")
    var batch: Int?

    @Option(help: "Threads for --batch inference.")
    var threads = 1

    @Option(help: "Timed runs for --batch inference; the median is reported.")
    var repeats = 5

    @Flag(help: "With --batch, run everything through the generic path instead of the fast kernels.")
    var generic = false

    @Flag(help: "Time forward + backward of a dense convolution against depthwise + pointwise (batch --batch, default 64).")
    var separable = false

    @OptionGroup var estimator: EstimatorOptions

    @Option(help: "Minimum measuring time in seconds.")
    var seconds = 5.0

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard seconds.isFinite, seconds > 0 else { throw ValidationError("--seconds must be a positive number of seconds") }
        if let batch {
            guard (1...65_536).contains(batch) else { throw ValidationError("--batch must be 1 to 65536 windows") }
            guard estimator.model.count == 1 || separable else { throw ValidationError("--batch measures one model's inference: give one --model") }
        } else if paths.isEmpty && !separable {
            throw ValidationError("give recordings to estimate, or --model with --batch to measure inference alone")
        }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1 to 256") }
        guard (1...1000).contains(repeats) else { throw ValidationError("--repeats must be 1 to 1000") }
    }

    func run() throws {
        if separable {
            return try runSeparable()
        }
        if let batch, let path = estimator.model.first {
            return try runInference(batch: batch, modelPath: path)
        }
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
        if let neural = (estimator as? NeuralEstimator) ?? (estimator as? FusedEstimator)?.neural.first {
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

    private func cpuSeconds() -> Double { ProcessClock.cpuSeconds() }

    private func runSeparable() throws {
        let benchmark = SeparableBenchmark(batch: batch ?? 64, repeats: repeats, seconds: seconds)
        let progress = Progress(total: 2 * repeats, label: "bench")
        let result = try benchmark.run { progress.update($0, detail: "") }
        progress.finish()
        if json {
            print(try JSONText.encode(result))
        } else {
            let median = { (key: String) in (result[key] as? [String: Any])?["median"] as? Double ?? 0 }
            print("forward + backward, batch \(benchmark.batch), \(benchmark.channels) channels × \(benchmark.length), "
                + "kernel \(benchmark.taps): dense \(format(median("dense_ms"), 2)) ms, "
                + "depthwise + pointwise \(format(median("depthwise_pointwise_ms"), 2)) ms (medians of \(repeats))")
        }
    }

    private func runInference(batch: Int, modelPath: String) throws {
        let model = try ModelSource.load(modelPath)
        let recordings = try RecordingPaths.expand(paths).map { try Recording(hdf5Path: $0) }
        let benchmark = InferenceBenchmark(model: model, batch: batch, threads: threads, repeats: repeats, seconds: seconds, generic: generic)
        let progress = Progress(total: repeats, label: "bench")
        var result = try benchmark.run(input: try benchmark.inputs(from: recordings)) { progress.update($0, detail: "") }
        progress.finish()
        result["model"] = modelPath
        if json {
            print(try JSONText.encode(result))
        } else {
            let number = { (key: String) in result[key] as? Double ?? 0 }
            print("\(modelPath): batch \(batch), \(threads) thread(s), \(generic ? "generic path" : "fast kernels"): "
                + "\(format(number("windows_per_second_median"), 0)) windows/s median of \(repeats) "
                + "(\(format(number("windows_per_second_min"), 0))–\(format(number("windows_per_second_max"), 0))), "
                + "\(format(number("gflops_median"), 1)) GFLOP/s, arena \(result["arena_bytes_per_window"] ?? 0) bytes per window")
        }
    }
}
