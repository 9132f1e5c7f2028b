import Foundation
import Testing
import PulseGraph
import PulseHardware
import PulseModels
import PulseTestSupport
@testable import PulseSearch

@Suite(.serialized) struct OperatorSearchTests {
    /// Two datasets of three recordings, 24 windows each: noisy sinusoids at the labelled rate in every channel.
    static func data() -> SearchData {
        var generator = SeededGenerator(seed: 9)
        var recordings: [RecordingWindows] = []
        for dataset in ["a", "b"] {
            for number in 0..<3 {
                var windows: [[Float]] = []
                var references: [Double?] = []
                for window in 0..<24 {
                    let bpm = 70 + 20 * Double(number) + Double(window)
                    var values: [Float] = []
                    for _ in 0..<4 {
                        for t in 0..<256 {
                            values.append(Float(sin(2 * Double.pi * bpm / 60 * Double(t) / 32)) + Float.random(in: -0.3...0.3, using: &generator))
                        }
                    }
                    windows.append(values)
                    references.append(bpm)
                }
                recordings.append(RecordingWindows(name: "\(dataset)\(number)", dataset: dataset, windows: windows,
                                                   valid: Array(repeating: true, count: 24), referencesBpm: references))
            }
        }
        return SearchData(recordings: recordings)
    }

    static func settings() -> SearchSettings {
        var settings = SearchSettings(target: "mcu")
        settings.population = 3
        settings.generations = 2
        settings.fineTuneEpochs = 1
        settings.windowsPerCandidate = 32
        settings.maxMaeIncreaseBpm = 100
        settings.costGoal = 0.01
        settings.threads = 1
        settings.confirmEpochs = 1
        settings.confirmSplits = 1
        return settings
    }

    static func search(in directory: String, settings: SearchSettings = settings()) throws -> OperatorSearch.Outcome {
        let parent = try RewriteTests.model(width: 4)
        let data = data()
        let target = try Target.named("mcu")
        let evaluator = CandidateEvaluator(parent: parent, data: data, target: target, settings: settings)
        let other = CandidateEvaluator(parent: parent, data: data, target: target, settings: settings, split: 1)
        #expect(Set(evaluator.validationRecordings).isDisjoint(with: evaluator.trainingRecordings))
        #expect(evaluator.validationRecordings.count == 2)
        #expect(Set(other.validationRecordings).isDisjoint(with: evaluator.validationRecordings) && other.validationRecordings.count == 2)
        let workDirectory = try WorkDirectory(path: directory, settings: settings)
        return try OperatorSearch(evaluator: evaluator, otherSplits: [other], workDirectory: workDirectory, deadline: .distantFuture).run()
    }

