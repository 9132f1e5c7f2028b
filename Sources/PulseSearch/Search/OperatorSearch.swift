import Foundation
import PulseGraph
import PulseModels

/// Grassroots operator search (after Benmeziane et al. 2023) over one model and target:
///
/// 1. cost every operator of the parent on the target and rank them, costliest first;
/// 2. generation 0: the parent itself (fine-tuned like every candidate: the MAE reference) and every rewrite of the
///    costliest operator, then of its neighbours in the ranking, up to the population;
/// 3. each candidate is fine-tuned with distillation, scored and costed (`CandidateEvaluator`) and written to the
///    work dir at once;
/// 4. later generations: up to half the population is GOS's next step from the cheapest candidate within the MAE
///    budget not yet expanded (every rewrite of its costliest operator it leaves alone); the rest comes from NSGA-II
///    over (validation MAE, target latency) with constraint domination (MAE within the budget, memory within the
///    target's limits), binary tournaments, crossover (one parent's rewrites plus the other's on layers it leaves
///    alone) and mutation; the main mutation deepens a candidate with a rewrite of its own costliest operator not
///    yet rewritten, others change or drop one rewrite;
/// 5. stop when a candidate within the budget reaches the cost goal and its confirmation holds, the generations are
///    done, or time is up. The confirmation is a longer fine-tuning with another seed, on the search's validation split
///    and on further splits of other recordings, each from its own parent; on every split the candidate must stay
///    within the MAE budget of that split's parent confirmed the same way.
///
/// Candidates found in the work dir are not evaluated again; the sequence of candidates depends only on the seed and
/// the results, so a resumed search follows the same path as one never stopped.
public struct OperatorSearch {
    /// What the search tells its caller as it goes.
    public struct Progress: Sendable {
        /// The generation under way (from 0) and the most there will be.
        public var generation: Int
        public var generations: Int
        /// Candidates evaluated in this run, and found evaluated in the work dir.
        public var evaluated: Int
        public var reused: Int
        /// Candidates evaluated per minute of this run, and the seconds left of the budget.
        public var candidatesPerMinute: Double
        public var secondsLeft: Double
        /// The current front: (MAE, seconds) of the non-dominated candidates within the budget.
        public var front: [(maeBpm: Double, seconds: Double)]
        /// The candidate just finished.
        public var lastResult: CandidateResult?
    }

    /// How the search ended.
    public struct Outcome: Sendable {
        /// Every candidate of the run, in the order it was made.
        public var results: [CandidateResult]
        /// The fine-tuned parent: the MAE and cost reference.
        public var reference: CandidateResult
        /// The non-dominated candidates within the MAE budget and memory limits, by cost.
        public var front: [CandidateResult]
        /// The cheapest candidate within the budget whose confirmation held (or, without confirmation, the cheapest).
        public var chosen: CandidateResult?
        /// The confirmations run, in the order they were run: each split's reference (the parent) and candidates.
        public var confirmations: [CandidateResult]
        /// Generations run, and why the search stopped.
        public var generations: Int
        public var stopReason: String
        /// Candidates evaluated in this run, found in the work dir, and the run's wall time.
        public var evaluatedNow: Int
        public var reused: Int
        public var seconds: Double
    }

    /// What evaluates each candidate.
    public let evaluator: CandidateEvaluator
    /// Where the candidates of each generation are evaluated (confirmations run here).
    public let executor: CandidateExecutor
    /// Evaluators of the further validation splits a confirmation must hold on (`SearchSettings.confirmSplits`).
    public let otherSplits: [CandidateEvaluator]
    /// Where every result goes.
    public let workDirectory: WorkDirectory
    /// When the time budget ends.
    public let deadline: Date

    /// A search with `evaluator`, confirming also on `otherSplits`, evaluating each generation on `executor` (by
    /// default here, with `evaluator`), recording into `workDirectory`, evaluating nothing new after `deadline`.
    public init(evaluator: CandidateEvaluator, otherSplits: [CandidateEvaluator] = [], executor: CandidateExecutor? = nil,
                workDirectory: WorkDirectory, deadline: Date) {
        self.evaluator = evaluator
        self.executor = executor ?? LocalExecutor(evaluator: evaluator)
        self.otherSplits = otherSplits
        self.workDirectory = workDirectory
        self.deadline = deadline
    }

    var settings: SearchSettings { evaluator.settings }

    /// The MAE a candidate may have, given the reference's.
    func maeLimit(_ reference: CandidateResult) -> Double { (reference.maeBpm ?? .infinity) + settings.maxMaeIncreaseBpm }

