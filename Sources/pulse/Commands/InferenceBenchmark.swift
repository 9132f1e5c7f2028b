import Foundation
import PulseEngine
import PulseGraph
import PulseModels
import PulseSignals

/// Inference alone on a fixed batch: windows per second over repeated timed runs, for one batch size and thread
/// count, through the fast kernels or (for comparison) the generic path.
struct InferenceBenchmark {
    let model: ModelSource
    let batch: Int
    let threads: Int
    let repeats: Int
    let seconds: Double
    let generic: Bool

    /// The model's one input: its name and shape.
    /// - Throws: `CommandError` for a model with several inputs.
    func input() throws -> (name: String, shape: [Int]) {
        guard model.graph.inputs.count == 1, let input = model.graph.inputs.first else {
            throw CommandError("the model has \(model.graph.inputs.count) inputs; bench times models with one")
        }
        return input
    }

    /// Windows of real recordings where given and the model carries an input spec (repeated to fill the batch),
    /// else deterministic synthetic ones.
    func inputs(from recordings: [Recording]) throws -> Tensor {
        let shape = try input().shape
        var windows: [[Float]] = []
        if let spec = model.input {
            let pipeline = InputPipeline(input: spec)
            for recording in recordings where windows.count < batch { windows += try pipeline.windows(recording, layout: .standard).inputs }
        }
        if windows.isEmpty {
            var generator = SeededGenerator(seed: 1)
            windows = [(0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) }]
        }
        let rows = (0..<batch).map { windows[$0 % windows.count] }
        return Tensor(shape: [batch] + shape, scalars: rows.flatMap { $0 })
    }

    /// Runs the measurement; `progress` is told after each repeat.
    func run(input: Tensor, progress: (Int) -> Void) throws -> [String: Any] {
        let executor = try Executor(graph: model.graph, parameters: model.parameters, fusing: !generic)
        let inputs = [try self.input().name: input]
        _ = try executor.infer(inputs, threads: threads)
        var rates: [Double] = []
        var cpuRates: [Double] = []
        for repeatIndex in 0..<repeats {
            var done = 0
            let cpuStart = ProcessClock.cpuSeconds()
            let start = Date()
            while Date().timeIntervalSince(start) < seconds || done == 0 {
                _ = try executor.infer(inputs, threads: threads)
                done += batch
            }
            let wall = Date().timeIntervalSince(start)
            rates.append(Double(done) / wall)
            cpuRates.append(Double(done) / max(ProcessClock.cpuSeconds() - cpuStart, 1e-9))
            progress(repeatIndex + 1)
        }
        let sorted = rates.sorted()
        let median = sorted[sorted.count / 2]
        let macs = model.graph.multiplyAccumulates
        let memory = MemoryPlan(plan: executor.plan)
        return [
            "batch": batch, "threads": threads, "repeats": repeats, "path": generic ? "generic" : "fast",
            "windows_per_second_median": median, "windows_per_second_min": sorted[0], "windows_per_second_max": sorted[sorted.count - 1],
            "windows_per_second_runs": rates, "windows_per_cpu_second_median": cpuRates.sorted()[cpuRates.count / 2],
            "macs_per_window": macs, "gflops_median": 2 * Double(macs) * median / 1e9,
            "arena_bytes_per_window": memory.arenaBytes(), "parameter_bytes": memory.parameterBytes(),
            "kernels": executor.plan.kernels.count,
        ]
    }
}

/// CPU time of this process.
enum ProcessClock {
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
