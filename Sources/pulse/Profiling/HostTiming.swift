import Foundation
import PulseEngine
import PulseGraph

/// Timings of graphs on this machine through pulse's inference program.
enum HostTiming {
    /// An executor for `graph` with He-initialised parameters, its inference program made.
    static func executor(_ graph: Graph) throws -> Executor {
        let executor = try Executor(graph: graph, parameters: graph.initialParameters(seed: 7))
        try executor.prepareInference()
        return executor
    }

    /// Seconds per sample of whole inference calls of `batch` samples on one thread: the median of `repeats`
    /// timed runs of at least `minimumSeconds` each, after one untimed call.
    static func inferenceSeconds(_ executor: Executor, graph: Graph, batch: Int, repeats: Int = 7, minimumSeconds: Double = 0.02) throws -> Double {
        var generator = SeededGenerator(seed: 3)
        var inputs: [String: Tensor] = [:]
        for (name, shape) in graph.inputs {
            let count = batch * shape.reduce(1, *)
            inputs[name] = Tensor(shape: [batch] + shape, scalars: (0..<count).map { _ in Float.random(in: -1..<1, using: &generator) })
        }
        _ = try executor.infer(inputs)
        var samples: [Double] = []
        for _ in 0..<repeats {
            var calls = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                _ = try executor.infer(inputs)
                calls += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            } while elapsed < minimumSeconds
            samples.append(elapsed / Double(calls * batch))
        }
        return samples.sorted()[samples.count / 2]
    }
}
