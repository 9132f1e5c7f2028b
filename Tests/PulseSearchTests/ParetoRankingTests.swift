import Testing
@testable import PulseSearch

@Suite struct ParetoRankingTests {
    @Test func frontsFollowDominance() {
        let points: [[Double]] = [[1, 5], [2, 3], [3, 1], [2, 4], [4, 4], [3, 3]]
        let fronts = ParetoRanking.fronts(points, violations: Array(repeating: 0, count: 6))
        #expect(fronts == [[0, 1, 2], [3, 5], [4]])
    }

    @Test func feasibleBeatsInfeasibleAndSmallerViolationWins() {
        let points: [[Double]] = [[5, 5], [1, 1], [0, 0]]
        let fronts = ParetoRanking.fronts(points, violations: [0, 0.5, 2])
        #expect(fronts == [[0], [1], [2]])
        #expect(ParetoRanking.dominates([9, 9], 0, [0, 0], 0.1))
        #expect(!ParetoRanking.dominates([1, 1], 0, [1, 1], 0))
    }

    @Test func crowdingFavoursTheEdgesAndSparseRegions() {
        let points: [[Double]] = [[0, 4], [1, 3], [1.1, 2.9], [4, 0], [2, 2]]
        let distance = ParetoRanking.crowding([0, 1, 2, 3, 4], points)
        #expect(distance[0] == .infinity && distance[3] == .infinity)
        #expect((distance[4] ?? 0) > (distance[1] ?? 0))
        let chosen = ParetoRanking.select(4, points, violations: Array(repeating: 0, count: 5))
        #expect(Set(chosen) == [0, 3, 4, 2] || Set(chosen) == [0, 3, 4, 1])
    }
}
