import ArgumentParser
import Foundation
import PulseHardware
import PulseModels
import PulseSearch

struct SearchRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Adapt a model to a target by grassroots operator search: rewrite its costliest operators, fine-tune, keep what holds accuracy.",
        discussion: """
            The operators of --model are costed on the target and ranked. The costliest is rewritten in every way that \
            applies (depthwise + pointwise, low rank, groups, pruned channels, dilation, subsampling, shift + pointwise, \
            a removed residual body, cheaper spectra), each candidate fine-tuned briefly with distillation from the \
            model and scored by MAE with the tracker on held-out recordings (a fifth of each dataset). NSGA-II then \
            evolves candidates over MAE and modelled target latency, each mutation rewriting a candidate's own costliest \
            operator next, until a candidate within --max-mae-increase costs at most the cost goal, the generations \
            are done, or --budget runs out. Memory limits of the target are hard.

            Every evaluated candidate is written to --workdir at once: run the same command again after an \
            interruption (even kill -9) and it resumes without evaluating anything twice. The work dir also gets \
            results.json and front.svg. The chosen model is the cheapest within the MAE budget whose confirmation held: \
            fine-tuned longer with another seed, on the validation split and on --confirm-splits more splits of other \
            recordings (each from its own parent), it stays within the budget of that split's parent on every one. It is \
            fine-tuned once more on every recording and goes to --out with a card beside it (NAME.md).
            """)

    @Option(help: "The model to adapt (.h5; import an ONNX model first with pulse import-onnx).")
    var model: String

    @Option(help: "A shipped target (\(Target.shippedNames.joined(separator: ", "))).")
    var target: String?

    @Option(name: .customLong("target-file"), help: "A target described in a JSON file.")
    var targetFile: String?

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: "Recordings (.h5) or folders of them.")
    var data: [String]

    @Option(name: .customLong("max-mae-increase"), help: "How far the validation MAE may rise above the model's, in BPM.")
    var maxMaeIncrease = 0.3

    @Option(help: "Wall-time budget in minutes; nothing new is evaluated after it.")
    var budget = 120.0

    @Option(help: "Candidates per generation.")
    var population = SearchSettings(target: "").population

    @Option(help: "Generations at most.")
    var generations = SearchSettings(target: "").generations

    @Option(help: "Seed of the search and of every fine-tuning.")
    var seed: UInt64 = 1

    @Option(name: .customLong("cost-goal"), help: "Stop once a candidate costs this share of the model (default: 1/3 on mcu, 1/2.2 elsewhere).")
    var costGoal: Double?

    @Option(help: "Fine-tuning epochs per candidate.")
    var epochs = SearchSettings(target: "").fineTuneEpochs

    @Option(help: "Training windows drawn for each candidate's fine-tuning.")
    var windows = SearchSettings(target: "").windowsPerCandidate

    @Option(name: .customLong("parent-epochs"), help: "Epochs of the search's parent, the model retrained on the training recordings alone (0: search from the model as it is).")
    var parentEpochs = SearchSettings(target: "").parentEpochs

    @Option(name: .customLong("confirm-epochs"), help: "Epochs of the confirmation a candidate needs before the search stops on it or chooses it (0: none).")
    var confirmEpochs = SearchSettings(target: "").confirmEpochs

    @Option(name: .customLong("confirm-splits"), help: "Further validation splits, of other recordings, the confirmation must hold on too (each trains its own parent).")
    var confirmSplits = SearchSettings(target: "").confirmSplits

    @Option(name: .customLong("final-epochs"), help: "Epochs of the chosen model's final fine-tuning on every recording.")
    var finalEpochs = SearchSettings(target: "").finalEpochs

    @Option(help: "Threads for training and inference.")
    var threads = 2

    @Option(help: "Where candidates are evaluated: local (here, one after another) or slurm (job arrays of pulse search candidates; the work dir must be on a path the nodes share).")
    var executor = SearchExecutorKind.local

    @Option(help: "Slurm partition (with --executor slurm; the cluster's default otherwise).")
    var partition: String?

    @Option(name: .customLong("max-jobs"), help: "Slurm array tasks running at once (with --executor slurm).")
    var maxJobs: Int?

    @Option(name: .customLong("time-limit"), help: "Wall-time limit of each Slurm task in minutes (with --executor slurm).")
    var timeLimit: Int?

    @Option(name: .customLong("candidates-per-task"), help: "Candidates per Slurm task (with --executor slurm).")
    var candidatesPerTask = SlurmExecutor.Options().candidatesPerTask

    @Option(name: .customLong("max-attempts"), help: "Submissions of a candidate before it is reported as failed (with --executor slurm).")
    var maxAttempts = SlurmExecutor.Options().maxAttempts

    @Option(help: "The work dir: every evaluated candidate, results.json, front.svg.")
    var workdir: String

    @Option(help: "Where to write the chosen model (.h5); its card goes beside it (.md).")
    var out: String

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(name: .customLong("compare-scaling"), help: "Also fine-tune and score macro-scaled baselines (width 0.25-1 x 1-4 blocks) the same way, for comparison.")
    var compareScaling = false

    @Flag(help: "Replace an existing --out, card or --json file.")
    var force = false

    func validate() throws {
        guard (target == nil) != (targetFile == nil) else { throw ValidationError("give one of --target and --target-file") }
        guard budget > 0, budget.isFinite else { throw ValidationError("--budget must be more than 0 minutes") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1 to 256") }
        if executor == .local {
            guard partition == nil, maxJobs == nil, timeLimit == nil else {
                throw ValidationError("--partition, --max-jobs and --time-limit need --executor slurm")
            }
        }
        guard maxJobs.map({ $0 >= 1 }) ?? true else { throw ValidationError("--max-jobs must be at least 1") }
        guard timeLimit.map({ $0 >= 1 }) ?? true else { throw ValidationError("--time-limit must be at least 1 minute") }
        guard candidatesPerTask >= 1 else { throw ValidationError("--candidates-per-task must be at least 1") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
    }

    func settings(targetName: String, digest: String, paths: [String]) throws -> SearchSettings {
        var settings = SearchSettings(target: targetName)
        settings.maxMaeIncreaseBpm = maxMaeIncrease
        settings.costGoal = costGoal ?? (targetName == "mcu" ? 1.0 / 3 : 1 / 2.2)
        settings.population = population
        settings.generations = generations
        settings.seed = seed
        settings.fineTuneEpochs = epochs
        settings.windowsPerCandidate = windows
        settings.finalEpochs = finalEpochs
        settings.parentEpochs = parentEpochs
        settings.confirmEpochs = confirmEpochs
        settings.confirmSplits = confirmSplits
        settings.threads = threads
        settings.modelDigest = digest
        settings.recordings = paths.map { URL(fileURLWithPath: $0).lastPathComponent }
        try settings.validate()
        return settings
    }

    func run() throws {
        let started = Date()
        let inputs = SearchInputs(modelPath: model, dataPaths: data, targetName: target, targetFile: targetFile)
        let paths = try RecordingPaths.expand(data)
        let card = URL(fileURLWithPath: out).deletingPathExtension().appendingPathExtension("md").path
        var outputs = OutputPlan(inputs: paths + [model] + (targetFile.map { [$0] } ?? []))
        try outputs.add(out, force: force)
        try outputs.add(card, force: force)
        if let json { try outputs.add(json, force: force) }
        let target = try inputs.target()
        let settings = try settings(targetName: targetFile ?? target.name, digest: try inputs.modelDigest(), paths: paths)
        let workDirectory = try WorkDirectory(path: workdir, settings: settings)
        let given = try inputs.parent()
        try MemoryReachability.check(given, target: target)
        let evaluator = try inputs.evaluator(settings: settings, paths: paths, model: given, target: target, workdir: workdir)
        let parent = evaluator.parent
        let names = evaluator.data.recordings.map(\.name)
        FileHandle.standardError.write(Data(("search on \(target.name): \(evaluator.trainingWindows) training windows from "
            + "\(evaluator.trainingRecordings.count) recordings; validation on \(evaluator.validationRecordings.map { names[$0] }.joined(separator: ", "))\n").utf8))
        let otherSplits = try inputs.otherSplits(of: evaluator, model: given, workdir: workdir)
        for split in otherSplits {
            FileHandle.standardError.write(Data(("confirmation split \(split.split): validation on "
                + split.validationRecordings.map { names[$0] }.joined(separator: ", ") + "\n").utf8))
        }
        let search = OperatorSearch(evaluator: evaluator, otherSplits: otherSplits, executor: try candidateExecutor(paths: paths, settings: settings),
                                    workDirectory: workDirectory, deadline: started.addingTimeInterval(budget * 60))
        let view = SearchProgressView()
        let outcome = try search.run { view.show($0) }
        view.finish()
        let scaling = compareScaling ? try scale(parent, evaluator: evaluator, workDirectory: workDirectory, deadline: search.deadline) : []
        let report = SearchReport(outcome: outcome, evaluator: evaluator, otherSplits: otherSplits, settings: settings, scaling: scaling)
        try OutputFile.write(try JSONText.encode(report.json()), to: workdir + "/results.json", force: true)
        try OutputFile.write(SearchFrontChart.svg(outcome, target: target.name, scaling: scaling), to: workdir + "/front.svg", force: true)
        print(report.text(), terminator: "")
        guard let chosen = outcome.chosen else {
            throw CommandError("no candidate stayed within \(String(format: "%.2f", settings.maxMaeIncreaseBpm)) BPM of the model's validation MAE "
                               + "and held it in its confirmation (\(outcome.stopReason)); the work dir keeps every result (\(workdir))")
        }
        let progress = Progress(total: settings.finalEpochs, label: "final fine-tuning")
        var final = try evaluator.finalise(chosen.candidate.rewrites, of: given) {
            progress.update($0.epoch - 1, detail: "loss \(String(format: "%.3f", $0.loss))")
        }
        progress.finish()
        let cardText = SearchCard(chosen: chosen, model: final, outcome: outcome, evaluator: evaluator, settings: settings,
                                      modelName: URL(fileURLWithPath: out).lastPathComponent, parentPath: model)
        final.metadata = cardText.metadata
        try final.write(to: out, replacing: force)
        try OutputFile.write(cardText.markdown(), to: card, force: force)
        if let json { try OutputFile.write(try JSONText.encode(report.json()), to: json, force: force) }
        print("wrote \(out) and \(card)")
    }

    /// The executor `--executor` names: nil for local, else a Slurm executor whose tasks run `pulse search candidates`
    /// (this binary) on the search's work dir, model, target and data, by absolute path, with the search's threads.
    private func candidateExecutor(paths: [String], settings: SearchSettings) throws -> CandidateExecutor? {
        guard executor == .slurm else { return nil }
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        guard let binary = Bundle.main.executablePath else { throw CommandError("cannot find the pulse executable for Slurm tasks") }
        var command = [binary, "search", "candidates", "--workdir", absolute(workdir), "--model", absolute(model)]
        command += targetFile.map { ["--target-file", absolute($0)] } ?? ["--target", target ?? ""]
        command += ["--data"] + paths.map(absolute)
        var options = SlurmExecutor.Options()
        options.partition = partition
        options.maxJobs = maxJobs
        options.timeLimitMinutes = timeLimit
        options.candidatesPerTask = candidatesPerTask
        options.maxAttempts = maxAttempts
        options.cpusPerTask = settings.threads
        return SlurmExecutor(taskCommand: command, options: options)
    }

    /// The macro-scaled baselines, fine-tuned and scored as candidates are, each kept in the work dir.
    private func scale(_ parent: ModelFile, evaluator: CandidateEvaluator, workDirectory: WorkDirectory, deadline: Date) throws -> [CandidateResult] {
        let architecture = try MacroScaling.architecture(of: parent)
        var results: [CandidateResult] = []
        for (multiplier, blocks) in MacroScaling.grid(blocks: architecture.dilations.count) {
            let id = "scale-w\(format(multiplier, 2))-b\(blocks)"
            if let stored = workDirectory.result(id) {
                results.append(stored)
                continue
            }
            guard Date() < deadline else {
                FileHandle.standardError.write(Data("time budget spent before the macro scaling of \(id)\n".utf8))
                break
            }
            let model = try MacroScaling.scaled(parent, widthMultiplier: multiplier, blocks: blocks)
            let label = "width \(format(multiplier, 2)), \(blocks) blocks"
            let (result, tuned) = try evaluator.evaluate(
                model, as: CandidateResult(id: id, candidate: Candidate(rewrites: []), label: label, status: .evaluated, evaluationSeconds: 0),
                seed: evaluator.settings.seed &+ UInt64(blocks) &* 1000 &+ UInt64(multiplier * 100))
            try workDirectory.record(result, model: tuned)
            FileHandle.standardError.write(Data("  \(id): MAE \(format(result.maeBpm ?? .nan, 2)) BPM, \(format((result.seconds ?? .nan) * 1e3, 3)) ms: \(label)\n".utf8))
            results.append(result)
        }
        return results
    }
}