    func violation(_ result: CandidateResult, limit: Double) -> Double {
        guard result.status == .evaluated, let mae = result.maeBpm, mae.isFinite else { return .infinity }
        return max(0, mae - limit)
    }

    /// Runs the search.
    /// - Throws: `SearchError.unreachable` when no rewrite applies to any operator of the model;
    ///   errors of evaluation and of writing the work dir.
    public func run(progress: (Progress) -> Void = { _ in }) throws -> Outcome {
        let started = Date()
        var generator = SeededGenerator(seed: settings.seed)
        var archive: [String: CandidateResult] = [:]
        var order: [String] = []
        var (evaluatedNow, reused) = (0, 0)
        var timeUp = false
        var generation = 0
        var expanded = Set<String>()
        var confirmations: [String: CandidateResult] = [:]
        var confirmationOrder: [String] = []
        var confirmationHeld: [String: Bool] = [:]

        func report(_ result: CandidateResult) {
            let minutes = Date().timeIntervalSince(started) / 60
            progress(Progress(generation: generation, generations: settings.generations, evaluated: evaluatedNow, reused: reused,
                              candidatesPerMinute: minutes > 0 ? Double(evaluatedNow) / minutes : 0,
                              secondsLeft: max(0, deadline.timeIntervalSinceNow), front: currentFront().map { ($0.maeBpm ?? 0, $0.seconds ?? 0) },
                              lastResult: result))
        }
        /// Evaluates the candidates of `batch` that have no result yet (the executor gets the batch less the archived
        /// ones, the same list in a resumed search, and skips those in the work dir), then archives the batch's results
        /// in its order, so that the order never depends on which results a resumed search found. Sets `timeUp` at the
        /// first candidate left without a result.
        func evaluate(_ batch: [Candidate]) throws {
            var seen = Set<String>()
            let pending = batch.filter { archive[$0.id] == nil && seen.insert($0.id).inserted }
            var fresh = Set<String>()
            let missing = pending.filter { !workDirectory.hasResult(of: $0) }
            if !missing.isEmpty && Date() < deadline {
                try executor.evaluate(pending, into: workDirectory, deadline: deadline) { result in
                    fresh.insert(result.id)
                    evaluatedNow += 1
                    report(result)
                }
            }
            for candidate in pending {
                guard let result = workDirectory.result(candidate.id), result.candidate == candidate else {
                    timeUp = true
                    return
                }
                archive[candidate.id] = result
                order.append(candidate.id)
                if !fresh.contains(candidate.id) {
                    reused += 1
                    report(result)
                }
            }
        }
        func currentFront() -> [CandidateResult] {
            guard let reference = archive[Candidate(rewrites: []).id] else { return [] }
            return Self.front(order.compactMap { archive[$0] }, limit: maeLimit(reference))
        }

        /// The confirmation of `candidate` on `split`'s evaluator, from the work dir or run now; nil when time is up.
        func confirmation(of candidate: Candidate, on split: CandidateEvaluator) throws -> CandidateResult? {
            let id = split.confirmationID(of: candidate)
            if let known = confirmations[id] { return known }
            let confirmation: CandidateResult
            if let stored = workDirectory.result(id), stored.candidate == candidate {
                confirmation = stored
                reused += 1
            } else {
                guard Date() < deadline else {
                    timeUp = true
                    return nil
                }
                confirmation = try split.confirm(candidate)
                try workDirectory.record(confirmation, model: nil)
                evaluatedNow += 1
            }
            confirmations[id] = confirmation
            confirmationOrder.append(id)
            progress(Progress(generation: generation, generations: settings.generations, evaluated: evaluatedNow, reused: reused,
                              candidatesPerMinute: 0, secondsLeft: max(0, deadline.timeIntervalSinceNow),
                              front: currentFront().map { ($0.maeBpm ?? 0, $0.seconds ?? 0) }, lastResult: confirmation))
            return confirmation
        }

        /// Whether `result`'s confirmation holds on every split (stopping at the first where it does not); nil when
        /// time is up.
        func confirm(_ result: CandidateResult) throws -> Bool? {
            if let known = confirmationHeld[result.id] { return known }
            var held = true
            for split in [evaluator] + otherSplits {
                guard let reference = try confirmation(of: Candidate(rewrites: []), on: split),
                      let confirmed = try confirmation(of: result.candidate, on: split) else { return nil }
                if (confirmed.maeBpm ?? .infinity) > (reference.maeBpm ?? .infinity) + settings.maxMaeIncreaseBpm {
                    held = false
                    break
                }
            }
            confirmationHeld[result.id] = held
            return held
        }

        let parent = evaluator.parent
        try evaluate([Candidate(rewrites: [])])
        guard let reference = archive[Candidate(rewrites: []).id] else {
            throw SearchError.setting("--budget", reason: "ran out before the parent model was evaluated")
        }
        let limit = maeLimit(reference)
        let parentSeconds = reference.seconds ?? .infinity
        let ranking = OperatorCosts(graph: parent.graph, target: evaluator.target).ranking
        var firstGeneration: [Candidate] = []
        for entry in ranking where firstGeneration.count < settings.population - 1 {
            for rewrite in RewriteMenu.options(for: entry.layer, in: parent) where firstGeneration.count < settings.population - 1 {
                firstGeneration.append(Candidate(rewrites: [rewrite]))
            }
        }
        guard !firstGeneration.isEmpty else {
            throw SearchError.unreachable(target: evaluator.target.name, reason: "no rewrite applies to any operator of the model")
        }
        /// A candidate's MAE: its search score, or infinity once its confirmation failed.
        func effectiveMae(_ result: CandidateResult) -> Double {
            confirmationHeld[result.id] == false ? .infinity : result.maeBpm ?? .infinity
        }
        /// The cheapest candidates within `costLimit` and the MAE budget, confirmed cheapest first (at most three new
        /// confirmations a call): the first whose confirmation holds, if any.
        func confirmedCandidate(costLimit: Double) throws -> CandidateResult? {
            let meeting = order.compactMap { archive[$0] }
                .filter { $0.status == .evaluated && !$0.candidate.rewrites.isEmpty && effectiveMae($0) <= limit && ($0.seconds ?? .infinity) <= costLimit }
                .sorted { ($0.seconds ?? .infinity, $0.id) < ($1.seconds ?? .infinity, $1.id) }
            guard settings.confirmEpochs > 0 else { return meeting.first }
            var fresh = 0
            for result in meeting {
                if confirmationHeld[result.id] == nil {
                    guard fresh < 3 else { break }
                    fresh += 1
                }
                guard let held = try confirm(result) else { return nil }
                if held { return result }
            }
            return nil
        }
        func goalReached() throws -> Bool { try confirmedCandidate(costLimit: settings.costGoal * parentSeconds) != nil }
        var stopReason = "all \(settings.generations) generations done"
        try evaluate(firstGeneration)
        generation = 1
        while generation < settings.generations {
            if timeUp { stopReason = "time budget spent"; break }
            if try goalReached() { stopReason = "cost goal reached (\(String(format: "%.3f", settings.costGoal)) of the parent)"; break }
            let pool = order.compactMap { archive[$0] }.filter { $0.status == .evaluated }
            let points = pool.map { [effectiveMae($0), $0.seconds ?? .infinity] }
            let violations = pool.map { violation($0, limit: limit) }
            let selected = ParetoRanking.select(settings.population, points, violations: violations)
            let fronts = ParetoRanking.fronts(selected.map { points[$0] }, violations: selected.map { violations[$0] })
            var rank: [Int: Int] = [:]
            for (number, front) in fronts.enumerated() { for member in front { rank[selected[member]] = number } }
            func tournament() -> CandidateResult {
                let a = selected[Int.random(in: 0..<selected.count, using: &generator)]
                let b = selected[Int.random(in: 0..<selected.count, using: &generator)]
                return pool[(rank[a] ?? 0, a) <= (rank[b] ?? 0, b) ? a : b]
            }
            var offspring: [Candidate] = []
            if let cheapest = pool.filter({ effectiveMae($0) <= limit && !expanded.contains($0.id) })
                .min(by: { ($0.seconds ?? .infinity, $0.id) < ($1.seconds ?? .infinity, $1.id) }) {
                expanded.insert(cheapest.id)
                for child in nextOperatorRewrites(of: cheapest.candidate) where offspring.count < settings.population / 2 {
                    if archive[child.id] == nil && !offspring.contains(child) { offspring.append(child) }
                }
            }
            var attempts = 0
            while offspring.count < settings.population && attempts < 30 * settings.population {
                attempts += 1
                var child = tournament().candidate
                if Double.random(in: 0..<1, using: &generator) < 0.5 {
                    let other = tournament().candidate
                    let taken = child.layers
                    child.rewrites += other.rewrites.filter { Set($0.layers).isDisjoint(with: taken) && !$0.layers.isEmpty }
                }
                child = mutate(child, using: &generator)
                guard archive[child.id] == nil, !offspring.contains(child), !child.rewrites.isEmpty else { continue }
                offspring.append(child)
            }
            guard !offspring.isEmpty else { stopReason = "no new candidate could be made"; break }
            try evaluate(offspring)
            generation += 1
        }
        if timeUp { stopReason = "time budget spent" } else if try goalReached() && generation < settings.generations { stopReason = "cost goal reached" }
        let results = order.compactMap { archive[$0] }
        let chosen = try confirmedCandidate(costLimit: .infinity)
        let rejected = Set(confirmationHeld.filter { !$0.value }.keys)
        let front = Self.front(results.filter { !rejected.contains($0.id) }, limit: limit)
        return Outcome(results: results, reference: reference, front: front, chosen: chosen, confirmations: confirmationOrder.compactMap { confirmations[$0] },
                       generations: generation, stopReason: stopReason,
                       evaluatedNow: evaluatedNow, reused: reused, seconds: Date().timeIntervalSince(started))
    }

