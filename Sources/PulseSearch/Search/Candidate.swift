import Foundation
import PulseGraph

/// A candidate of the search: the rewrites applied, in order, to the search's parent model.
public struct Candidate: Hashable, Codable, Sendable {
    /// The rewrites, in the order they apply.
    public var rewrites: [Rewrite]

    /// A candidate of `rewrites`; none is the parent itself.
    public init(rewrites: [Rewrite]) { self.rewrites = rewrites }

    /// A name that depends only on the rewrites (FNV-1a of their JSON form), for file names.
    public var id: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(FNV1a.hash((try? encoder.encode(rewrites)) ?? Data()), radix: 16).leftPadded(to: 16)
    }

    /// The layers the candidate's rewrites change.
    public var layers: Set<String> { Set(rewrites.flatMap(\.layers)) }

    /// A seed for this candidate's fine-tuning, from the search's seed and the candidate's rewrites.
    public func seed(_ base: UInt64) -> UInt64 { base ^ (UInt64(id, radix: 16) ?? 0) }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// What an evaluation found out about a candidate. Written to the work dir as soon as it is known.
public struct CandidateResult: Codable, Equatable, Sendable {
    /// How the evaluation ended.
    public enum Status: String, Codable, Sendable {
        /// Fine-tuned, scored and costed.
        case evaluated
        /// The rewrites do not apply to the model; `error` says why.
        case inapplicable
        /// The model does not fit the target's memory; not fine-tuned.
        case overMemory
        /// The evaluation kept failing where it ran (a cluster task killed or failed in every attempt); `error` says
        /// how and where its logs are. Not retried.
        case failed
    }

    /// The candidate's id (`Candidate.id`, or a name for a model that is not a chain of rewrites) and rewrites.
    public var id: String
    public var candidate: Candidate
    /// What the model is when it is not a chain of rewrites (a macro-scaled baseline: `width 0.50, 2 blocks`).
    public var label: String?
    /// How the evaluation ended.
    public var status: Status
    /// The validation split a confirmation was scored on (`CandidateEvaluator.split`); nil for the search's own
    /// evaluations.
    public var confirmationSplit: Int?
    /// Why the rewrites do not apply, or what does not fit.
    public var error: String?
    /// MAE with the tracker on the validation recordings, after fine-tuning.
    public var maeBpm: Double?
    /// The same per dataset.
    public var maeBpmByDataset: [String: Double]?
    /// Relative RMS deviation of the logits from the parent's before fine-tuning.
    public var outputDeviation: Double?
    /// Modelled latency per window on the target.
    public var seconds: Double?
    /// Modelled energy per window on the target, where it has a power figure.
    public var joules: Double?
    /// Peak activation memory (the memory plan's arena) in the target's number format.
    public var arenaBytes: Int?
    /// Parameter bytes in the target's number format.
    public var parameterBytes: Int?
    /// Multiply-accumulates per window and trainable values.
    public var multiplyAccumulates: Int?
    public var parameters: Int?
    /// Wall time of the evaluation.
    public var evaluationSeconds: Double

    /// A result of `candidate` (or of the model `label` names) with status `status` and nothing measured yet.
    public init(id: String, candidate: Candidate, label: String? = nil, status: Status, evaluationSeconds: Double = 0) {
        self.id = id
        self.candidate = candidate
        self.label = label
        self.status = status
        self.evaluationSeconds = evaluationSeconds
    }
}
