import Foundation
import Synchronization

extension Executor {
    /// The graph's outputs for `inputs`, the batch split over `threads` threads.
    public func infer(_ inputs: [String: Tensor], threads: Int = 1) throws -> [Tensor] {
        guard let batch = inputs.values.first?.shape.first, inputs.values.allSatisfy({ $0.shape.first == batch }) else {
            throw GraphError("inputs must share one leading batch axis")
        }
        let parts = max(1, min(threads, batch))
        if parts == 1 { return try run(inputs) }
        let bounds = (0...parts).map { $0 * batch / parts }
        let results = Mutex<[[Tensor]?]>(Array(repeating: nil, count: parts))
        let failure = Mutex<Error?>(nil)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = bounds[part]..<bounds[part + 1]
            let slice = inputs.mapValues { tensor -> Tensor in
                let width = tensor.count / max(tensor.shape[0], 1)
                return Tensor(shape: [range.count] + tensor.shape.dropFirst(), scalars: Array(tensor.scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
            }
            do {
                let output = try run(slice)
                results.withLock { $0[part] = output }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let pieces = results.withLock { $0.compactMap { $0 } }
        return graph.outputs.indices.map { output in
            let first = pieces[0][output]
            return Tensor(shape: [batch] + first.shape.dropFirst(), scalars: pieces.flatMap { $0[output].scalars })
        }
    }
}
