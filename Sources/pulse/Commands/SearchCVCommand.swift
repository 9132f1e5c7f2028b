import ArgumentParser
import Foundation
import PulseFirmware
import PulseModels
import PulseSearch

struct SearchCVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cv",
        abstract: "Cross-validate a searched model the way the baseline was: its rewrites on each fold's baseline, fine-tuned and scored per fold.",
        discussion: """
            The folds are the baseline's (by recording, --seed, in the order --data lists the recordings). In each fold \
            the baseline is trained on the fold's training part exactly as pulse train --folds trains it (kept in \
            --fold-models for reuse), the searched model's rewrites (its search_rewrites metadata) are applied to it, \
            the result is fine-tuned with distillation from that fold's baseline on the same training part, and both \
            are scored with the tracker on the fold's test part. --update-card writes the figures into the model's \
            metadata and its card (NAME.md beside it).
            """)

    @Option(help: "A model written by pulse search.")
    var model: String

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: "Recordings (.h5) or folders of them, as the baseline was trained on.")
    var data: [String]

    @Option(help: "Folds by recording.")
    var folds = 5

    @Option(help: "The baseline's seed (folds, initialisation, shuffling).")
    var seed: UInt64 = TrainingSettings().seed

    @Option(name: .customLong("baseline-epochs"), help: "Epochs of each fold's baseline.")
    var baselineEpochs = TrainingSettings().epochs

    @Option(help: "Fine-tuning epochs of the rewritten model in each fold.")
    var epochs = 10

    @Option(name: .customLong("learning-rate"), help: "Peak learning rate of the fine-tuning.")
    var learningRate: Float = 1e-3

    @Option(name: .customLong("fold-models"), help: "A folder where fold baselines are kept and reused.")
    var foldModels: String?

    @Option(help: "Also write the figures as JSON to this file.")
    var json: String?

    @Flag(name: .customLong("update-card"), help: "Write the figures into the model's metadata and card.")
    var updateCard = false

    @Flag(help: "Also score each fold's searched model as int8 firmware (pulse export c), calibrated on that fold's training windows.")
    var int8 = false

    @Flag(help: "Replace an existing --json file.")
    var force = false

    func validate() throws {
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        guard baselineEpochs >= 1, epochs >= 1 else { throw ValidationError("--baseline-epochs and --epochs must be at least 1") }
    }

    func run() throws {
        let paths = try RecordingPaths.expand(data)
        var outputs = OutputPlan(inputs: paths + [model])
        if let json { try outputs.add(json, force: force) }
        guard folds <= paths.count else { throw CommandError("--folds \(folds) needs at least \(folds) recordings; \(paths.count) given") }
        var file = try ModelFile(path: model)
        guard let text = file.metadata["search_rewrites"],
              let rewrites = try? JSONDecoder().decode([Rewrite].self, from: Data(text.utf8)) else {
            throw CommandError("\(model): no search_rewrites metadata; it was not written by pulse search")
        }
        let reading = Progress(total: paths.count, label: "reading")
        let searchData = try SearchData(paths: paths, input: file.input) { done, _ in reading.update(done, detail: "recordings") }
        reading.finish()
        var baseline = TrainingSettings()
        baseline.seed = seed
        baseline.epochs = baselineEpochs
        var fineTune = TrainingSettings()
        fineTune.seed = seed
        fineTune.epochs = epochs
        fineTune.learningRate = learningRate
        var validation = SearchCrossValidation(data: searchData, rewrites: rewrites, folds: folds, baselineSettings: baseline,
                                               fineTuneSettings: fineTune, foldModelDirectory: foldModels)
        if int8 {
            validation.quantisedScorer = { model, windows in
                IntegerScorer(executor: IntegerExecutor(model: try FirmwareCalibration(model: model).quantise(windows)))
            }
        }
        let progress = Progress(total: folds, label: "cross-validation")
        let report = try validation.run { fold, stage in progress.update(fold, detail: stage) }
        progress.finish()
        var lines = "cross-validation of \(URL(fileURLWithPath: model).lastPathComponent) (\(folds) folds by recording, seed \(seed)):\n"
        lines += "  searched \(format(report.searchedMaeBpm, 2)) BPM, fold baselines \(format(report.baselineMaeBpm, 2)) BPM\n"
        for dataset in report.searchedMaeBpmByDataset.keys.sorted() {
            lines += "  \(dataset): searched \(format(report.searchedMaeBpmByDataset[dataset] ?? .nan, 2)), baseline \(format(report.baselineMaeBpmByDataset[dataset] ?? .nan, 2))\n"
        }
        if let quantised = report.quantisedMaeBpm {
            lines += "  searched as int8: \(format(quantised, 2)) BPM"
            lines += report.quantisedMaeBpmByDataset.keys.sorted().map { "; \($0) \(format(report.quantisedMaeBpmByDataset[$0] ?? .nan, 2))" }.joined() + "\n"
        }
        for fold in report.folds {
            lines += "  fold \(fold.number): searched \(format(fold.searchedMaeBpm, 2)), baseline \(format(fold.baselineMaeBpm, 2))"
                + (fold.quantisedMaeBpm.map { ", int8 \(format($0, 2))" } ?? "") + " on \(fold.windows) windows\n"
        }
        print(lines, terminator: "")
        var figures: [String: Any] = [
            "searched_mae_bpm": report.searchedMaeBpm, "baseline_mae_bpm": report.baselineMaeBpm,
            "searched_mae_bpm_by_dataset": report.searchedMaeBpmByDataset, "baseline_mae_bpm_by_dataset": report.baselineMaeBpmByDataset,
            "folds": report.folds.map { ["fold": $0.number, "recordings": $0.recordings, "searched_mae_bpm": $0.searchedMaeBpm,
                                         "baseline_mae_bpm": $0.baselineMaeBpm, "windows": $0.windows] as [String: Any] },
            "seed": seed, "baseline_epochs": baselineEpochs, "fine_tune_epochs": epochs, "rewrites": rewrites.map(\.description),
        ]
        if let quantised = report.quantisedMaeBpm {
            figures["int8_mae_bpm"] = quantised
            figures["int8_mae_bpm_by_dataset"] = report.quantisedMaeBpmByDataset
            figures["int8_fold_mae_bpm"] = report.folds.map { $0.quantisedMaeBpm ?? .nan }
        }
        if let json { try OutputFile.write(try JSONText.encode(figures), to: json, force: force) }
        if updateCard {
            file.metadata["cross_validation"] = try JSONText.encode(figures)
            try file.write(to: model, replacing: true)
            let card = URL(fileURLWithPath: model).deletingPathExtension().appendingPathExtension("md").path
            if let existing = try? String(contentsOfFile: card, encoding: .utf8) {
                let head = existing.components(separatedBy: "\n## Cross-validation").first ?? existing
                var section = "\n## Cross-validation\n\n\(folds) folds by recording, the baseline's folds (seed \(seed)). In each fold the "
                    + "rewrites above were applied to that fold's baseline (\(baselineEpochs) epochs on the fold's training part), fine-tuned "
                    + "with distillation from it for \(epochs) epochs on the same part, and scored with the tracker on the fold's test part.\n\n"
                section += "| | all | " + report.searchedMaeBpmByDataset.keys.sorted().joined(separator: " | ") + " |\n|---|---:|"
                    + String(repeating: "---:|", count: report.searchedMaeBpmByDataset.count) + "\n"
                section += "| **\(URL(fileURLWithPath: model).lastPathComponent)** | **\(format(report.searchedMaeBpm, 2))** | "
                    + report.searchedMaeBpmByDataset.keys.sorted().map { format(report.searchedMaeBpmByDataset[$0] ?? .nan, 2) }.joined(separator: " | ") + " |\n"
                section += "| fold baselines | \(format(report.baselineMaeBpm, 2)) | "
                    + report.baselineMaeBpmByDataset.keys.sorted().map { format(report.baselineMaeBpmByDataset[$0] ?? .nan, 2) }.joined(separator: " | ") + " |\n\n"
                section += "Per fold (searched / baseline): " + report.folds.map { "\(format($0.searchedMaeBpm, 2)) / \(format($0.baselineMaeBpm, 2))" }
                    .joined(separator: ", ") + ".\n"
                try OutputFile.write(head + section, to: card, force: true)
            }
        }
    }
}
