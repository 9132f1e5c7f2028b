import Testing
@testable import PulseHardware

@Suite struct ValidationSummaryTests {
    @Test func spearmanOfKnownOrders() {
        #expect(SpearmanCorrelation.coefficient([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(SpearmanCorrelation.coefficient([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        // One adjacent swap among five: 1 − 6·2 / (5·24) = 0.9.
        #expect(abs(SpearmanCorrelation.coefficient([1, 2, 3, 4, 5], [1, 2, 4, 3, 5]) - 0.9) < 1e-12)
        #expect(SpearmanCorrelation.ranks([5, 1, 5, 2]) == [3.5, 1, 3.5, 2])
        #expect(SpearmanCorrelation.coefficient([1], [1]).isNaN)
    }

    @Test func sharesMedianAndWorst() {
        let summary = ValidationSummary(cases: [
            ValidationCase(name: "a", predictedSeconds: 1.05, measuredSeconds: 1),
            ValidationCase(name: "b", predictedSeconds: 0.8, measuredSeconds: 1),
            ValidationCase(name: "c", predictedSeconds: 1.3, measuredSeconds: 1),
            ValidationCase(name: "d", predictedSeconds: 2.1, measuredSeconds: 2),
        ])
        #expect(summary.shareWithin(0.10) == 0.5)
        #expect(summary.shareWithin(0.20) == 0.75)
        #expect(abs(summary.medianAbsoluteError - 0.125) < 1e-12)
        #expect(summary.worst?.name == "c")
        #expect(!summary.ordersAsMeasured)
    }
}
