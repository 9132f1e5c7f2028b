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
        let stored = workdir + "/parent.h5"
        let parent: ModelFile
        if settings.parentEpochs == 0 {
            parent = model
        } else if FileManager.default.fileExists(atPath: stored) {
            parent = try ModelFile(path: stored)
        } else {
            let training = Progress(total: settings.parentEpochs, label: "search parent")
            parent = try CandidateEvaluator.searchParent(model, data: data, settings: settings) {
                training.update($0.epoch - 1, detail: "loss \(format(Double($0.loss), 3)), \(format($0.secondsLeft / 60, 1)) min left")
            }
            training.finish()
            try parent.write(to: stored, replacing: true)
        }
        return CandidateEvaluator(parent: parent, data: data, target: target, settings: settings)
    }
}
