import ArgumentParser
import Foundation
import PulseModels
import PulseSearch

struct SearchCandidatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candidates",
        abstract: "Evaluate a batch of search candidates into a search's work dir (what pulse search does for each candidate).",
        discussion: """
            --batch is a JSON array of candidates, each {"rewrites": [...]} in the form of the work dir's \
            candidates/ID.json files. The search's settings come from --workdir/search.json; --model, --data and the \
            target must be the search's. Each candidate is fine-tuned, scored and costed as pulse search does it and \
            written to the work dir as soon as it is done; candidates already there are not evaluated again. --out \
            gets the batch's results as a JSON array.
            """)

    @Option(help: "The search's work dir.")
    var workdir: String

    @Option(help: "The search's model (.h5).")
    var model: String

    @Option(help: "The search's target.")
    var target: String?

    @Option(name: .customLong("target-file"), help: "The search's target file.")
    var targetFile: String?

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: "The search's recordings.")
    var data: [String]

    @Option(help: "The candidates to evaluate (JSON).")
    var batch: String

    @Option(help: "Where to write the batch's results (JSON).")
    var out: String

    @Flag(help: "Replace an existing --out file.")
    var force = false

    func validate() throws {
        guard (target == nil) != (targetFile == nil) else { throw ValidationError("give one of --target and --target-file") }
    }

    func run() throws {
        let paths = try RecordingPaths.expand(data)
        var outputs = OutputPlan(inputs: paths + [model, batch])
        try outputs.add(out, force: force)
        let settings = try WorkDirectory.settings(at: workdir)
        let inputs = SearchInputs(modelPath: model, dataPaths: data, targetName: target, targetFile: targetFile)
        let target = try inputs.target()
        guard try inputs.modelDigest() == settings.modelDigest else { throw CommandError("\(model) is not the model of the search in \(workdir)") }
        guard paths.map({ URL(fileURLWithPath: $0).lastPathComponent }) == settings.recordings else {
            throw CommandError("--data does not list the recordings of the search in \(workdir), in its order")
        }
        guard (targetFile ?? target.name) == settings.target else { throw CommandError("the search in \(workdir) is for \(settings.target)") }
        guard let content = FileManager.default.contents(atPath: batch) else { throw CommandError("cannot read --batch \(batch)") }
        let candidates: [Candidate]
        do { candidates = try JSONDecoder().decode([Candidate].self, from: content) } catch {
            throw CommandError("\(batch) is not a JSON array of candidates ({\"rewrites\": [...]}): \(error)")
        }
        let workDirectory = try WorkDirectory(path: workdir, settings: settings)
        let evaluator = try inputs.evaluator(settings: settings, paths: paths, model: try inputs.parent(), target: target, workdir: workdir)
        let missing = candidates.filter { !workDirectory.hasResult(of: $0) }
        let progress = Progress(total: missing.count, label: "evaluating")
        var done = 0
        try LocalExecutor(evaluator: evaluator).evaluate(candidates, into: workDirectory, deadline: .distantFuture) { result in
            done += 1
            progress.update(done, detail: result.id)
        }
        progress.finish()
        let results = candidates.compactMap { workDirectory.result($0.id) }.map(SearchReport.entry)
        try OutputFile.write(try JSONText.encode(results), to: out, force: force)
        print("evaluated \(candidates.count) candidates into \(workdir); results in \(out)")
    }
}
