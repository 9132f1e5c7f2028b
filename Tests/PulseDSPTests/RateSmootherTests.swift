import Foundation
import PulseDSP
import PulseGraph
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct RateSmootherTests {
    /// A small grid, steps and jump cost whose floor matters, so that every term of the recursion is exercised.
    static let settings = RateTracker.Settings(riseSigmaBpm: 3, fallSigmaBpm: 2, jumpCost: 4, lowRatePriorBpm: 64,
                                               lowRatePriorNatsPerBpm: 0.2, confidenceHalfWidthBpm: 3)
    static let (firstBpm, binBpm, binCount) = (60.0, 2.0, 6)

    static func randomLogLikelihoods(windows: Int, seed: UInt64) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<windows).map { _ in (0..<binCount).map { _ in 3 * generator.nextSigned() } }
    }

    /// The posterior of window `t` given windows `0...last`, by summing over every path of rates through them:
    /// `Π_s E_s(x_s) · Π_s K_n(x_s, x_{s−1})` with `K_n = max(exp(−d²/2σ²n), e^{−J})` across `n = shifts[s]` shifts.
    static func bruteForcePosterior(_ logLikelihoods: [[Double]], shifts: [Int]? = nil, window t: Int, last: Int) -> [Double] {
        let s = settings
        func rate(_ k: Int) -> Double { firstBpm + Double(k) * binBpm }
        func evidence(_ window: Int, _ k: Int) -> Double {
            exp(logLikelihoods[window][k] - s.lowRatePriorNatsPerBpm * max(0, s.lowRatePriorBpm - rate(k)))
        }
        func step(from j: Int, to k: Int, shifts n: Int) -> Double {
            let sigma = k >= j ? s.riseSigmaBpm : s.fallSigmaBpm
            let d = rate(k) - rate(j)
            return max(exp(-d * d / (2 * sigma * sigma * Double(n))), exp(-s.jumpCost))
        }
        var posterior = [Double](repeating: 0, count: binCount)
        var path = [Int](repeating: 0, count: last + 1)
        func visit(_ position: Int, _ weight: Double) {
            if position > last {
                posterior[path[t]] += weight
                return
            }
            for k in 0..<binCount {
                path[position] = k
                visit(position + 1, weight * evidence(position, k)
                      * (position == 0 ? 1 : step(from: path[position - 1], to: k, shifts: shifts?[position] ?? 1)))
            }
        }
        visit(0, 1)
        let total = posterior.reduce(0, +)
        return posterior.map { $0 / total }
    }

    /// The read-out the smoother documents: the posterior's mean within `readoutHalfWidthBpm` of its mode.
    static func readOut(_ posterior: [Double]) -> Double {
        let mode = posterior.indices.max { posterior[$0] < posterior[$1] } ?? 0
        let near = posterior.indices.filter { abs(Double($0 - mode)) * binBpm <= RateSmoother.readoutHalfWidthBpm }
        let mass = near.reduce(0) { $0 + posterior[$1] }
        return firstBpm + binBpm * near.reduce(0) { $0 + posterior[$1] * Double($1) } / mass
    }

    /// With lags 0, 1, 2 and the whole recording, every estimate is the read-out of the exact posterior given the
    /// windows up to `t + L`.
    @Test(arguments: [0, 1, 2, 9])
    func matchesTheExactPosteriorOverEveryPath(lag: Int) throws {
        let logLikelihoods = Self.randomLogLikelihoods(windows: 5, seed: UInt64(11 + lag))
        let smoother = try RateSmoother(firstBpm: Self.firstBpm, binBpm: Self.binBpm, binCount: Self.binCount, settings: Self.settings, lagWindows: lag)
        let estimates = smoother.smooth(logLikelihoods)
        for t in 0..<5 {
            let posterior = Self.bruteForcePosterior(logLikelihoods, window: t, last: min(4, t + lag))
            let estimate = try #require(estimates[t])
            #expect(abs(estimate.bpm - Self.readOut(posterior)) < 1e-9, "window \(t)")
            let inside = posterior.indices.filter { abs(Self.firstBpm + Double($0) * Self.binBpm - estimate.bpm) <= Self.settings.confidenceHalfWidthBpm }
            #expect(abs(estimate.confidence - inside.reduce(0) { $0 + posterior[$1] }) < 1e-9, "window \(t)")
        }
    }

    /// Window `t`'s estimate depends on the windows up to `t + L` and on no later one.
    @Test func anEstimateWaitsForExactlyItsLag() throws {
        let lag = 2
        let smoother = try RateSmoother(firstBpm: Self.firstBpm, binBpm: Self.binBpm, binCount: Self.binCount, settings: Self.settings, lagWindows: lag)
        let original = Self.randomLogLikelihoods(windows: 8, seed: 5)
        var changed = original
        changed[6] = changed[6].reversed()
        let before = smoother.smooth(original)
        let after = smoother.smooth(changed)
        for t in 0..<4 { #expect(before[t]?.bpm == after[t]?.bpm, "window \(t)") }
        #expect(before[4]?.bpm != after[4]?.bpm)
    }

    /// A window that was not analysed has no estimate and counts as an elapsed shift: across it the step is that of
    /// two shifts, `σ√2`, as with `RateTracker`.
    @Test func skippedWindowsAreElapsedShifts() throws {
        let smoother = try RateSmoother(firstBpm: Self.firstBpm, binBpm: Self.binBpm, binCount: Self.binCount, settings: Self.settings, lagWindows: 3)
        let rows = Self.randomLogLikelihoods(windows: 3, seed: 8)
        let estimates = smoother.smooth([rows[0], nil, rows[1], rows[2]])
        #expect(estimates[1] == nil)
        // The lag counts shifts, not analysed windows: with lag 1, window 0 does not wait for window 2 across the gap.
        let lagOne = try RateSmoother(firstBpm: Self.firstBpm, binBpm: Self.binBpm, binCount: Self.binCount, settings: Self.settings, lagWindows: 1)
        let changedLater = lagOne.smooth([rows[0], nil, rows[1].reversed(), rows[2]])
        #expect(lagOne.smooth([rows[0], nil, rows[1], rows[2]])[0]?.bpm == changedLater[0]?.bpm)
        // A row that is not finite counts as a skipped window.
        let poisoned = smoother.smooth([rows[0], rows[0].map { _ in .nan }, rows[1], rows[2]])
        #expect(poisoned[1] == nil && poisoned.compactMap { $0 }.count == 3)
        #expect(poisoned[3]?.bpm == estimates[3]?.bpm)
        for (window, position) in [(0, 0), (2, 1), (3, 2)] {
            let posterior = Self.bruteForcePosterior(rows, shifts: [1, 2, 1], window: position, last: 2)
            #expect(abs((try #require(estimates[window])).bpm - Self.readOut(posterior)) < 1e-9, "window \(window)")
        }
    }

    /// On a noisy rate that drifts, a smoother's lag makes the estimates closer to the truth than the causal filter's.
    @Test func aLagHelpsOnANoisyDriftingRate() throws {
        let grid = (first: 40.0, bin: 1.0, count: 161)
        var generator = SeededGenerator(seed: 21)
        let truth = (0..<120).map { 110 + 25 * sin(Double($0) / 15) }
        let rows = truth.map { rate -> [Double] in
            let observed: Double = rate + 6 * generator.nextSigned()
            let spurious: Double = 40 + 160 * abs(generator.nextSigned())
            return (0..<grid.count).map { k -> Double in
                let h = grid.first + Double(k) * grid.bin
                let pulse: Double = exp(-(h - observed) * (h - observed) / 18)
                let artefact: Double = 0.6 * exp(-(h - spurious) * (h - spurious) / 18)
                return log(pulse + artefact + 1e-3)
            }
        }
        func mae(lag: Int) throws -> Double {
            let estimates = try RateSmoother(firstBpm: grid.first, binBpm: grid.bin, binCount: grid.count,
                                             settings: SpectralEstimator.Configuration.standard.trackerSettings, lagWindows: lag).smooth(rows)
            return zip(estimates, truth).map { abs(($0?.bpm ?? 0) - $1) }.reduce(0, +) / Double(truth.count)
        }
        let (filtered, smoothed) = (try mae(lag: 0), try mae(lag: 3))
        #expect(smoothed < 0.8 * filtered, "lag 0: \(filtered), lag 3: \(smoothed)")
        #expect(smoothed < 3)
    }

    @Test func refusesABadLagOrGrid() {
        #expect(throws: DSPError.self) {
            try RateSmoother(firstBpm: 30, binBpm: 1, binCount: 100, settings: Self.settings, lagWindows: -1)
        }
        #expect(throws: DSPError.self) {
            try RateSmoother(firstBpm: 30, binBpm: 1, binCount: 100, settings: Self.settings, lagWindows: RateSmoother.lagRange.upperBound + 1)
        }
        #expect(throws: DSPError.self) { try RateSmoother(firstBpm: 30, binBpm: 0, binCount: 100, settings: Self.settings, lagWindows: 2) }
    }

    /// `RateFollowing.causal` is `RateTracker` stepped window by window, and `.fixedLag` the smoother.
    @Test func followingDispatchesToTheTrackerOrTheSmoother() throws {
        let rows = Self.randomLogLikelihoods(windows: 6, seed: 3)
        let given: [[Double]?] = [rows[0], rows[1], nil, rows[3], rows[4], rows[5]]
        let tracker = try RateTracker(firstBpm: Self.firstBpm, binBpm: Self.binBpm, binCount: Self.binCount, settings: Self.settings)
        let stepped: [Double?] = [tracker.step(logLikelihood: rows[0]).bpm, tracker.step(logLikelihood: rows[1]).bpm, nil,
                                  tracker.step(logLikelihood: rows[3], elapsedWindows: 2).bpm, tracker.step(logLikelihood: rows[4]).bpm,
                                  tracker.step(logLikelihood: rows[5]).bpm]
        let causal = try RateFollowing.causal.follow(given, firstBpm: Self.firstBpm, binBpm: Self.binBpm, binCount: Self.binCount, settings: Self.settings)
        #expect(causal.map { $0?.bpm } == stepped)
        let smoothed = try RateFollowing.fixedLag(windows: 2).follow(given, firstBpm: Self.firstBpm, binBpm: Self.binBpm, binCount: Self.binCount,
                                                                    settings: Self.settings)
        let direct = try RateSmoother(firstBpm: Self.firstBpm, binBpm: Self.binBpm, binCount: Self.binCount, settings: Self.settings, lagWindows: 2)
            .smooth(given)
        #expect(smoothed.map { $0?.bpm } == direct.map { $0?.bpm })
        #expect(RateFollowing.causal.lagWindows == 0 && RateFollowing.fixedLag(windows: 2).lagWindows == 2)
    }
}
