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
    /// timed runs of at least `minimumSeconds` each, after `warmUpSeconds` of untimed calls (the first graph timed
    /// after a pause ran up to 2× slow without them: caches, page faults and the processor's clock).
    static func inferenceSeconds(_ executor: Executor, graph: Graph, batch: Int, repeats: Int = 7, minimumSeconds: Double = 0.02,
                                 warmUpSeconds: Double = 0.05) throws -> Double {
        var generator = SeededGenerator(seed: 3)
        var inputs: [String: Tensor] = [:]
        for (name, shape) in graph.inputs {
            let count = batch * shape.reduce(1, *)
            inputs[name] = Tensor(shape: [batch] + shape, scalars: (0..<count).map { _ in Float.random(in: -1..<1, using: &generator) })
        }
        let warmUpStart = DispatchTime.now().uptimeNanoseconds
        repeat {
            _ = try executor.infer(inputs)
        } while Double(DispatchTime.now().uptimeNanoseconds - warmUpStart) * 1e-9 < warmUpSeconds
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
