import Foundation
import Testing
@testable import PulseDSP

@Suite struct ResamplerTests {
    @Test(arguments: [(125.0, 25.0), (50.0, 25.0), (50.0, 32.0), (25.0, 64.0), (31.7, 25.0), (64.0, 64.0)])
    func sineKeepsItsShape(_ rates: (Double, Double)) throws {
        let (from, to) = rates
        let frequency = 2.3
        let seconds = 20.0
        let input = (0..<Int(seconds * from)).map { Float(sin(2 * .pi * frequency * Double($0) / from + 0.4)) }
        let resampler = try Resampler(fromHz: from, toHz: to)
        let output = resampler.resample(input)
        #expect(abs(Double(output.count) - seconds * to) <= 1)
        // Away from the ends the output is the same sine sampled at the new rate.
        for m in Int(2 * to)..<(output.count - Int(2 * to)) {
            let expected = sin(2 * .pi * frequency * Double(m) / to + 0.4)
            #expect(abs(Double(output[m]) - expected) < 2e-3, "output sample \(m)")
        }
    }

    @Test func removesWhatTheNewRateCannotHold() throws {
        // 11 Hz is above the 12.5 Hz Nyquist's anti-aliasing cut-off (0.45 · 25 = 11.25 Hz) only barely; 20 Hz is well above.
        let from = 125.0
        let input = (0..<2500).map { Float(sin(2 * .pi * 20 * Double($0) / from)) }
        let output = try Resampler(fromHz: from, toHz: 25).resample(input)
        let rms = (output[50..<450].reduce(0) { $0 + $1 * $1 } / 400).squareRoot()
        #expect(rms < 1e-3)
    }

    @Test func upThenDownIsTheIdentityInsideTheBand() throws {
        var generator = SystemRandomNumberGenerator()
        let tones = (0..<4).map { _ in (Double.random(in: 0.5...4, using: &generator), Double.random(in: 0...6, using: &generator)) }
        let original = (0..<1000).map { i in Float(tones.reduce(0.0) { $0 + sin(2 * .pi * $1.0 * Double(i) / 25 + $1.1) }) }
        let up = try Resampler(fromHz: 25, toHz: 64).resample(original)
        let back = try Resampler(fromHz: 64, toHz: 25).resample(up)
        #expect(back.count == original.count)
        for i in 50..<950 { #expect(abs(back[i] - original[i]) < 5e-3, "sample \(i)") }
    }

    @Test func rationalApproximation() {
        #expect(Resampler.rationalApproximation(0.2, maxNumerator: 1024) == (1, 5))
        #expect(Resampler.rationalApproximation(32.0 / 50.0, maxNumerator: 1024) == (16, 25))
        #expect(Resampler.rationalApproximation(25.0 / 31.7, maxNumerator: 1024) == (250, 317))
    }

    @Test func rejectsBadRates() {
        #expect(throws: DSPError.self) { try Resampler(fromHz: 0, toHz: 25) }
        #expect(throws: DSPError.self) { try Resampler(fromHz: 50, toHz: .infinity) }
    }
}
