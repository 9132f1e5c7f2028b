import Foundation
import PulseGraph
import PulseHardware
import PulseModels

/// Evaluates candidates of one search: applies the rewrites to the parent, checks the target's memory, fine-tunes
/// with distillation from the parent on the training recordings, scores MAE with the tracker on the validation
/// recordings (none of whose windows is trained on), and costs the result on the target.
public struct CandidateEvaluator: Sendable {
    /// The model the candidates rewrite, and their teacher.
    public let parent: ModelFile
    /// The recordings.
    public let data: SearchData
    /// Indices into `data.recordings`: fine-tuning reads only the first, scoring only the second.
    public let trainingRecordings: [Int]
    public let validationRecordings: [Int]
    /// The target candidates are costed on.
    public let target: Target
    /// The search's settings.
    public let settings: SearchSettings
    /// Which validation split this evaluator scores on (`SearchData.validationSplit(share:seed:number:)`): 0 for the
    /// search's own, more for the further splits a confirmation must hold on.
    public let split: Int
    private let training: TrainingSet
    private let deviationWindows: [[Float]]

    /// An evaluator of rewrites of `parent`; the validation recordings are split number `split` of the settings'
    /// share and seed, and `parent` should have been trained without them (`searchParent(_:data:settings:split:)`).
    public init(parent: ModelFile, data: SearchData, target: Target, settings: SearchSettings, split: Int = 0) {
        self.parent = parent
        self.data = data
        self.target = target
        self.settings = settings
        self.split = split
        let validation = data.validationSplit(share: settings.validationShare, seed: settings.seed, number: split)
        validationRecordings = validation
        trainingRecordings = data.recordings.indices.filter { !validation.contains($0) }
        training = data.trainingSet(trainingRecordings)
        let held = data.trainingSet(validation)
        deviationWindows = Array(stride(from: 0, to: held.count, by: max(1, held.count / 64)).map { held.inputs[$0] }.prefix(64))
    }

    /// Windows of the training recordings that fine-tuning draws from.
    public var trainingWindows: Int { training.count }

    /// The profile of `model` on the target.
    public func profile(_ model: ModelFile) -> Profile { Profile(plan: KernelPlan(graph: model.graph), target: target) }

    /// Evaluates `candidate`; returns its result and, when it was fine-tuned, the fine-tuned model.
    /// - Throws: errors of training or inference on a model that applies (a rewrite that does not apply is a result).
    public func evaluate(_ candidate: Candidate) throws -> (CandidateResult, ModelFile?) {
        let started = Date()
        var model = parent
        do {
            for rewrite in candidate.rewrites { model = try rewrite.apply(to: model) }
        } catch {
            var result = CandidateResult(id: candidate.id, candidate: candidate, status: .inapplicable, evaluationSeconds: 0)
            result.error = "\(error)"
            result.evaluationSeconds = Date().timeIntervalSince(started)
            return (result, nil)
        }
        return try evaluate(model, as: CandidateResult(id: candidate.id, candidate: candidate, status: .evaluated, evaluationSeconds: 0),
                            seed: candidate.seed(settings.seed))
    }

    /// Evaluates `model` (a rewrite of the parent, or any model with the parent's input and output) into `result`:
    /// memory check, fine-tuning with distillation from the parent seeded with `seed`, tracked validation MAE, cost.
    /// `epochs` and `windows` override the settings' fine-tuning.
    public func evaluate(_ model: ModelFile, as result: CandidateResult, seed: UInt64, epochs: Int? = nil,
                         windows: Int? = nil) throws -> (CandidateResult, ModelFile?) {
        let started = Date()
        var result = result
        let profile = self.profile(model)
        result.seconds = profile.seconds
        result.joules = profile.joules
        result.arenaBytes = profile.targetMemory.arenaBytes
        result.parameterBytes = profile.targetMemory.parameterBytes
        result.multiplyAccumulates = model.graph.multiplyAccumulates
        result.parameters = model.graph.parameterCount
        guard profile.targetMemory.fits else {
            result.status = .overMemory
            result.error = profile.targetMemory.overLimits.joined(separator: "; ")
            result.evaluationSeconds = Date().timeIntervalSince(started)
            return (result, nil)
        }
        result.outputDeviation = try OutputDeviation.relative(parent: parent, child: model, windows: deviationWindows, threads: settings.threads)
        var subset = training
        let draw = windows ?? settings.windowsPerCandidate
        if training.count > draw {
            var generator = SeededGenerator(seed: seed)
            let chosen = Array(training.inputs.indices.shuffled(using: &generator).prefix(draw)).sorted()
            subset.inputs = chosen.map { training.inputs[$0] }
            subset.labelsBpm = chosen.map { training.labelsBpm[$0] }
            subset.recordingOfWindow = chosen.map { training.recordingOfWindow[$0] }
        }
        var trainingSettings = TrainingSettings()
        trainingSettings.epochs = epochs ?? settings.fineTuneEpochs
        trainingSettings.learningRate = settings.learningRate
        trainingSettings.seed = seed
        let trainer = ModelTrainer(architecture: .baseline, settings: trainingSettings)
        let tuned = try trainer.fineTune(model, on: subset, teacher: parent)
        let mae = try data.trackedMae(tuned, recordings: validationRecordings, threads: settings.threads)
        result.status = .evaluated
        result.maeBpm = mae.overall
        result.maeBpmByDataset = mae.byDataset
        result.evaluationSeconds = Date().timeIntervalSince(started)
        return (result, tuned)
    }
}

