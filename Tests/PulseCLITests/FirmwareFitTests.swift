import PulseHardware
import Testing
@testable import pulse

@Suite struct FirmwareFitTests {
    /// Kernels whose counted cycles follow known coefficients exactly: the fit recovers them, keeps the fallback of a
    /// term no kernel counts, and holds the flash term at zero.
    @Test func theFitRecoversKnownCoefficients() throws {
        let truth: [Double] = [2.5, 0, 15, 3.3, 16, 72, 12, 100, 0, 5.9, 16, 34]
        var generator = SystemRandomNumberGenerator()
        let samples = (0..<60).map { index -> FirmwareFit.Sample in
            var counts = MCUCostModel.Counts()
            counts.kernels = 1
            counts.outputs = Double.random(in: 100...5000, using: &generator)
            switch index % 4 {
            case 0:
                counts.alignedMACs = Double.random(in: 1e4...1e6, using: &generator)
                counts.im2colValues = Double.random(in: 1e3...1e5, using: &generator)
                counts.im2colRows = counts.im2colValues / Double.random(in: 1...9, using: &generator)
                counts.rescales = index % 8 == 0 ? counts.outputs : 0
            case 1:
                counts.depthwiseMACs = Double.random(in: 1e3...1e5, using: &generator)
                counts.im2colValues = counts.depthwiseMACs
                counts.im2colRows = counts.depthwiseMACs / 5
            case 2:
                counts.denseMACs = Double.random(in: 1e3...1e5, using: &generator)
                counts.contractionMACs = Double.random(in: 1e3...1e5, using: &generator)
            default:
                counts.elements = 2 * counts.outputs
                counts.rescales = Double(index % 3) * counts.outputs
            }
            let cycles = zip(counts.values, truth).reduce(0) { $0 + $1.0 * $1.1 }
            return FirmwareFit.Sample(graph: "g\(index)", kernel: 0, kind: "k", counts: counts, targetCounts: counts, countedCycles: cycles)
        }
        let fallback = [Double](repeating: 7, count: truth.count)
        let fitted = try #require(FirmwareFit.fit(samples, fallback: fallback))
        for (index, value) in fitted.enumerated() {
            if index == 1 {
                #expect(value == 7, "a term no kernel counts keeps its fallback")
            } else if index == FirmwareFit.weightBytesColumn {
                #expect(value == 0)
            } else {
                #expect(abs(value - truth[index]) < 1e-6 * max(1, truth[index]), "term \(index): \(value) against \(truth[index])")
            }
        }
        let summary = FirmwareFit.summary(samples, fitted)
        #expect(summary.within15 == 1)
        #expect(summary.spearman > 0.999)
    }
}
