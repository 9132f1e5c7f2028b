import PulseGraph
import Foundation
import Synchronization

/// Splits `0..<count` into `parts` contiguous ranges of near-equal size, runs `body` on each concurrently, and
/// returns the results in range order (so that combining them is deterministic). Rethrows the first error.
func concurrentParts<T: Sendable>(count: Int, parts: Int, _ body: @Sendable (Range<Int>) throws -> T) throws -> [T] {
    let bounds = (0...parts).map { $0 * count / parts }
    let results = Mutex<[T?]>(Array(repeating: nil, count: parts))
    let failure = Mutex<Error?>(nil)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        do {
            let result = try body(bounds[part]..<bounds[part + 1])
            results.withLock { $0[part] = result }
        } catch {
            failure.withLock { $0 = error }
        }
    }
    if let error = failure.withLock({ $0 }) { throw error }
    return results.withLock { $0.compactMap { $0 } }
}
