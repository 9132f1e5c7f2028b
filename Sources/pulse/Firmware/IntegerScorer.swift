import Foundation
import PulseFirmware
import PulseModels

/// Scores windows with the int8 reference executor (exactly what the generated C computes), on two threads.
struct IntegerScorer: WindowScorer {
    let executor: IntegerExecutor

    func logits(_ windows: [[Float]]) throws -> [[Float]] {
        let results = ScoredWindows(count: windows.count)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            for index in stride(from: part, to: windows.count, by: 2) {
                results.store(index, Result { try executor.outputs([windows[index]])[0] })
            }
        }
        return try results.values()
    }
}

/// Rows filled from two threads, each writing its own indices.
private final class ScoredWindows: @unchecked Sendable {
    private var rows: [Result<[Float], any Error>?]
    private let lock = NSLock()

    init(count: Int) { rows = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ row: Result<[Float], any Error>) { lock.withLock { rows[index] = row } }

    func values() throws -> [[Float]] { try rows.map { try ($0 ?? .success([])).get() } }
}
