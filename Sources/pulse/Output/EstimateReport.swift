import Foundation
import PulseSignals

/// Per-window output of `pulse estimate` as a table, CSV or JSON.
enum EstimateReport {
    static func table(_ results: [(Recording, [WindowEstimate])]) -> String {
        var out = ""
        for (recording, estimates) in results {
            out += "\(recording.name)\n"
            out += pad("t_s", 8) + pad("hr_bpm", 9) + pad("conf", 7) + pad("ref_bpm", 9) + pad("err_bpm", 9) + "\n"
            for e in estimates {
                out += pad(format(e.endSeconds, 1), 8) + pad(e.bpm.map { format($0, 1) } ?? "invalid", 9)
                    + pad(format(e.confidence, 2), 7) + pad(e.referenceBpm.map { format($0, 1) } ?? "-", 9)
                    + pad(e.absoluteErrorBpm.map { format($0, 1) } ?? "-", 9) + "\n"
            }
            let summary = AccuracySummary(estimates)
            if summary.scoredWindows > 0 {
                out += "MAE \(format(summary.maeBpm, 2)) BPM over \(summary.scoredWindows) windows"
                    + (summary.invalidWindows > 0 ? ", \(summary.invalidWindows) invalid" : "") + "\n"
            }
            out += "\n"
        }
        return out
    }

    static func csv(_ results: [(Recording, [WindowEstimate])]) -> String {
        var out = "recording,window,t_s,hr_bpm,confidence,ref_bpm,error_bpm\n"
        for (recording, estimates) in results {
            for e in estimates {
                out += [csvField(recording.name), String(e.index), format(e.endSeconds, 3), e.bpm.map { format($0, 3) } ?? "",
                        format(e.confidence, 4), e.referenceBpm.map { format($0, 3) } ?? "",
                        e.absoluteErrorBpm.map { format($0, 3) } ?? ""].joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// `text` as one CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func json(_ results: [(Recording, [WindowEstimate])], method: String) throws -> String {
        let recordings = results.map { recording, estimates -> [String: Any] in
            var entry: [String: Any] = ["name": recording.name, "windows": estimates.map(windowObject)]
            let summary = AccuracySummary(estimates)
            if summary.scoredWindows > 0 { entry["mae_bpm"] = summary.maeBpm }
            return entry
        }
        return try JSONText.encode(["method": method, "recordings": recordings])
    }

    static func windowObject(_ e: WindowEstimate) -> [String: Any] {
        var window: [String: Any] = [
            "index": e.index, "t_s": e.endSeconds, "confidence": e.confidence, "valid": e.isValid,
            "hr_bpm": e.bpm ?? NSNull(),
        ]
        if let reference = e.referenceBpm { window["ref_bpm"] = reference }
        if let error = e.absoluteErrorBpm { window["error_bpm"] = error }
        return window
    }
}
