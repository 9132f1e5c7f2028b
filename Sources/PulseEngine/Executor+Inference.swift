import PulseGraph
extension Executor {
    /// The graph's outputs for `inputs`, the batch split over `threads` threads.
    ///
    /// With fast kernels the batch runs through the `InferenceProgram` (an arena per thread, reused across calls);
    /// without, through the generic path, where a batch whose activations would exceed `activationBudgetBytes`
    /// runs in consecutive parts that each fit.
    /// - Throws: `GraphError` when an input is missing or of the wrong shape, or the batch sizes differ.
    public func infer(_ inputs: [String: Tensor], threads: Int = 1) throws -> [Tensor] {
        guard let batch = inputs.values.first?.shape.first, inputs.values.allSatisfy({ $0.shape.first == batch }) else {
            throw GraphError("inputs must share one leading batch axis")
        }
        if fusing {
            for (name, shape) in graph.inputs {
                guard let tensor = inputs[name] else { throw GraphError("input \(name) is missing") }
                guard tensor.shape == [batch] + shape else {
                    throw GraphError("input \(name) has shape \(tensor.shape), the graph needs [batch] + \(shape)")
                }
            }
            guard batch > 0 else { return try run(inputs) }
            return try inferenceProgram().run(inputs, batch: batch, threads: threads)
        }
        let largestPart = max(1, activationBudgetBytes / max(graph.activationBytesPerSample, 1))
        guard batch <= largestPart else {
            let pieces = try stride(from: 0, to: batch, by: largestPart).map { start in
                try inferInParallel(inputs.mapValues { $0.rows(start..<min(batch, start + largestPart)) },
                                    batch: min(largestPart, batch - start), threads: threads)
            }
            return Self.joined(pieces, batch: batch, outputs: graph.outputs.count)
        }
        return try inferInParallel(inputs, batch: batch, threads: threads)
    }

    private func inferInParallel(_ inputs: [String: Tensor], batch: Int, threads: Int) throws -> [Tensor] {
        let parts = max(1, min(threads, batch))
        if parts == 1 { return try run(inputs) }
        let pieces = try concurrentParts(count: batch, parts: parts) { range in
            try run(inputs.mapValues { $0.rows(range) })
        }
        return Self.joined(pieces, batch: batch, outputs: graph.outputs.count)
    }

    /// The outputs of consecutive parts of a batch, joined along the batch axis.
    private static func joined(_ pieces: [[Tensor]], batch: Int, outputs: Int) -> [Tensor] {
        (0..<outputs).map { output in
            Tensor(shape: [batch] + pieces[0][output].shape.dropFirst(), scalars: pieces.flatMap { $0[output].scalars })
        }
    }
}

extension Tensor {
    /// The samples `range` of a batched tensor (leading axis).
    func rows(_ range: Range<Int>) -> Tensor {
        let width = count / max(shape[0], 1)
        return Tensor(shape: [range.count] + shape.dropFirst(), scalars: Array(scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
    }
}