    /// A search interrupted after any number of finished candidates (a killed process leaves exactly the files it
    /// finished, each written atomically) resumes without evaluating them again and reaches the same front.
    @Test func interruptedSearchResumesToTheSameFront() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let whole = try Self.search(in: directory.path("whole"))
        #expect(whole.evaluatedNow == whole.results.count + whole.confirmations.count && whole.reused == 0)
        let chosen = try #require(whole.chosen)
        for id in ["confirm-" + chosen.id, "confirm-v1-" + chosen.id, "confirm-" + whole.reference.id, "confirm-v1-" + whole.reference.id] {
            #expect(whole.confirmations.contains { $0.id == id }, "\(id) was run")
        }
        #expect(whole.results.count >= 4)
        #expect(whole.results.contains { $0.candidate.rewrites.count >= 1 && $0.status == .evaluated })
        #expect(whole.reference.candidate.rewrites.isEmpty)
        #expect(whole.front.allSatisfy { ($0.maeBpm ?? .infinity) <= (whole.reference.maeBpm ?? 0) + 100 })
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path("whole/candidates"))
        #expect(files.filter { $0.hasSuffix(".json") }.count == whole.results.count + whole.confirmations.count)

        let interrupted = directory.path("interrupted")
        try FileManager.default.createDirectory(atPath: interrupted + "/candidates", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: directory.path("whole/search.json"), toPath: interrupted + "/search.json")
        let kept = whole.results.prefix(3)
        for result in kept {
            for suffix in [".json", ".h5"] where FileManager.default.fileExists(atPath: directory.path("whole/candidates/\(result.id)\(suffix)")) {
                try FileManager.default.copyItem(atPath: directory.path("whole/candidates/\(result.id)\(suffix)"),
                                                 toPath: "\(interrupted)/candidates/\(result.id)\(suffix)")
            }
        }
        let resumed = try Self.search(in: interrupted)
        #expect(resumed.reused == kept.count)
        #expect(resumed.evaluatedNow == whole.results.count - kept.count + whole.confirmations.count)
        #expect(resumed.confirmations == whole.confirmations.map { var same = $0; same.evaluationSeconds = resumed.confirmations.first { $0.id == same.id }?.evaluationSeconds ?? 0; return same })
        let byID = Dictionary(uniqueKeysWithValues: whole.results.map { ($0.id, $0) })
        for result in resumed.results {
            var same = result
            same.evaluationSeconds = byID[result.id]?.evaluationSeconds ?? 0
            #expect(byID[result.id] == same, "\(result.candidate.rewrites) gives the same result when evaluated again")
        }
        #expect(resumed.front.map(\.id) == whole.front.map(\.id))
        #expect(resumed.front.map(\.maeBpm) == whole.front.map(\.maeBpm))
        #expect(resumed.chosen?.id == whole.chosen?.id)
    }

    /// A candidate whose confirmation fails on one further split (its stored result there made worse than the MAE
    /// budget allows) is neither chosen nor on the front, though it holds on the search's own split.
    @Test func aConfirmationMustHoldOnEverySplit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try Self.search(in: directory.path("first"))
        let chosen = try #require(first.chosen)
        let failing = directory.path("failing")
        try FileManager.default.copyItem(atPath: directory.path("first"), toPath: failing)
        let path = "\(failing)/candidates/confirm-v1-\(chosen.id).json"
        var failed = try JSONDecoder().decode(CandidateResult.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        let reference = try #require(first.confirmations.first { $0.candidate.rewrites.isEmpty && $0.confirmationSplit == 1 }?.maeBpm)
        failed.maeBpm = reference + Self.settings().maxMaeIncreaseBpm + 1
        try JSONEncoder().encode(failed).write(to: URL(fileURLWithPath: path))

        let outcome = try Self.search(in: failing)
        #expect(outcome.confirmations.contains { $0.id == "confirm-" + chosen.id && $0.maeBpm == first.confirmations.first { $0.id == "confirm-" + chosen.id }?.maeBpm })
        #expect(outcome.chosen?.id != chosen.id)
        #expect(!outcome.front.contains { $0.id == chosen.id })
        #expect(first.front.contains { $0.id == chosen.id })
    }

    @Test func validationSplitsTakeOtherRecordingsInTurn() {
        let data = Self.data()
        let splits = (0..<3).map { data.validationSplit(share: 0.2, seed: 4, number: $0) }
        #expect(splits.allSatisfy { $0.count == 2 })
        #expect(Set(splits[0]).isDisjoint(with: splits[1]) && Set(splits[1]).isDisjoint(with: splits[2]) && Set(splits[0]).isDisjoint(with: splits[2]))
        #expect(data.validationSplit(share: 0.2, seed: 4, number: 3) == splits[0])
        #expect(data.validationSplit(share: 0.9, seed: 4, number: 1).count == 4, "one recording of each dataset stays for training")
    }

    @Test func workDirectoriesOfSomethingElseAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("notes".utf8).write(to: URL(fileURLWithPath: directory.path("notes.txt")))
        #expect(throws: SearchError.self) { try WorkDirectory(path: directory.url.path, settings: Self.settings()) }
        _ = try WorkDirectory(path: directory.path("run"), settings: Self.settings())
        var other = Self.settings()
        other.seed = 2
        #expect(throws: SearchError.self) { try WorkDirectory(path: directory.path("run"), settings: other) }
        var longer = Self.settings()
        longer.generations = 9
        _ = try WorkDirectory(path: directory.path("run"), settings: longer)
        #expect(throws: SearchError.self) { try WorkDirectory(path: directory.path("notes.txt"), settings: Self.settings()) }
        #expect(throws: SearchError.self) { try WorkDirectory(path: "/proc/pulse-search", settings: Self.settings()) }
    }

    @Test func aTargetNoRewriteCanFitIsRefused() throws {
        let model = try RewriteTests.model(width: 4)
        var tiny = try Target.named("mcu")
        tiny.memory.sramBytes = SourcedValue(512, source: "a test")
        #expect(throws: SearchError.self) { try MemoryReachability.check(model, target: tiny) }
        try MemoryReachability.check(model, target: try Target.named("mcu"))
    }

    @Test func badSettingsAreNamed() {
        var settings = Self.settings()
        settings.population = 1
        #expect(throws: SearchError.self) { try settings.validate() }
        settings = Self.settings()
        settings.maxMaeIncreaseBpm = -1
        #expect(throws: SearchError.self) { try settings.validate() }
    }
}