extension CandidateEvaluator {
    /// The name of `candidate`'s confirmation on this evaluator's split: `confirm-ID` on split 0, `confirm-vN-ID` on
    /// split N.
    public func confirmationID(of candidate: Candidate) -> String {
        "confirm-" + (split == 0 ? "" : "v\(split)-") + candidate.id
    }

    /// Confirms `candidate` on this evaluator's split: its rewrites applied to this split's parent, fine-tuned for the
    /// settings' confirmation epochs on every training window of the split with another seed than the search's, and
    /// scored the same way. The empty candidate's confirmation is the split's reference.
    /// - Throws: errors of rewriting, training or inference.
    public func confirm(_ candidate: Candidate) throws -> CandidateResult {
        var model = parent
        for rewrite in candidate.rewrites { model = try rewrite.apply(to: model) }
        let subject = candidate.rewrites.isEmpty ? "the model" : candidate.id
        let label = "confirmation of \(subject) on validation split \(split)"
        var result = CandidateResult(id: confirmationID(of: candidate), candidate: candidate, label: label, status: .evaluated)
        result.confirmationSplit = split
        return try evaluate(model, as: result, seed: candidate.seed(settings.seed) &+ 1 &+ UInt64(split), epochs: settings.confirmEpochs, windows: Int.max).0
    }

    /// The search's parent for `model` and validation split `split`: with `settings.parentEpochs` > 0, the model's
    /// graph trained from its initialisation (seeded with the settings' seed) on the recordings outside the split;
    /// else the model itself.
    /// - Throws: errors of training.
    public static func searchParent(_ model: ModelFile, data: SearchData, settings: SearchSettings, split: Int = 0,
                                    report: (EpochReport) -> Void = { _ in }) throws -> ModelFile {
        guard settings.parentEpochs > 0 else { return model }
        let validation = Set(data.validationSplit(share: settings.validationShare, seed: settings.seed, number: split))
        var trainingSettings = TrainingSettings()
        trainingSettings.epochs = settings.parentEpochs
        trainingSettings.seed = settings.seed
        var start = model
        start.parameters = model.graph.initialParameters(seed: settings.seed)
        return try ModelTrainer(architecture: .baseline, settings: trainingSettings)
            .fineTune(start, on: data.trainingSet(data.recordings.indices.filter { !validation.contains($0) }), report: report)
    }

    /// The shippable model: `rewrites` applied to `model` (the model the user gave, trained on every recording),
    /// fine-tuned with distillation from `model` on every recording for the settings' final epochs.
    public func finalise(_ rewrites: [Rewrite], of model: ModelFile, report: (EpochReport) -> Void = { _ in }) throws -> ModelFile {
        var rewritten = model
        for rewrite in rewrites { rewritten = try rewrite.apply(to: rewritten) }
        guard settings.finalEpochs > 0 else { return rewritten }
        var trainingSettings = TrainingSettings()
        trainingSettings.epochs = settings.finalEpochs
        trainingSettings.learningRate = settings.learningRate
        trainingSettings.seed = settings.seed
        return try ModelTrainer(architecture: .baseline, settings: trainingSettings)
            .fineTune(rewritten, on: data.trainingSet(Array(data.recordings.indices)), teacher: model, report: report)
    }
}
