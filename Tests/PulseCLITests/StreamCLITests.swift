import Foundation
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct StreamCLITests {
    static let signals = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("signals")

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    /// `pulse stream --replay` gives the windows and numbers of `pulse estimate --method spectral --causal` (the stream
    /// runs the spectral tracker).
    @Test func replayEqualsEstimateCausal() throws {
        let path = Self.signals.appendingPathComponent("mixed.h5").path
        let stream = try PulseProcess.run(["stream", "--replay", path, "--speed", "max", "--format", "jsonl"])
        #expect(stream.status == 0, "\(stream.standardError)")
        let lines = try Self.jsonLines(stream.standardOutput)
        let estimate = try PulseProcess.run(["estimate", path, "--method", "spectral", "--causal", "--format", "json"])
        let recordings = try #require(try estimate.json()["recordings"] as? [[String: Any]])
        let windows = try #require(recordings.first?["windows"] as? [[String: Any]])
        #expect(lines.count == windows.count && lines.count == 147)
        for (line, window) in zip(lines, windows) {
            #expect(line["t_s"] as? Double == window["t_s"] as? Double)
            let difference = abs((line["hr_bpm"] as? Double ?? .nan) - (window["hr_bpm"] as? Double ?? .nan))
            #expect(difference < 0.01, "window at \(window["t_s"] ?? "?")")
            #expect(line["ref_bpm"] as? Double == window["ref_bpm"] as? Double)
            #expect(line["flags"] is [String] && line["latency_ms"] is Double && line["confidence"] is Double)
        }
        #expect(stream.standardError.contains("latency median") && stream.standardError.contains("resident memory"))
    }

    @Test func simulatedStreamWritesASummary() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let summaryPath = directory.path("summary.json")
        let result = try PulseProcess.run(["stream", "--simulate", "--duration", "60", "--activity", "walk", "--speed", "max",
                                           "--dropouts", "--seed", "4", "--invalid", "hold", "--json", summaryPath])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").count == 27)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summaryPath))) as? [String: Any])
        #expect(summary["windows"] as? Int == 27 && (summary["held"] as? Int ?? 0) > 0)
        #expect(summary["mae_bpm"] is Double && summary["signal_s"] as? Double == 60)
        let flags = try #require(summary["flags"] as? [String: Int])
        #expect((flags["nan"] ?? 0) > 0 && flags["held"] == summary["held"] as? Int)
        #expect(summary["latency_ms"] is [String: Double] && summary["rss_bytes"] is [String: Int])
    }

    /// CSV lines from a device: a header, an empty field, a malformed line and a line out of order.
    @Test func stdinReportsMalformedLinesByNumberAndGoesOn() throws {
        var lines = ["time,ppg,ax,ay,az"]
        for i in 0..<(25 * 30) {
            let t = Double(i) / 25
            let ppg = 1000 + 40 * sin(2 * .pi * 1.3 * t)
            let motion = 0.01 * sin(2 * .pi * 0.7 * t + 1)
            lines.append(String(format: "%.4f,%.3f,%.4f,%.4f,%.4f", t, ppg, motion, 0.1 + motion, 0.98))
        }
        lines[100] = "3.96,not-a-number,0,0,1"
        lines[200] = "7.96,1000,0,0"
        lines[300] = lines[299]
        lines[400] = "15.96,,0.01,0.1,0.98"
        let result = try PulseProcess.run(["stream", "--stdin", "--format", "jsonl"], input: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("line 101, column 2: 'not-a-number' is not a number"))
        #expect(result.standardError.contains("line 201: 4 fields, expected 5"))
        let estimates = try Self.jsonLines(result.standardOutput)
        #expect(estimates.count == 12)
        #expect(estimates.allSatisfy { $0["ref_bpm"] == nil })
        let valid = estimates.compactMap { $0["hr_bpm"] as? Double }
        #expect(!valid.isEmpty && valid.allSatisfy { abs($0 - 78) < 2 })
        let flagged = estimates.filter { ($0["flags"] as? [String] ?? []).contains("nan") }
        #expect(!flagged.isEmpty && flagged.allSatisfy { $0["hr_bpm"] is NSNull })
        #expect(estimates.contains { ($0["flags"] as? [String] ?? []).contains("disordered") })

        let strict = try PulseProcess.run(["stream", "--stdin", "--strict"], input: lines.joined(separator: "\n"))
        #expect(strict.status != 0 && strict.standardError.contains("line 101"))
    }

    @Test func refusesAmbiguousOrMissingSources() throws {
        let none = try PulseProcess.run(["stream"])
        #expect(none.status != 0 && none.standardError.contains("exactly one source"))
        let two = try PulseProcess.run(["stream", "--simulate", "--stdin"])
        #expect(two.status != 0)
        let badSpeed = try PulseProcess.run(["stream", "--simulate", "--speed", "fast"])
        #expect(badSpeed.status != 0)
        let missing = try PulseProcess.run(["stream", "--replay", "/nonexistent/file.h5"])
        #expect(missing.status != 0 && missing.standardError.contains("/nonexistent/file.h5"))
        let empty = try PulseProcess.run(["stream", "--stdin"], input: "")
        #expect(empty.status != 0 && empty.standardError.contains("no data lines"))
        let columns = try PulseProcess.run(["stream", "--stdin", "--ppg-columns", "9223372036854775807"], input: "0,1,0,0,1\n0.01,2,0,0,1\n")
        #expect(columns.status == 1 && columns.standardError.contains("the first lines have 5 fields"))
        let slowSpeed = try PulseProcess.run(["stream", "--simulate", "--speed", "1e-300"])
        #expect(slowSpeed.status != 0)
        let folder = try PulseProcess.run(["stream", "--simulate", "--duration", "20", "--speed", "max", "--json", "/tmp"])
        #expect(folder.status != 0 && folder.standardError.contains("it is a folder") && folder.standardOutput.isEmpty)
    }
}
