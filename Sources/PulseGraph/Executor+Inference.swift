extension Executor {
    /// The graph's outputs for `inputs`, the batch split over `threads` threads.
    public func infer(_ inputs: [String: Tensor], threads: Int = 1) throws -> [Tensor] {
        guard let batch = inputs.values.first?.shape.first, inputs.values.allSatisfy({ $0.shape.first == batch }) else {
            throw GraphError("inputs must share one leading batch axis")
        }
        let parts = max(1, min(threads, batch))
        if parts == 1 { return try run(inputs) }
        let pieces = try concurrentParts(count: batch, parts: parts) { range in
            try run(inputs.mapValues { tensor -> Tensor in
                let width = tensor.count / max(tensor.shape[0], 1)
                return Tensor(shape: [range.count] + tensor.shape.dropFirst(), scalars: Array(tensor.scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
            })
        }
        return graph.outputs.indices.map { output in
            let first = pieces[0][output]
            return Tensor(shape: [batch] + first.shape.dropFirst(), scalars: pieces.flatMap { $0[output].scalars })
        }
    }
}
