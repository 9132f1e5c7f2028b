import Foundation
import PulseModels
import PulseSignals

/// `pulse evaluate --folds`: the spectral, neural and fused estimators' cross-validated MAE, overall, per dataset and
/// per recording.
struct CrossValidationReport {
    let scores: [EstimatorCrossValidation.Scores]
    let folds: Int

    /// The spectral weights tried, 0 (neural) first.
    var weights: [Double] { (scores.first?.fused.keys).map { Array($0).sorted() } ?? [] }

    /// The estimators as columns: spectral, then each weight.
    private var columns: [(name: String, estimates: (EstimatorCrossValidation.Scores) -> [WindowEstimate])] {
        [("spectral", { $0.spectral })] + weights.map { weight in
            (weight == 0 ? "neural" : "fused \(format(weight, 2))", { $0.fused[weight] ?? [] })
        }
    }

    /// The weight with the lowest MAE over every window (ties to the smaller weight).
    var bestWeight: Double? {
        weights.min { mae(of: $0, in: scores) < mae(of: $1, in: scores) || (mae(of: $0, in: scores) == mae(of: $1, in: scores) && $0 < $1) }
    }

    private func mae(of weight: Double, in members: [EstimatorCrossValidation.Scores]) -> Double {
        AccuracySummary(members.flatMap { $0.fused[weight] ?? [] }).maeBpm
    }

    private var datasets: [String] { Array(Set(scores.map(\.dataset))).sorted() }

    func table() -> String {
        let columns = self.columns
        var lines = ["cross-validation, \(folds) folds by recording: MAE (BPM) with the tracker on the held-out recordings", ""]
        lines.append(pad("", 22) + columns.map { pad($0.name, 12) }.joined())
        let groups: [(String, [EstimatorCrossValidation.Scores])] = [("all", scores)] + datasets.map { name in (name, scores.filter { $0.dataset == name }) }
        for (name, members) in groups {
            lines.append(pad(name, 22) + columns.map { column in pad(format(AccuracySummary(members.flatMap(column.estimates)).maeBpm, 2), 12) }.joined())
        }
        lines.append("")
        lines.append(pad("recording (fold)", 22) + columns.map { pad($0.name, 12) }.joined())
        for score in scores {
            lines.append(pad("\(score.name) (\(score.fold))", 22)
                + columns.map { column in pad(format(AccuracySummary(column.estimates(score)).maeBpm, 2), 12) }.joined())
        }
        if let best = bestWeight {
            lines.append("")
            lines.append("best spectral weight: \(format(best, 2)) (MAE \(format(mae(of: best, in: scores), 2)) BPM)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() throws -> String {
        var report: [String: Any] = ["folds": folds, "spectral_weights": weights]
        var estimators: [[String: Any]] = []
        for column in columns {
            var entry: [String: Any] = ["estimator": column.name, "mae_bpm": AccuracySummary(scores.flatMap(column.estimates)).maeBpm]
            for dataset in datasets {
                entry["mae_bpm_\(dataset)"] = AccuracySummary(scores.filter { $0.dataset == dataset }.flatMap(column.estimates)).maeBpm
            }
            entry["recordings"] = scores.map { ["name": $0.name, "dataset": $0.dataset, "fold": $0.fold,
                                                "mae_bpm": AccuracySummary(column.estimates($0)).maeBpm] as [String: Any] }
            estimators.append(entry)
        }
        report["estimators"] = estimators
        if let best = bestWeight { report["best_spectral_weight"] = best }
        return try JSONText.encode(report)
    }
}
