import PulseSignals

/// Per-recording and overall accuracy, as printed by `pulse evaluate`.
struct EvaluationReport {
    struct Row {
        var name: String
        var estimates: [WindowEstimate]
        var summary: AccuracySummary { AccuracySummary(estimates) }
    }

    var method: String
    var rows: [Row]
    /// Time spent inside the estimator (reading files excluded), in seconds.
    var estimatorSeconds: Double

    var overall: AccuracySummary { AccuracySummary(rows.flatMap(\.estimates)) }
    var windowCount: Int { rows.reduce(0) { $0 + $1.estimates.count } }
    var windowsPerSecond: Double { estimatorSeconds > 0 ? Double(windowCount) / estimatorSeconds : .infinity }

    func table() -> String {
        var out = pad("recording", 18) + pad("windows", 9) + pad("invalid", 9) + pad("MAE", 8) + pad("RMSE", 8)
            + pad("<=5", 7) + pad("<=10", 7) + "\n"
        let line = { (name: String, windows: Int, s: AccuracySummary) in
            pad(name, 18) + pad(String(windows), 9) + pad(String(s.invalidWindows), 9) + pad(format(s.maeBpm, 2), 8)
                + pad(format(s.rmseBpm, 2), 8) + pad(percent(s.within5Bpm), 7) + pad(percent(s.within10Bpm), 7) + "\n"
        }
        for row in rows { out += line(row.name, row.estimates.count, row.summary) }
        out += line("overall", windowCount, overall)
        out += "method \(method): \(windowCount) windows in \(format(estimatorSeconds, 3)) s, "
            + "\(format(windowsPerSecond, 0)) windows/s (estimator only)\n"
        return out
    }

    func json() throws -> String {
        let overall = self.overall
        let recordings: [[String: Any]] = rows.map { row in
            let s = row.summary
            return ["name": row.name, "mae_bpm": s.maeBpm, "rmse_bpm": s.rmseBpm, "windows": row.estimates.count,
                    "scored_windows": s.scoredWindows, "invalid_windows": s.invalidWindows,
                    "within_5_bpm": s.within5Bpm, "within_10_bpm": s.within10Bpm]
        }
        return try JSONText.encode([
            "method": method, "mae_bpm": overall.maeBpm, "rmse_bpm": overall.rmseBpm, "windows": windowCount,
            "scored_windows": overall.scoredWindows, "invalid_windows": overall.invalidWindows,
            "within_5_bpm": overall.within5Bpm, "within_10_bpm": overall.within10Bpm,
            "windows_per_second": windowsPerSecond, "estimator_seconds": estimatorSeconds, "recordings": recordings,
        ])
    }

    private func percent(_ share: Double) -> String { share.isFinite ? format(100 * share, 1) + "%" : "-" }
}
