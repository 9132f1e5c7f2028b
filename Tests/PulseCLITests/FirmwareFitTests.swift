import PulseGraph
import PulseHardware
import Testing
@testable import pulse

@Suite struct FirmwareFitTests {
    /// Kernels whose counted cycles follow known coefficients exactly: the fit recovers them, keeps the fallback of a
    /// term no kernel counts, and holds the flash term at zero.
    @Test func theFitRecoversKnownCoefficients() throws {
        let truth: [Double] = [2.5, 0, 15, 3.3, 16, 72, 12, 100, 0, 5.9, 16, 34, 40, 20, 4, 11, 30, 9, 6, 25]
        var generator = SeededGenerator(seed: 7)
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
                counts.elementOutputs = counts.outputs
                counts.outputs = 0
                counts.elements = counts.elementOutputs * Double.random(in: 1...3, using: &generator)
                counts.rescales = Double(index % 3) * counts.elementOutputs
                counts.transcendentals = index % 16 == 3 ? counts.elementOutputs : 0
                counts.divisions = index % 16 == 7 ? counts.elementOutputs : 0
                counts.reducedElements = index % 3 == 0 ? counts.elementOutputs * Double.random(in: 2...9, using: &generator) : 0
                counts.pooledElements = index % 3 == 1 ? counts.elementOutputs * Double.random(in: 2...4, using: &generator) : 0
                if index % 16 == 11 { swap(&counts.elementOutputs, &counts.unaryOutputs) }
                if index % 16 == 15 {
                    counts.movedValues = counts.elementOutputs * Double.random(in: 1...4, using: &generator)
                    counts.movedRows = counts.movedValues / Double.random(in: 1...64, using: &generator)
                }
            }
            let cycles = zip(counts.values, truth).reduce(0) { $0 + $1.0 * $1.1 }
            return FirmwareFit.Sample(graph: "g\(index)", kernel: 0, kind: "k", counts: counts, beforeCycles: cycles, countedCycles: cycles)
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
        let summary = FirmwareFit.summary(samples, samples.map { FirmwareFit.predicted($0, fitted) })
        #expect(summary.within15 == 1)
        #expect(summary.spearman > 0.999)
    }

    /// A term whose least-squares value would be negative costs nothing: the fit sets it to zero and refits the rest.
    @Test func theFitKeepsEveryCoefficientNonNegative() throws {
        var generator = SeededGenerator(seed: 7)
        let samples = (0..<40).map { index -> FirmwareFit.Sample in
            var counts = MCUCostModel.Counts()
            counts.kernels = 1
            counts.elementOutputs = Double.random(in: 100...5000, using: &generator)
            counts.elements = counts.elementOutputs * Double.random(in: 1...3, using: &generator)
            counts.rescales = index % 2 == 0 ? counts.elementOutputs : 0
            // The rescaled kernels are cheaper: plain least squares gives the rescale term a negative cost.
            let cycles = 100 + 3 * counts.elements - (index % 2 == 0 ? 0.5 * counts.elementOutputs : 0)
            return FirmwareFit.Sample(graph: "g\(index)", kernel: 0, kind: "k", counts: counts, beforeCycles: cycles, countedCycles: cycles)
        }
        let fitted = try #require(FirmwareFit.fit(samples, fallback: [Double](repeating: 7, count: 20)))
        #expect(fitted.allSatisfy { $0 >= 0 })
        #expect(fitted[10] == 0, "the rescale term is dropped, not negative")
        #expect(fitted[7] > 0 && fitted[6] > 0)
    }

    /// The count columns, the coefficients and the report's names stay in one order: a coefficients value built from
    /// `perCount` gives back the same values.
    @Test func theCountsTheCoefficientsAndTheNamesAgree() throws {
        let values = (0..<MCUCostModel.Counts().values.count).map { Double($0) + 0.5 }
        #expect(FirmwareFitReport.names.count == values.count)
        let coefficients = MCUCoefficients(perCount: values.map { SourcedValue($0, source: "test") },
                                           stallFactor: SourcedValue(1, source: "test"), pointwiseUsesIm2col: true)
        #expect(coefficients.perCount == values)
        #expect(FirmwareFitReport.names[FirmwareFit.weightBytesColumn] == "flash per weight byte")
    }
}
