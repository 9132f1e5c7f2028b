import Foundation
import PulseHardware
import PulseModels
import PulseSearch
import PulseSignals

/// What `pulse search run` and `pulse search candidates` share: the options that name the model, data and target,
/// and the evaluator they build from them.
struct SearchInputs {
    var modelPath: String
    var dataPaths: [String]
    var targetName: String?
    var targetFile: String?

    /// The target the options name.
    func target() throws -> Target {
        if let targetFile { return try Target.load(contentsOf: URL(fileURLWithPath: targetFile)) }
        return try Target.named(targetName ?? "")
    }

    /// The parent model with the exact rewrites (padding and affine folds) applied.
    func parent() throws -> ModelFile {
        var model = try ModelFile(path: modelPath)
        model = try Rewrite.foldPadding.apply(to: model)
        for layer in model.graph.layers {
            if let folded = try? Rewrite.foldAffine(layer: layer).apply(to: model) { model = folded }
        }
        return model
    }

    /// FNV-1a of the model file's bytes, in hex.
    func modelDigest() throws -> String {
        guard let data = FileManager.default.contents(atPath: modelPath) else { throw RecordingError(path: modelPath, .fileNotFound) }
        return String(FNV1a.hash(data), radix: 16)
    }

    /// The evaluator for `settings`, the recordings cut into windows with a progress line, from the search's
    /// parent: `model` retrained on the training recordings (`SearchSettings.parentEpochs`), kept in the work dir as
    /// `parent.h5` and read from there when the search resumes.
    func evaluator(settings: SearchSettings, paths: [String], model: ModelFile, target: Target, workdir: String) throws -> CandidateEvaluator {
        let progress = Progress(total: paths.count, label: "reading")
        let data = try SearchData(paths: paths, input: model.input) { done, _ in progress.update(done, detail: "recordings") }
        progress.finish()
        return CandidateEvaluator(parent: try parent(of: model, data: data, settings: settings, split: 0, workdir: workdir),
                                  data: data, target: target, settings: settings)
    }

    /// The evaluators of the further validation splits the confirmation holds candidates to (none without
    /// confirmation), each from its own parent (`parent-split-N.h5` in the work dir).
    func otherSplits(of evaluator: CandidateEvaluator, model: ModelFile, workdir: String) throws -> [CandidateEvaluator] {
        let settings = evaluator.settings
        guard settings.confirmEpochs > 0, settings.confirmSplits > 0 else { return [] }
        return try (1...settings.confirmSplits).map { split in
            CandidateEvaluator(parent: try parent(of: model, data: evaluator.data, settings: settings, split: split, workdir: workdir),
                               data: evaluator.data, target: evaluator.target, settings: settings, split: split)
        }
    }

    /// The search's parent for validation split `split`: `model` retrained without the split's recordings, from the
    /// work dir when it was trained before, else trained now (with a progress line) and kept there.
    private func parent(of model: ModelFile, data: SearchData, settings: SearchSettings, split: Int, workdir: String) throws -> ModelFile {
        guard settings.parentEpochs > 0 else { return model }
        let stored = workdir + (split == 0 ? "/parent.h5" : "/parent-split-\(split).h5")
        if FileManager.default.fileExists(atPath: stored) { return try ModelFile(path: stored) }
        let training = Progress(total: settings.parentEpochs, label: split == 0 ? "search parent" : "parent of split \(split)")
        let parent = try CandidateEvaluator.searchParent(model, data: data, settings: settings, split: split) {
            training.update($0.epoch - 1, detail: "loss \(format(Double($0.loss), 3)), \(format($0.secondsLeft / 60, 1)) min left")
        }
        training.finish()
        try parent.write(to: stored, replacing: true)
        return parent
    }
}
