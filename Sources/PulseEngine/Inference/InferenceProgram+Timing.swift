import Foundation
import PulseGraph

extension InferenceProgram {
    /// Seconds per sample each arena kernel takes on one tile of `samples` samples (at most `tileSamples`), the
    /// median of `repeats` runs, with the tile's inputs filled with values in [-1, 1).
    func timeKernels(samples: Int, repeats: Int) -> [(planIndex: Int, implementation: String, secondsPerSample: Double)] {
        let samples = max(1, min(samples, Self.tileSamples))
        var storage = [Float](repeating: 0, count: memory.arenaElementsPerSample * samples + scratchElements)
        var generator = SeededGenerator(seed: 1)
        var times = [[Double]](repeating: [], count: kernels.count)
        storage.withUnsafeMutableBufferPointer { buffer in
            constantValues.withUnsafeBufferPointer { values in
                guard let base = buffer.baseAddress else { return }
                let constantBase = values.baseAddress ?? UnsafePointer(base)
                let arena = Arena(base: base, batch: samples, memory: memory, constants: constantOffsets.mapValues { constantBase + $0 })
                let scratch = base + memory.arenaElementsPerSample * samples
                for _ in 0..<max(1, repeats) {
                    for id in plan.inputs {
                        let count = plan.graph.instructions[id.index].shape.reduce(1, *) * samples
                        let input = arena.pointer(id)
                        for position in 0..<count { input[position] = Float.random(in: -1..<1, using: &generator) }
                    }
                    for (position, kernel) in kernels.enumerated() {
                        let start = DispatchTime.now().uptimeNanoseconds
                        try? kernel.run(arena, scratch: scratch)
                        times[position].append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(samples))
                    }
                }
            }
        }
        return kernels.indices.map { position in
            let sorted = times[position].sorted()
            return (planIndices[position], String(describing: type(of: kernels[position])), sorted[sorted.count / 2])
        }
    }
}