    /// GOS's step from a candidate: every rewrite of its costliest operator that it leaves alone and that has
    /// options, each as a child.
    func nextOperatorRewrites(of candidate: Candidate) -> [Candidate] {
        var model = evaluator.parent
        for rewrite in candidate.rewrites {
            guard let next = try? rewrite.apply(to: model) else { return [] }
            model = next
        }
        let taken = candidate.layers
        for entry in OperatorCosts(graph: model.graph, target: evaluator.target).ranking where !taken.contains(entry.layer) {
            let options = RewriteMenu.options(for: entry.layer, in: model)
            if !options.isEmpty { return options.map { Candidate(rewrites: candidate.rewrites + [$0]) } }
        }
        return []
    }

    /// Mutation: with probability 0.6 (or always, for an empty candidate) a rewrite of the candidate's costliest
    /// operator that it leaves alone (the first of the three costliest with any option, picked at random); else
    /// one rewrite swapped for another option of its layer (0.25) or dropped (0.15).
    func mutate(_ candidate: Candidate, using generator: inout SeededGenerator) -> Candidate {
        var model = evaluator.parent
        var applied: [Rewrite] = []
        for rewrite in candidate.rewrites {
            guard let next = try? rewrite.apply(to: model) else { continue }
            model = next
            applied.append(rewrite)
        }
        var result = Candidate(rewrites: applied)
        let draw = Double.random(in: 0..<1, using: &generator)
        if draw < 0.6 || applied.isEmpty {
            let taken = result.layers
            let ranking = OperatorCosts(graph: model.graph, target: evaluator.target).ranking.filter { !taken.contains($0.layer) }
            var menus: [[Rewrite]] = []
            for entry in ranking where menus.count < 3 {
                let options = RewriteMenu.options(for: entry.layer, in: model)
                if !options.isEmpty { menus.append(options) }
            }
            guard !menus.isEmpty else { return result }
            let menu = menus[Int.random(in: 0..<menus.count, using: &generator)]
            result.rewrites.append(menu[Int.random(in: 0..<menu.count, using: &generator)])
        } else if draw < 0.85 {
            let position = Int.random(in: 0..<applied.count, using: &generator)
            guard let layer = applied[position].layers.first else { return result }
            var before = evaluator.parent
            for rewrite in applied[..<position] { before = (try? rewrite.apply(to: before)) ?? before }
            let options = RewriteMenu.options(for: layer, in: before).filter { $0 != applied[position] }
            guard !options.isEmpty else { return result }
            result.rewrites[position] = options[Int.random(in: 0..<options.count, using: &generator)]
        } else {
            result.rewrites.remove(at: Int.random(in: 0..<applied.count, using: &generator))
        }
        return result
    }

    /// The non-dominated evaluated candidates with MAE at most `limit`, by cost.
    public static func front(_ results: [CandidateResult], limit: Double) -> [CandidateResult] {
        let feasible = results.filter { $0.status == .evaluated && ($0.maeBpm ?? .infinity) <= limit }
        let points = feasible.map { [$0.maeBpm ?? .infinity, $0.seconds ?? .infinity] }
        guard let first = ParetoRanking.fronts(points, violations: points.map { _ in 0 }).first else { return [] }
        return first.map { feasible[$0] }.sorted { ($0.seconds ?? 0, $0.maeBpm ?? 0) < ($1.seconds ?? 0, $1.maeBpm ?? 0) }
    }
}
