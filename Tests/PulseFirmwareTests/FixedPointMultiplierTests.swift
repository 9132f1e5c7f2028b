import Foundation
import Testing
@testable import PulseFirmware

@Suite struct FixedPointMultiplierTests {
    @Test func representsTheRealMultiplierToThirtyBits() {
        for real in [1e-9, 3.7e-6, 0.000123, 0.01, 0.25, 0.5, 0.999, 1, 1.5, 7.25, 300] {
            let m = FixedPointMultiplier(real)
            #expect(Swift.abs(m.real / real - 1) < 1e-9, "\(real) became \(m.real)")
            #expect(m.multiplier >= 1 << 30)
        }
        #expect(FixedPointMultiplier(0).apply(12345) == 0)
        #expect(FixedPointMultiplier(1e-12).multiplier == 0)
    }

    @Test func appliesAsRoundedProduct() {
        var generator = SystemRandomNumberGenerator()
        for real in [0.0003, 0.013, 0.5, 0.77, 1, 2.5, 40] {
            let m = FixedPointMultiplier(real)
            for _ in 0..<2000 {
                let x = Int32.random(in: -1_000_000...1_000_000, using: &generator)
                let exact = Double(x) * m.real
                let result = m.apply(x)
                // Two roundings (the doubling high multiply, then the shift) stay within one step of the exact product.
                #expect(Swift.abs(Double(result) - exact) <= 1, "\(x) × \(real) gave \(result), exactly \(exact)")
            }
        }
    }

    @Test func roundingShiftRoundsHalvesAwayFromZero() {
        #expect(FixedPointMultiplier.roundingShiftRight(5, by: 1) == 3)
        #expect(FixedPointMultiplier.roundingShiftRight(-5, by: 1) == -3)
        #expect(FixedPointMultiplier.roundingShiftRight(4, by: 1) == 2)
        #expect(FixedPointMultiplier.roundingShiftRight(-7, by: 2) == -2)
        #expect(FixedPointMultiplier.roundingShiftRight(6, by: 2) == 2)
    }

    @Test func affineQuantisationKeepsZeroExact() {
        let q = AffineQuantisation(lower: 0.3, upper: 5.2)
        #expect(q.dequantise(Int8(q.zeroPoint)) == 0)
        #expect(q.zeroPoint == -128)
        let symmetric = AffineQuantisation(lower: -2, upper: 2)
        #expect(Swift.abs(symmetric.dequantise(symmetric.quantise(1.234)) - 1.234) <= symmetric.scale / 2)
        #expect(symmetric.quantise(100) == 127)
        #expect(symmetric.quantise(-100) == -128)
    }
}
