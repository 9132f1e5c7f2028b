import Foundation
import PulseModels
import PulseSignals

/// `pulse evaluate --folds`: the spectral, neural and fused estimators' cross-validated MAE, overall and per dataset
/// for every estimator, and per recording for the spectral, the neural and the best fused one.
struct CrossValidationReport {
    let scores: [EstimatorCrossValidation.Scores]
    let weights: [FusedEstimator.Weights]
    let folds: Int

    typealias Column = (name: String, estimates: (EstimatorCrossValidation.Scores) -> [WindowEstimate])

    private static func name(_ weights: FusedEstimator.Weights) -> String {
        weights == .neuralOnly ? "neural" : "fused a=\(format(weights.neural, 2)) w=\(format(weights.spectral, 2)) h=\(format(weights.harmonic, 1))"
    }

    private func column(_ weights: FusedEstimator.Weights) -> Column {
        (Self.name(weights), { $0.fused[weights] ?? [] })
    }

    /// Every estimator: spectral, then each combination of weights (neural first).
    private var columns: [Column] { [("spectral", { $0.spectral })] + weights.map(column) }

    private func mae(_ weights: FusedEstimator.Weights) -> Double { AccuracySummary(scores.flatMap { $0.fused[weights] ?? [] }).maeBpm }

    /// The weights with the lowest MAE over every window (the first in `weights` among equals).
    var best: FusedEstimator.Weights? {
        weights.reduce(nil) { best, candidate in best.map { mae(candidate) < mae($0) ? candidate : $0 } ?? candidate }
    }

    private var datasets: [String] { Array(Set(scores.map(\.dataset))).sorted() }

    func table() -> String {
        var lines = ["cross-validation, \(folds) folds by recording: MAE (BPM) with the tracker on the held-out recordings", ""]
        lines.append(pad("estimator", 32) + (["all"] + datasets).map { pad($0, 10) }.joined())
        for column in columns {
            let figures = [AccuracySummary(scores.flatMap(column.estimates)).maeBpm]
                + datasets.map { name in AccuracySummary(scores.filter { $0.dataset == name }.flatMap(column.estimates)).maeBpm }
            lines.append(pad(column.name, 32) + figures.map { pad(format($0, 2), 10) }.joined())
        }
        if let best {
            let shown: [Column] = [("spectral", { $0.spectral }), column(.neuralOnly)] + (best == .neuralOnly ? [] : [column(best)])
            lines.append("")
            lines.append(pad("recording (fold)", 24) + shown.map { pad($0.name, 28) }.joined())
            for score in scores {
                lines.append(pad("\(score.name) (\(score.fold))", 24)
                    + shown.map { pad(format(AccuracySummary($0.estimates(score)).maeBpm, 2), 28) }.joined())
            }
            lines.append("")
            lines.append("best: \(Self.name(best)) (MAE \(format(mae(best), 2)) BPM)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() throws -> String {
        var report: [String: Any] = ["folds": folds]
        var estimators: [[String: Any]] = []
        for (position, column) in columns.enumerated() {
            var entry: [String: Any] = ["estimator": column.name, "mae_bpm": AccuracySummary(scores.flatMap(column.estimates)).maeBpm]
            if position > 0 {
                entry["neural_weight"] = weights[position - 1].neural
                entry["spectral_weight"] = weights[position - 1].spectral
                entry["harmonic_weight"] = weights[position - 1].harmonic
            }
            for dataset in datasets {
                entry["mae_bpm_\(dataset)"] = AccuracySummary(scores.filter { $0.dataset == dataset }.flatMap(column.estimates)).maeBpm
            }
            entry["recordings"] = scores.map { ["name": $0.name, "dataset": $0.dataset, "fold": $0.fold,
                                                "mae_bpm": AccuracySummary(column.estimates($0)).maeBpm] as [String: Any] }
            estimators.append(entry)
        }
        report["estimators"] = estimators
        if let best {
            report["best"] = ["neural_weight": best.neural, "spectral_weight": best.spectral, "harmonic_weight": best.harmonic, "mae_bpm": mae(best)]
        }
        return try JSONText.encode(report)
    }
}
