import Foundation
import Testing
import PulseTestSupport

/// `pulse evaluate --folds`: each estimator's per-recording figures equal those of `pulse evaluate` run with the
/// fold's model, and bad combinations of options are refused.
@Suite struct CrossValidateCLITests {
    static func json(_ arguments: [String]) throws -> [String: Any] {
        let run = try PulseProcess.run(arguments)
        #expect(run.status == 0, "\(run.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
    }

    static func recordingMAE(_ report: [String: Any]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: ((report["recordings"] as? [[String: Any]]) ?? []).compactMap { entry in
            (entry["name"] as? String).flatMap { name in (entry["mae_bpm"] as? Double).map { (name, $0) } }
        })
    }

    /// With the baseline standing in for every fold model of a two-model ensemble (so that nothing is trained),
    /// every recording's neural, fused and spectral MAE equals `pulse evaluate`'s with the same models.
    @Test func foldsScoreEachRecordingAsEvaluateDoes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // models/baseline.h5 is a link to the bundled model: copy the file, not the link.
        let model = URL(fileURLWithPath: SearchCLITests.model).resolvingSymlinksInPath().path
        for fold in 1...2 {
            for recipe in ["30", "45-augmented"] {
                try FileManager.default.copyItem(atPath: model, toPath: directory.path("fold-\(fold)-of-2-seed-2015-epochs-\(recipe).h5"))
            }
        }
        let report = try Self.json(["evaluate", SearchCLITests.signals, "--folds", "2", "--fold-models", directory.url.path,
                                    "--recipes", "30", "45-augmented", "--neural-weights", "1", "--spectral-weights", "0.5",
                                    "--harmonic-weights", "0", "--lags", "3", "--rise-sigmas", "4", "--fall-sigmas", "3", "--json"])
        let estimators = try #require(report["estimators"] as? [[String: Any]])
        #expect(estimators.compactMap { $0["estimator"] as? String } == ["spectral", "neural causal 6.0/3.0", "fused a=1.00 w=0.50 h=0.0 lag 3 4.0/3.0"])
        #expect(report["recipes"] as? [String] == ["30", "45-augmented"])
        let nested = try #require(report["nested"] as? [String: Any])
        #expect((nested["choices"] as? [[String: Any]])?.count == 2)
        let ensemble = ["--model", SearchCLITests.model, "--model", SearchCLITests.model]
        let expected: [[String]] = [["--method", "spectral"], ["--model", SearchCLITests.model],
                                    ensemble + ["--neural-weight", "1", "--spectral-weight", "0.5", "--harmonic-weight", "0"]]
        for (estimator, options) in zip(estimators, expected) {
            let alone = Self.recordingMAE(try Self.json(["evaluate", SearchCLITests.signals, "--json"] + options))
            let folded = Self.recordingMAE(estimator)
            #expect(folded.count == 3)
            for (name, mae) in folded { #expect(abs(mae - (alone[name] ?? .nan)) < 1e-9, "\(estimator["estimator"] ?? "") on \(name)") }
        }
    }

    @Test func foldsRefuseAModelAndBadWeights() throws {
        for arguments in [["--folds", "2", "--model", SearchCLITests.model], ["--folds", "1"], ["--folds", "2", "--spectral-weights", "-1"],
                          ["--method", "spectral", "--spectral-weight", "0.5"], ["--method", "neural", "--harmonic-weight", "1"],
                          ["--method", "spectral", "--model", SearchCLITests.model],
                          ["--folds", "2", "--neural-weights", "0"], ["--model", SearchCLITests.model, "--neural-weight", "0"],
                          ["--folds", "2", "--recipes", "30-plain"], ["--folds", "2", "--recipes", "0"], ["--folds", "2", "--lags", "-1"],
                          ["--folds", "2", "--rise-sigmas", "0"], ["--method", "neural", "--model", SearchCLITests.model, "--model", SearchCLITests.model]] {
            let run = try PulseProcess.run(["evaluate", SearchCLITests.signals] + arguments)
            #expect(run.status != 0, "\(arguments)")
        }
    }
}
