import Foundation
import Testing
@testable import PulseDSP

/// Reference values from SciPy 1.17 (`butter`, `sosfreqz`) for the same designs.
@Suite struct ButterworthTests {
    struct Case: Sendable {
        var order: Int
        var band: FilterBand
        var rate: Double
        var magnitudes: [Double]  // at 0.3, 1, 2, 6 Hz
        var b: [Double]
        var a: [Double]
    }

    static let cases: [Case] = [
        Case(order: 4, band: .bandPass(lowHz: 0.5, highHz: 4), rate: 25,
             magnitudes: [0.09355362423990957, 0.9999645799806592, 0.9999922003396847, 0.08447341141711971],
             b: [0.014826745478680736, 0, -0.059306981914722945, 0, 0.08896047287208442, 0, -0.059306981914722945, 0, 0.014826745478680736],
             a: [1, -5.34618420195844, 12.730132212104415, -17.81912609805123, 16.16064899499988, -9.743429078961977,
                 3.8015888038293095, -0.8751945607622533, 0.09166062827284628]),
        Case(order: 2, band: .lowPass(cutoffHz: 5), rate: 100,
             magnitudes: [0.9999937302271175, 0.9992259186902058, 0.987778936612116, 0.5675712649660642],
             b: [0.020083365564211232, 0.040166731128422464, 0.020083365564211232],
             a: [1, -1.5610180758007182, 0.6413515380575631]),
        Case(order: 3, band: .highPass(cutoffHz: 1), rate: 50,
             magnitudes: [0.026893347788019394, 0.7071067811865419, 0.9924574189735064, 0.9999919503160364],
             b: [0.8818381985744144, -2.645514595723243, 2.645514595723243, -0.8818381985744144],
             a: [1, -2.7488358092146754, 2.5282312191425587, -0.7776385602380801]),
        Case(order: 5, band: .bandPass(lowHz: 0.4, highHz: 3.5), rate: 125,
             magnitudes: [0.17758136503019867, 0.9999999993276821, 0.9999180474271211, 0.04369628004483193],
             b: [2.253062470277093e-06, 0, -1.1265312351385465e-05, 0, 2.253062470277093e-05, 0, -2.253062470277093e-05, 0,
                 1.1265312351385465e-05, 0, -2.253062470277093e-06],
             a: [1, -9.479070087266708, 40.46000275287308, -102.4066550962661, 170.2116029874146, -194.126943270976,
                 153.8562485401095, -83.67295937526863, 29.882977871740625, -6.328778911378456, 0.6035745890185272]),
    ]

    @Test(arguments: cases)
    func responseMatchesReference(_ c: Case) throws {
        let filter = try Butterworth.design(order: c.order, band: c.band, sampleRateHz: c.rate)
        for (frequency, expected) in zip([0.3, 1, 2, 6], c.magnitudes) {
            #expect(abs(filter.magnitude(atHz: frequency, sampleRateHz: c.rate) - expected) < 1e-9)
        }
    }

    @Test(arguments: cases)
    func expandedCoefficientsMatchReference(_ c: Case) throws {
        let filter = try Butterworth.design(order: c.order, band: c.band, sampleRateHz: c.rate)
        var b = [1.0]
        var a = [1.0]
        for s in filter.sections {
            b = multiply(b, [s.b0, s.b1, s.b2])
            a = multiply(a, [1, s.a1, s.a2])
        }
        for (value, expected) in zip(b, c.b + [0, 0, 0]) { #expect(abs(value - expected) < 1e-9 * max(1, abs(expected))) }
        for (value, expected) in zip(a, c.a + [0, 0, 0]) { #expect(abs(value - expected) < 1e-8 * max(1, abs(expected))) }
    }

    @Test func cutoffIsHalfPower() throws {
        for order in 1...8 {
            let filter = try Butterworth.design(order: order, band: .lowPass(cutoffHz: 3), sampleRateHz: 32)
            #expect(abs(filter.magnitude(atHz: 3, sampleRateHz: 32) - 0.5.squareRoot()) < 1e-9)
            #expect(abs(filter.magnitude(atHz: 0, sampleRateHz: 32) - 1) < 1e-9)
        }
    }

    @Test func rejectsImpossibleDesigns() {
        #expect(throws: DSPError.self) { try Butterworth.design(order: 0, band: .lowPass(cutoffHz: 1), sampleRateHz: 10) }
        #expect(throws: DSPError.self) { try Butterworth.design(order: 2, band: .lowPass(cutoffHz: 5), sampleRateHz: 10) }
        #expect(throws: DSPError.self) { try Butterworth.design(order: 2, band: .bandPass(lowHz: 3, highHz: 1), sampleRateHz: 10) }
        #expect(throws: DSPError.self) { try Butterworth.design(order: 2, band: .highPass(cutoffHz: -1), sampleRateHz: 10) }
        #expect(throws: DSPError.self) { try Butterworth.design(order: 2, band: .highPass(cutoffHz: 1), sampleRateHz: .nan) }
    }

    private func multiply(_ p: [Double], _ q: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: p.count + q.count - 1)
        for (i, x) in p.enumerated() { for (j, y) in q.enumerated() { result[i + j] += x * y } }
        return result
    }
}
