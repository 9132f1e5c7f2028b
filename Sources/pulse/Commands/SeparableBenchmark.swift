import Foundation
import PulseEngine
import PulseGraph

/// Forward + backward time of a dense 1-D convolution against the depthwise + pointwise pair the operator search
/// replaces it with, at the baseline's block shape (32 channels × 113 positions, 5 taps), so that the engine ranks
/// the cheaper operator as the cheaper one.
struct SeparableBenchmark {
    let batch: Int
    let repeats: Int
    let seconds: Double
    let channels = 32
    let length = 113
    let taps = 5

    private func graph(separable: Bool) throws -> Graph {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [channels, length], layer: "input")
        if separable {
            let y = try DepthwiseConv1d("depthwise", channels: channels, kernelSize: taps)(x, in: &graph)
            graph.outputs = [try Conv1d("pointwise", inputChannels: channels, outputChannels: channels, kernelSize: 1)(y, in: &graph)]
        } else {
            graph.outputs = [try Conv1d("dense", inputChannels: channels, outputChannels: channels, kernelSize: taps)(x, in: &graph)]
        }
        return graph
    }

    /// Median milliseconds of one forward + backward pass of the batch, and the range, for each form.
    func run(progress: (Int) -> Void) throws -> [String: Any] {
        var result: [String: Any] = ["batch": batch, "channels": channels, "length": length, "taps": taps, "repeats": repeats]
        var step = 0
        for separable in [false, true] {
            let graph = try graph(separable: separable)
            let executor = try Executor(graph: graph, parameters: graph.initialParameters(seed: 1))
            var generator = SeededGenerator(seed: 2)
            let input = Tensor(shape: [batch, channels, length], scalars: (0..<(batch * channels * length)).map { _ in
                Float.random(in: -1...1, using: &generator)
            })
            let seed = [Tensor(shape: [batch, channels, length], repeating: 1)]
            var times: [Double] = []
            for _ in 0..<repeats {
                var passes = 0
                let start = Date()
                while Date().timeIntervalSince(start) < seconds || passes == 0 {
                    let evaluation = try executor.evaluate(["x": input])
                    _ = try executor.gradients(evaluation, outputGradients: seed)
                    passes += 1
                }
                times.append(1000 * Date().timeIntervalSince(start) / Double(passes))
                step += 1
                progress(step)
            }
            let sorted = times.sorted()
            result[separable ? "depthwise_pointwise_ms" : "dense_ms"] = [
                "median": sorted[sorted.count / 2], "min": sorted[0], "max": sorted[sorted.count - 1],
                "multiply_accumulates_per_window": graph.multiplyAccumulates,
            ] as [String: Any]
        }
        return result
    }
}
