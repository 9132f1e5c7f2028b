import Foundation
import Testing
import PulseTestSupport

@Suite(.serialized) struct SearchCLITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let model = repository.appendingPathComponent("models/baseline.h5").path
    static let signals = repository.appendingPathComponent("signals").path

    /// A tiny search on the three demo recordings: 3 candidates a generation, 16 windows of fine-tuning each.
    static func arguments(workdir: String, out: String) -> [String] {
        ["search", "--model", model, "--target", "mcu", "--data", signals, "--population", "3", "--generations", "2", "--epochs", "1",
         "--windows", "16", "--final-epochs", "1", "--parent-epochs", "2", "--confirm-epochs", "1", "--max-mae-increase", "100", "--threads", "1", "--workdir", workdir, "--out", out]
    }

    static func results(_ workdir: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: workdir + "/results.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func front(_ results: [String: Any]) -> [String] {
        ((results["front"] as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "")@\($0["mae_bpm"] ?? "")" }
    }

    /// The search is killed with SIGKILL after its second candidate; run again, it evaluates nothing twice and
    /// reaches the front of a run that was never stopped.
    @Test func killedSearchResumesToTheSameFront() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let whole = try PulseProcess.run(Self.arguments(workdir: directory.path("whole"), out: directory.path("whole.h5")))
        #expect(whole.status == 0, "\(whole.standardError)")
        for file in ["whole.h5", "whole.md", "whole/results.json", "whole/front.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.path(file)), "\(file)")
        }
        let card = try String(contentsOfFile: directory.path("whole.md"), encoding: .utf8)
        #expect(card.contains("Rewrites applied") && card.contains("| stm32l4r5 |"))
        let reference = try Self.results(directory.path("whole"))
        let candidates = try #require(reference["candidates"] as? Int)

        let process = Process()
        process.executableURL = PulseProcess.productsDirectory.appendingPathComponent("pulse")
        process.arguments = Self.arguments(workdir: directory.path("killed"), out: directory.path("killed.h5"))
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while seen.components(separatedBy: "\n").filter({ $0.hasPrefix("  ") && $0.contains("BPM") }).count < 2 {
            let chunk = errors.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(!FileManager.default.fileExists(atPath: directory.path("killed/results.json")))

        let resumed = try PulseProcess.run(Self.arguments(workdir: directory.path("killed"), out: directory.path("killed.h5")))
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let after = try Self.results(directory.path("killed"))
        #expect((after["reused"] as? Int ?? 0) >= 2)
        let confirmations = (after["confirmations"] as? [Any])?.count ?? 0
        #expect((after["reused"] as? Int ?? 0) + (after["evaluated_now"] as? Int ?? 0) == candidates + confirmations)
        #expect(Self.front(after) == Self.front(reference))
        #expect(!Self.front(after).isEmpty)
    }

    @Test func badSearchesAreNamedErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var zero = Self.arguments(workdir: directory.path("w"), out: directory.path("o.h5"))
        zero += ["--budget", "0"]
        let budget = try PulseProcess.run(zero)
        #expect(budget.status != 0 && budget.standardError.contains("--budget"))
        try FileManager.default.createDirectory(atPath: directory.path("foreign"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory.path("foreign/file.txt")))
        let foreign = try PulseProcess.run(Self.arguments(workdir: directory.path("foreign"), out: directory.path("o.h5")))
        #expect(foreign.status != 0 && foreign.standardError.contains("something else"))
        #expect(FileManager.default.fileExists(atPath: directory.path("foreign/file.txt")))
        var unknown = Self.arguments(workdir: directory.path("w"), out: directory.path("o.h5"))
        unknown[unknown.firstIndex(of: "mcu") ?? 0] = "toaster"
        let target = try PulseProcess.run(unknown)
        #expect(target.status != 0 && target.standardError.contains("toaster"))
    }
}

@Suite(.serialized) struct SearchToolsCLITests {
    /// A one-generation search, then a batch evaluated into its work dir by the separate command, then the
    /// cross-validation of its model on two folds.
    @Test func candidatesEvaluateSeparatelyAndModelsCrossValidate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var arguments = SearchCLITests.arguments(workdir: directory.path("w"), out: directory.path("m.h5"))
        arguments[arguments.firstIndex(of: "--generations").map { $0 + 1 } ?? 0] = "1"
        let search = try PulseProcess.run(arguments)
        #expect(search.status == 0, "\(search.standardError)")
        let batch = #"[{"rewrites": [{"grouped": {"layer": "block1.conv1", "groups": 4}}]}, {"rewrites": [{"depthwiseSeparable": {"layer": "nowhere"}}]}]"#
        try Data(batch.utf8).write(to: URL(fileURLWithPath: directory.path("batch.json")))
        let common = ["--workdir", directory.path("w"), "--model", SearchCLITests.model, "--target", "mcu", "--data", SearchCLITests.signals]
        let evaluate = try PulseProcess.run(["search", "candidates"] + common + ["--batch", directory.path("batch.json"), "--out", directory.path("out.json")])
        #expect(evaluate.status == 0, "\(evaluate.standardError)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path("out.json")))) as? [[String: Any]])
        #expect(results.map { $0["status"] as? String } == ["evaluated", "inapplicable"])
        #expect((results[0]["mae_bpm"] as? Double ?? .nan).isFinite)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path("w/candidates"))
        #expect(files.contains("\(results[0]["id"] as? String ?? "").json"))
        let wrongTarget = try PulseProcess.run(["search", "candidates", "--workdir", directory.path("w"), "--model", SearchCLITests.model, "--target", "rpi3",
                                                "--data", SearchCLITests.signals, "--batch", directory.path("batch.json"), "--out", directory.path("o2.json")])
        #expect(wrongTarget.status != 0 && wrongTarget.standardError.contains("mcu"))

        let cv = try PulseProcess.run(["search", "cv", "--model", directory.path("m.h5"), "--data", SearchCLITests.signals, "--folds", "2",
                                       "--baseline-epochs", "1", "--epochs", "1", "--json", directory.path("cv.json"), "--update-card"])
        #expect(cv.status == 0, "\(cv.standardError)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path("cv.json")))) as? [String: Any])
        #expect((figures["searched_mae_bpm"] as? Double ?? .nan).isFinite && (figures["folds"] as? [Any])?.count == 2)
        let card = try String(contentsOfFile: directory.path("m.md"), encoding: .utf8)
        #expect(card.contains("## Cross-validation") && card.contains("fold baselines") && !card.contains("Not yet cross-validated"))
        let baseline = try PulseProcess.run(["search", "cv", "--model", SearchCLITests.model, "--data", SearchCLITests.signals, "--folds", "2"])
        #expect(baseline.status != 0 && baseline.standardError.contains("search_rewrites"))
    }
}
