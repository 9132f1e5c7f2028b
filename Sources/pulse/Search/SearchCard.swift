import Foundation
import PulseGraph
import PulseHardware
import PulseModels
import PulseSearch

/// The model card and metadata of a searched model: the rewrites applied, each operator's cost before and after
/// on the search's target, the validation MAE, and the cost on every shipped target.
struct SearchCard {
    let chosen: CandidateResult
    let model: ModelFile
    let outcome: OperatorSearch.Outcome
    let evaluator: CandidateEvaluator
    let settings: SearchSettings
    let modelName: String
    let parentPath: String

    /// The model's metadata: how it was made, with the rewrites as JSON (`search_rewrites`) so that they can be
    /// replayed on another model.
    var metadata: [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let rewrites = (try? encoder.encode(chosen.candidate.rewrites)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return [
            "created_by": "pulse search", "parent": URL(fileURLWithPath: parentPath).lastPathComponent, "search_target": settings.target,
            "search_rewrites": rewrites, "search_validation_mae_bpm": String(format: "%.3f", chosen.maeBpm ?? .nan),
            "search_reference_mae_bpm": String(format: "%.3f", outcome.reference.maeBpm ?? .nan), "search_seed": String(settings.seed),
            "parameters": String(model.graph.parameterCount), "macs_per_window": String(model.graph.multiplyAccumulates),
            "training_data": settings.recordings.joined(separator: ","),
        ]
    }

    func markdown() throws -> String {
        let target = evaluator.target
        let before = OperatorCosts(graph: evaluator.parent.graph, target: target).ranking
        let after = Dictionary(OperatorCosts(graph: model.graph, target: target).ranking.map { ($0.layer, $0.seconds) }, uniquingKeysWith: +)
        let parentProfile = evaluator.profile(evaluator.parent)
        let profile = evaluator.profile(model)
        var text = "# Model card: `\(modelName)`, searched for \(target.name)\n\n"
        text += "Made by `pulse search` (grassroots operator search) from `\(URL(fileURLWithPath: parentPath).lastPathComponent)` on the "
            + "\(target.name) target (\(target.core)), seed \(settings.seed). Every latency on a device is a cost model's, not a measurement.\n\n"
        text += settings.parentEpochs > 0
            ? "The search ran on the model's architecture retrained for \(settings.parentEpochs) epochs on the training recordings alone, so "
                + "that its validation recordings were never trained on. The rewrites it chose were then applied to the model itself and "
                + "fine-tuned with distillation from it on every recording for \(settings.finalEpochs) epochs: this file.\n\n"
            : "The search ran on the model as it is; the chosen candidate was fine-tuned on every recording for \(settings.finalEpochs) epochs.\n\n"
        text += "## Rewrites applied\n\n"
        for rewrite in chosen.candidate.rewrites { text += "- \(rewrite)\n" }
        text += "\n| | model | \(modelName) |\n|---|---:|---:|\n"
        text += "| parameters | \(evaluator.parent.graph.parameterCount) | \(model.graph.parameterCount) |\n"
        text += "| MACs per window | \(evaluator.parent.graph.multiplyAccumulates) | \(model.graph.multiplyAccumulates) |\n"
        text += "| latency on \(target.name) (ms, modelled) | \(format(parentProfile.seconds * 1e3, 3)) | \(format(profile.seconds * 1e3, 3)) |\n"
        text += "| validation MAE (BPM, search parent and candidate, after the same fine-tuning) | \(format(outcome.reference.maeBpm ?? .nan, 2)) | \(format(chosen.maeBpm ?? .nan, 2)) |\n\n"
        text += "Validation recordings (never trained on during the search): "
            + evaluator.validationRecordings.map { evaluator.data.recordings[$0].name }.joined(separator: ", ") + ".\n\n"
        let confirmed = outcome.confirmations.filter { $0.candidate == chosen.candidate && $0.confirmationSplit != nil }
        if !confirmed.isEmpty {
            text += "Confirmation: fine-tuned for \(settings.confirmEpochs) epochs on every training window of each validation split, with "
                + "another seed; on each split the rewrites, applied to that split's own parent, stay within \(format(settings.maxMaeIncreaseBpm, 2)) "
                + "BPM of the parent confirmed the same way.\n\n| validation split | parent (BPM) | rewritten (BPM) |\n|---:|---:|---:|\n"
            for result in confirmed {
                let reference = outcome.confirmations.first { $0.candidate.rewrites.isEmpty && $0.confirmationSplit == result.confirmationSplit }
                text += "| \(result.confirmationSplit ?? 0) | \(format(reference?.maeBpm ?? .nan, 2)) | \(format(result.maeBpm ?? .nan, 2)) |\n"
            }
            text += "\n"
        }
        text += "## Cost per operator on \(target.name) (ms per window, modelled)\n\n| operator | before | after |\n|---|---:|---:|\n"
        var seen = Set<String>()
        for entry in before {
            seen.insert(entry.layer)
            text += "| \(entry.layer) | \(format(entry.seconds * 1e3, 4)) | \(after[entry.layer].map { format($0 * 1e3, 4) } ?? "removed") |\n"
        }
        for (layer, seconds) in after.sorted(by: { $0.key < $1.key }) where !seen.contains(layer) {
            text += "| \(layer) | new | \(format(seconds * 1e3, 4)) |\n"
        }
        text += "\n## Cost on every target (modelled)\n\n| target | latency (ms) | energy (mJ) | arena (KB) | parameters (KB) | fits |\n|---|---:|---:|---:|---:|---|\n"
        for name in Target.shippedNames {
            let other = try Target.named(name)
            let costed = Profile(plan: KernelPlan(graph: model.graph), target: other)
            let memory = costed.targetMemory
            text += "| \(name) | \(format(costed.seconds * 1e3, 3)) | \(costed.joules.map { format($0 * 1e3, 3) } ?? "–") | "
                + "\(format(Double(memory.arenaBytes) / 1024, 1)) | \(format(Double(memory.parameterBytes) / 1024, 1)) | "
                + (memory.fits ? "yes" : memory.overLimits.joined(separator: "; ")) + " |\n"
        }
        text += "\n## Cross-validation\n\nNot yet cross-validated: `pulse search cv --model \(modelName) ...` applies these rewrites to each "
            + "fold's baseline, fine-tunes on the fold's training part and scores its test part.\n"
        return text
    }
}
