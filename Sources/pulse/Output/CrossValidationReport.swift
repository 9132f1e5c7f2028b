import Foundation
import PulseModels
import PulseSignals

/// `pulse evaluate --folds`: the spectral, neural and fused estimators' cross-validated MAE, overall and per dataset
/// for every candidate, per recording for the spectral, the neural and the best fused one, and the best candidate's
/// MAE chosen without the fold it scores (nested).
struct CrossValidationReport {
    let scores: [EstimatorCrossValidation.Scores]
    let candidates: [EstimatorCrossValidation.Candidate]
    let folds: Int
    let recipes: [TrainingRecipe]

    typealias Candidate = EstimatorCrossValidation.Candidate
    typealias Column = (name: String, estimates: (EstimatorCrossValidation.Scores) -> [WindowEstimate])

    private static func name(_ candidate: Candidate) -> String {
        let tracking = candidate.tracking
        let tracker = "\(tracking.following) \(format(tracking.riseSigmaBpm, 1))/\(format(tracking.fallSigmaBpm, 1))"
        let weights = candidate.weights
        return (weights == .neuralOnly ? "neural" : "fused a=\(format(weights.neural, 2)) w=\(format(weights.spectral, 2)) h=\(format(weights.harmonic, 1))")
            + " " + tracker
    }

    private func column(_ candidate: Candidate) -> Column {
        (Self.name(candidate), { $0.fused[candidate] ?? [] })
    }

    /// Every estimator: spectral, then each candidate (neural first).
    private var columns: [Column] { [("spectral", { $0.spectral })] + candidates.map(column) }

    private func mae(_ candidate: Candidate, folds chosen: Set<Int>? = nil) -> Double {
        AccuracySummary(scores.filter { chosen?.contains($0.fold) ?? true }.flatMap { $0.fused[candidate] ?? [] }).maeBpm
    }

    /// The candidate with the lowest MAE over every window of the `chosen` folds (all by default), the first in
    /// `candidates` among equals.
    private func best(folds chosen: Set<Int>? = nil) -> Candidate? {
        candidates.reduce(nil) { best, candidate in best.map { mae(candidate, folds: chosen) < mae($0, folds: chosen) ? candidate : $0 } ?? candidate }
    }

    /// For each fold, the best candidate on the other folds, and the MAE over every window when each fold is scored with
    /// its own choice: what choosing a candidate by cross-validation is worth on recordings it did not choose on.
    private var nested: (choices: [Int: Candidate], maeBpm: Double)? {
        let numbers = Set(scores.map(\.fold))
        guard numbers.count > 1 else { return nil }
        var choices: [Int: Candidate] = [:]
        for fold in numbers { choices[fold] = best(folds: numbers.subtracting([fold])) }
        let estimates = scores.flatMap { score in choices[score.fold].map { score.fused[$0] ?? [] } ?? [] }
        return (choices, AccuracySummary(estimates).maeBpm)
    }

    private var datasets: [String] { Array(Set(scores.map(\.dataset))).sorted() }

    func table() -> String {
        var lines = ["cross-validation, \(folds) folds by recording, models \(recipes.map(\.description).joined(separator: " + ")): "
            + "MAE (BPM) on the held-out recordings", ""]
        lines.append(pad("estimator", 48) + (["all"] + datasets).map { pad($0, 10) }.joined())
        for column in columns {
            let figures = [AccuracySummary(scores.flatMap(column.estimates)).maeBpm]
                + datasets.map { name in AccuracySummary(scores.filter { $0.dataset == name }.flatMap(column.estimates)).maeBpm }
            lines.append(pad(column.name, 48) + figures.map { pad(format($0, 3), 10) }.joined())
        }
        if let best = best() {
            let shown: [Column] = [("spectral", { $0.spectral }), column(.neural)] + (best == .neural ? [] : [column(best)])
            lines.append("")
            lines.append(pad("recording (fold)", 24) + shown.map { pad($0.name, 44) }.joined())
            for score in scores {
                lines.append(pad("\(score.name) (\(score.fold))", 24)
                    + shown.map { pad(format(AccuracySummary($0.estimates(score)).maeBpm, 2), 44) }.joined())
            }
            lines.append("")
            lines.append("best: \(Self.name(best)) (MAE \(format(mae(best), 3)) BPM)")
            if let nested {
                lines.append("chosen without the fold it scores (nested): MAE \(format(nested.maeBpm, 3)) BPM; "
                    + nested.choices.keys.sorted().map { "fold \($0): \(nested.choices[$0].map(Self.name) ?? "")" }.joined(separator: "; "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() throws -> String {
        var report: [String: Any] = ["folds": folds, "recipes": recipes.map(\.description)]
        var estimators: [[String: Any]] = []
        for (position, column) in columns.enumerated() {
            var entry: [String: Any] = ["estimator": column.name, "mae_bpm": AccuracySummary(scores.flatMap(column.estimates)).maeBpm]
            if position > 0 { entry.merge(Self.fields(candidates[position - 1])) { $1 } }
            for dataset in datasets {
                entry["mae_bpm_\(dataset)"] = AccuracySummary(scores.filter { $0.dataset == dataset }.flatMap(column.estimates)).maeBpm
            }
            entry["recordings"] = scores.map { ["name": $0.name, "dataset": $0.dataset, "fold": $0.fold,
                                                "mae_bpm": AccuracySummary(column.estimates($0)).maeBpm] as [String: Any] }
            estimators.append(entry)
        }
        report["estimators"] = estimators
        if let best = best() { report["best"] = Self.fields(best).merging(["mae_bpm": mae(best)]) { $1 } }
        if let nested {
            report["nested"] = ["mae_bpm": nested.maeBpm,
                                "choices": nested.choices.keys.sorted().map { fold in
                                    (nested.choices[fold].map(Self.fields) ?? [:]).merging(["fold": fold]) { $1 } }] as [String: Any]
        }
        return try JSONText.encode(report)
    }

    private static func fields(_ candidate: Candidate) -> [String: Any] {
        ["neural_weight": candidate.weights.neural, "spectral_weight": candidate.weights.spectral, "harmonic_weight": candidate.weights.harmonic,
         "lag_windows": candidate.tracking.following.lagWindows, "rise_sigma_bpm": candidate.tracking.riseSigmaBpm,
         "fall_sigma_bpm": candidate.tracking.fallSigmaBpm]
    }
}
