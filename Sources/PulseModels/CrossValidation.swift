import PulseGraph

/// Folds by recording: no recording is in the training and the test part of a fold at once.
public enum CrossValidation {
    /// `k` folds of recording indices `0..<count`: shuffled with `seed`, then dealt round-robin.
    public static func folds(count: Int, k: Int, seed: UInt64) -> [[Int]] {
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        var folds = [[Int]](repeating: [], count: max(1, min(k, count)))
        for (position, recording) in order.enumerated() { folds[position % folds.count].append(recording) }
        return folds.map { $0.sorted() }
    }
}
