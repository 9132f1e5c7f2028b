import Foundation
import PulseSearch

/// The results of a search as text and JSON.
struct SearchReport {
    let outcome: OperatorSearch.Outcome
    let evaluator: CandidateEvaluator
    /// The further validation splits of the confirmation.
    var otherSplits: [CandidateEvaluator] = []
    let settings: SearchSettings
    /// Macro-scaled baselines, when they were compared.
    var scaling: [CandidateResult] = []

    static func entry(_ result: CandidateResult) -> [String: Any] {
        var entry: [String: Any] = ["id": result.id, "status": result.status.rawValue, "rewrites": result.candidate.rewrites.map(\.description),
                                    "evaluation_seconds": result.evaluationSeconds]
        if let label = result.label { entry["label"] = label }
        if let value = result.maeBpm { entry["mae_bpm"] = value }
        if let value = result.maeBpmByDataset { entry["mae_bpm_by_dataset"] = value }
        if let value = result.seconds { entry["latency_ms"] = value * 1e3 }
        if let value = result.joules { entry["energy_mj"] = value * 1e3 }
        if let value = result.arenaBytes { entry["arena_bytes"] = value }
        if let value = result.parameterBytes { entry["parameter_bytes"] = value }
        if let value = result.multiplyAccumulates { entry["macs"] = value }
        if let value = result.parameters { entry["parameters"] = value }
        if let value = result.outputDeviation { entry["output_deviation"] = value }
        if let value = result.error { entry["error"] = value }
        return entry
    }

    func json() -> [String: Any] {
        let evaluated = outcome.results.filter { $0.status == .evaluated && !$0.candidate.rewrites.isEmpty }
        var report: [String: Any] = [
            "target": settings.target, "seed": settings.seed, "generations": outcome.generations, "stop_reason": outcome.stopReason,
            "candidates": outcome.results.count, "evaluated_now": outcome.evaluatedNow, "reused": outcome.reused,
            "search_seconds": outcome.seconds, "reference": Self.entry(outcome.reference),
            "mae_limit_bpm": (outcome.reference.maeBpm ?? .nan) + settings.maxMaeIncreaseBpm,
            "front": outcome.front.map(Self.entry), "results": outcome.results.map(Self.entry),
            "confirmations": outcome.confirmations.map(Self.entry),
            "seconds_per_candidate": evaluated.isEmpty ? Double.nan : evaluated.map(\.evaluationSeconds).reduce(0, +) / Double(evaluated.count),
            "validation_recordings": evaluator.validationRecordings.map { evaluator.data.recordings[$0].name },
            "confirmation_splits": otherSplits.map { $0.validationRecordings.map { evaluator.data.recordings[$0].name } },
        ]
        if let chosen = outcome.chosen { report["chosen"] = Self.entry(chosen) }
        if !scaling.isEmpty {
            let comparison = self.comparison
            report["scaling"] = scaling.map(Self.entry)
            report["scaling_front"] = comparison.scalingFront.map(Self.entry)
            report["search_front_points_not_dominated_by_scaling"] = comparison.searchWins
            report["scaling_front_points_not_dominated_by_search"] = comparison.scalingWins
        }
        return report
    }

    /// Both fronts (every evaluated candidate, no MAE budget) and how many points of each no point of the other
    /// dominates.
    var comparison: (searchFront: [CandidateResult], scalingFront: [CandidateResult], searchWins: Int, scalingWins: Int) {
        let searchFront = OperatorSearch.front(outcome.results, limit: .infinity)
        let scalingFront = OperatorSearch.front(scaling, limit: .infinity)
        func dominated(_ a: CandidateResult, by others: [CandidateResult]) -> Bool {
            others.contains { ParetoRanking.dominates([$0.maeBpm ?? .infinity, $0.seconds ?? .infinity], 0, [a.maeBpm ?? .infinity, a.seconds ?? .infinity], 0) }
        }
        return (searchFront, scalingFront, searchFront.filter { !dominated($0, by: scalingFront) }.count,
                scalingFront.filter { !dominated($0, by: searchFront) }.count)
    }

    func text() -> String {
        let reference = outcome.reference
        let evaluated = outcome.results.filter { $0.status == .evaluated && !$0.candidate.rewrites.isEmpty }
        let perCandidate = evaluated.isEmpty ? Double.nan : evaluated.map(\.evaluationSeconds).reduce(0, +) / Double(evaluated.count)
        var text = "search on \(settings.target): \(outcome.results.count) candidates (\(outcome.evaluatedNow) evaluated now, "
            + "\(outcome.reused) from the work dir), \(outcome.generations) generations, \(format(outcome.seconds / 60, 1)) min; "
            + "\(format(perCandidate, 1)) s per fine-tuned candidate; stopped: \(outcome.stopReason)\n"
        text += "model (fine-tuned like the candidates): validation MAE \(format(reference.maeBpm ?? .nan, 2)) BPM, "
            + "\(format((reference.seconds ?? .nan) * 1e3, 3)) ms per window (modelled)\n"
        if !outcome.confirmations.isEmpty {
            text += "confirmations (\(settings.confirmEpochs) epochs on every training window of the split):\n"
        }
        for confirmation in outcome.confirmations {
            text += "  \(confirmation.label ?? confirmation.id): MAE \(format(confirmation.maeBpm ?? .nan, 2)) BPM\n"
        }
        text += "front (MAE within \(format(settings.maxMaeIncreaseBpm, 2)) BPM of the model's, confirmations failed left out):\n"
        for result in outcome.front {
            let ratio = (reference.seconds ?? .nan) / (result.seconds ?? .nan)
            text += "  \(format(result.maeBpm ?? .nan, 2)) BPM  \(format((result.seconds ?? .nan) * 1e3, 3)) ms  (\(format(ratio, 2))x)  "
                + (result.candidate.rewrites.isEmpty ? "the model" : result.candidate.rewrites.map(\.description).joined(separator: "; ")) + "\n"
        }
        let failed = outcome.results.filter { $0.status == .failed }
        if !failed.isEmpty {
            text += "failed on the executor in every attempt (left out of the search):\n"
            for result in failed {
                text += "  \(result.id): \(result.error ?? "no reason recorded")\n"
            }
        }
        if !scaling.isEmpty {
            let comparison = self.comparison
            text += "macro scaling of the model, fine-tuned the same way (MAE BPM, latency ms, speed-up):\n"
            for result in scaling.sorted(by: { ($0.seconds ?? 0) < ($1.seconds ?? 0) }) {
                text += "  \(result.label ?? result.id): \(format(result.maeBpm ?? .nan, 2))  \(format((result.seconds ?? .nan) * 1e3, 3))  "
                    + "\(format((reference.seconds ?? .nan) / (result.seconds ?? .nan), 2))x\n"
            }
            text += "search front points no scaled model dominates: \(comparison.searchWins) of \(comparison.searchFront.count); "
                + "scaling front points no searched candidate dominates: \(comparison.scalingWins) of \(comparison.scalingFront.count)\n"
        }
        return text
    }
}
