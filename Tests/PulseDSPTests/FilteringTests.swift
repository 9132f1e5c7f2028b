import Foundation
import Testing
@testable import PulseDSP

@Suite struct FilteringTests {
    /// `sin(0.3 i) + 0.5 cos(1.7 i) + 0.01 i`, i = 0..<60, the input of the SciPy references below.
    let signal: [Float] = (0..<60).map { (i: Int) -> Float in
        let t = Double(i)
        let value: Double = sin(0.3 * t) + 0.5 * cos(1.7 * t) + 0.01 * t
        return Float(value)
    }

    func design() throws -> SecondOrderSections {
        try Butterworth.design(order: 2, band: .bandPass(lowHz: 0.5, highHz: 4), sampleRateHz: 25)
    }

    @Test func zeroPhaseMatchesSciPySosfiltfilt() throws {
        let output = try design().filtfilt(signal)
        let expected: [Int: Float] = [0: 0.03526196484138078, 10: 0.04232449694880713, 30: 0.42510119603703056, 59: -0.03995693091409441]
        for (index, value) in expected { #expect(abs(output[index] - value) < 2e-5, "sample \(index)") }
    }

    @Test func causalMatchesSciPySosfiltWithSteadyStart() throws {
        var filter = CausalFilter(try design())
        let output = filter.process(signal)
        let expected: [Int: Float] = [0: 0, 10: -0.2382258311259597, 30: 0.27173798134602367, 59: -0.8909645657422236]
        for (index, value) in expected { #expect(abs(output[index] - value) < 2e-5, "sample \(index)") }
    }

    @Test func causalChunksEqualOneCall() throws {
        var whole = CausalFilter(try design())
        let reference = whole.process(signal)
        var chunked = CausalFilter(try design())
        var output: [Float] = []
        var start = 0
        for size in [1, 7, 0, 13, 2, 37] {
            output += chunked.process(Array(signal[start..<min(start + size, signal.count)]))
            start += size
        }
        #expect(output == reference)
    }

    @Test func zeroPhaseHasNoDelay() throws {
        // A 2 Hz sine inside the pass band comes out with the same phase (|H|² ≈ 1 there).
        let rate = 25.0
        let sine = (0..<500).map { Float(sin(2 * .pi * 2 * Double($0) / rate)) }
        let output = try Butterworth.design(order: 4, band: .bandPass(lowHz: 0.5, highHz: 4), sampleRateHz: rate).filtfilt(sine)
        // One sample of delay would be an error of 0.5; what remains is the edge transient decaying.
        for i in 100..<400 { #expect(abs(output[i] - sine[i]) < 5e-3) }
    }

    @Test func constantPassesHighPassWithoutTransient() throws {
        let output = try Butterworth.design(order: 3, band: .highPass(cutoffHz: 0.5), sampleRateHz: 50)
            .filtfilt([Float](repeating: 1200, count: 300))
        #expect(output.allSatisfy { abs($0) < 1e-2 })
    }
}
