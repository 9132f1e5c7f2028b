import Foundation
import PulseTestSupport
import Testing

/// `pulse profile`: a model costed on the shipped targets; bad targets, target files and oversized models named.
@Suite struct ProfileCLITests {
    static let baseline = BenchCLITests.baseline

    @Test func theBaselineProfilesOnEveryTarget() throws {
        let run = try PulseProcess.run(["profile", "--model", Self.baseline, "--target", "all", "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let profiles = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]])
        #expect(profiles.count == 7)
        for profile in profiles {
            let seconds = try #require(profile["seconds"] as? Double)
            #expect(seconds > 0 && seconds < 1)
            #expect(profile["fits"] as? Bool == true)
            let layers = try #require(profile["layers"] as? [[String: Any]])
            let total = layers.compactMap { $0["seconds"] as? Double }.reduce(0, +)
            #expect(total <= seconds * (1 + 1e-9) && total > 0.5 * seconds)
        }
    }

    @Test func theChartIsWritten() throws {
        let folder = try TemporaryDirectory()
        let plot = folder.path("profile.svg")
        let run = try PulseProcess.run(["profile", "--network", "ds-cnn", "--target", "stm32l4r5", "--plot", plot])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("pw4"))
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("pw4"))
    }

    @Test func anUnknownTargetIsNamed() throws {
        let run = try PulseProcess.run(["profile", "--model", Self.baseline, "--target", "cray1"])
        #expect(run.status != 0)
        #expect(run.standardError.contains("cray1"))
    }

    @Test func aTargetFileWithAMissingOrBadFieldIsNamed() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("target.json")
        let show = try PulseProcess.run(["profile", "--fit", "--target", "stm32l4r5", "--out", path])
        #expect(show.status == 0, "\(show.standardError)")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        object["clock_hz"] = ["value": -64e6, "source": "typo"]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        let negative = try PulseProcess.run(["profile", "--model", Self.baseline, "--target-file", path])
        #expect(negative.status != 0)
        #expect(negative.standardError.contains("clock_hz"))
        object["clock_hz"] = nil
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        let missing = try PulseProcess.run(["profile", "--model", Self.baseline, "--target-file", path])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("clock_hz") && missing.standardError.contains("missing"))
    }

    @Test func aModelOverTheTargetsLimitsIsAnErrorAfterItsReport() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("wide.param")
        let param = """
            7767517
            2 2
            Input data 0 1 data 0=64 1=64 2=3
            InnerProduct fc 1 1 data fc 0=1000 1=1 2=12288000
            """
        try param.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try PulseProcess.run(["profile", "--ncnn-param", path, "--target", "mcu"])
        #expect(run.status != 0)
        #expect(run.standardOutput.contains("fc"))
        #expect(run.standardError.contains("does not fit mcu") && run.standardError.contains("flash"), "\(run.standardError)")
    }
}
