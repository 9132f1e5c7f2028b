import Foundation

/// Where a search's candidates are evaluated. The search hands over each generation as one batch; the executor
/// evaluates those of its candidates that have no result in the work dir and returns once each has one there, or
/// once the deadline stops it. A resumed search hands over the same batch.
/// Results must not depend on where a candidate ran: every executor evaluates with the search's `CandidateEvaluator`
/// settings (seed, threads), so a result equals the local one.
public protocol CandidateExecutor {
    /// Evaluates the candidates of `candidates` without a result in `workDirectory` into it, starting nothing after
    /// `deadline`, and calls `arrived` with each new result as it reaches the work dir (in any order).
    /// - Throws: errors of evaluation or of the executor itself (a scheduler that cannot be reached); a candidate
    ///   whose evaluation keeps failing on a cluster is recorded with status `failed` instead.
    func evaluate(_ candidates: [Candidate], into workDirectory: WorkDirectory, deadline: Date,
                  arrived: (CandidateResult) -> Void) throws
}

/// Evaluates candidates one after another in this process: the default.
public struct LocalExecutor: CandidateExecutor {
    /// What evaluates each candidate.
    public let evaluator: CandidateEvaluator

    /// An executor running `evaluator` here.
    public init(evaluator: CandidateEvaluator) { self.evaluator = evaluator }

    public func evaluate(_ candidates: [Candidate], into workDirectory: WorkDirectory, deadline: Date,
                         arrived: (CandidateResult) -> Void) throws {
        for candidate in candidates where !workDirectory.hasResult(of: candidate) {
            guard Date() < deadline else { return }
            let (result, model) = try evaluator.evaluate(candidate)
            try workDirectory.record(result, model: model)
            arrived(result)
        }
    }
}
