/// How a search runs. Everything but the time budget is part of a work dir's identity: resuming with other
/// settings is refused.
public struct SearchSettings: Codable, Equatable, Sendable {
    /// The target's name (or the file it was read from).
    public var target: String
    /// How far the validation MAE may rise above the parent's (fine-tuned the same way), in BPM.
    public var maxMaeIncreaseBpm = 0.3
    /// The search stops once a candidate within the MAE budget costs at most this share of the parent.
    public var costGoal = 1 / 2.2
    /// Candidates per generation.
    public var population = 12
    /// Generations at most.
    public var generations = 12
    public var seed: UInt64 = 1
    /// Epochs of fine-tuning per candidate.
    public var fineTuneEpochs = 2
    /// Training windows drawn (without replacement) for each candidate's fine-tuning; all when larger.
    public var windowsPerCandidate = 6000
    /// Peak learning rate of the fine-tuning.
    public var learningRate: Float = 1e-3
    /// Share of each dataset's recordings held out for validation.
    public var validationShare = 0.2
    /// Epochs of the search's parent: the model retrained from its initialisation on the training recordings
    /// only, so that validation scores recordings no model of the search has seen; 0 searches from the model as
    /// it is (for a model that never saw these recordings).
    public var parentEpochs = 30
    /// Epochs of the confirmation of a candidate that meets the cost goal: fine-tuned again on every training window
    /// with another seed, it must stay within the MAE budget before the search stops on it or chooses it (0: no
    /// confirmation). The short fine-tuning of the search is a noisy judge, and the cheapest candidate at the
    /// budget's edge is the one its noise favours most.
    public var confirmEpochs = 6
    /// Further validation splits a confirmation must hold on too (`SearchData.validationSplit(share:seed:number:)`:
    /// other recordings while the data allow), each with its own parent trained without it. On each split, the
    /// candidate's confirmation must stay within the MAE budget of the split's parent confirmed the same way. One split
    /// of a fifth of the recordings can favour a candidate that fails on recordings it does not hold.
    public var confirmSplits = 2
    /// Epochs of the final fine-tuning of the chosen model on all recordings.
    public var finalEpochs = 8
    /// Threads for training and inference.
    public var threads = 2
    /// The parent model file's content digest, so that a work dir is not resumed on another model.
    public var modelDigest = ""
    /// The recordings' file names.
    public var recordings: [String] = []

    /// Settings for target `target`.
    public init(target: String) { self.target = target }

    /// Throws `SearchError.setting` on a setting that cannot work.
    public func validate() throws {
        func fail(_ name: String, _ reason: String) -> SearchError { .setting(name, reason: reason) }
        guard maxMaeIncreaseBpm >= 0, maxMaeIncreaseBpm.isFinite else { throw fail("--max-mae-increase", "must be 0 or more BPM") }
        guard costGoal > 0, costGoal <= 1 else { throw fail("cost goal", "must lie in (0, 1]") }
        guard population >= 2 else { throw fail("--population", "must be at least 2") }
        guard generations >= 1 else { throw fail("--generations", "must be at least 1") }
        guard fineTuneEpochs >= 1, finalEpochs >= 0, parentEpochs >= 0, confirmEpochs >= 0 else { throw fail("epochs", "fine-tuning needs at least one epoch") }
        guard confirmSplits >= 0 else { throw fail("--confirm-splits", "must be 0 or more") }
        guard windowsPerCandidate >= 1 else { throw fail("windows per candidate", "must be at least 1") }
        guard validationShare > 0, validationShare < 1 else { throw fail("validation share", "must lie in (0, 1)") }
        guard threads >= 1 else { throw fail("--threads", "must be at least 1") }
    }
}
