import Foundation
import PulseDSP
import PulseGraph
import PulseSignals
import PulseTestSupport
import Testing

@Suite struct StreamingConditioningTests {
    static func signal(count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { i in Float(900 + 40 * sin(Double(i) * 0.21) + 3 * generator.nextSigned()) }
    }

    @Test func ringBufferKeepsTheLastCapacityElements() {
        var ring = RingBuffer<Int>(capacity: 4, filler: 0)
        for value in 0..<10 { ring.append(value) }
        #expect(ring.count == 10 && ring.oldest == 6)
        #expect((6..<10).map { ring[$0] } == [6, 7, 8, 9])
        var copy = [Int](repeating: 0, count: 3)
        ring.copy(7..<10, into: &copy)
        #expect(copy == [7, 8, 9])
    }

    @Test(arguments: [(125.0, 25.0), (64.0, 25.0), (32.0, 25.0), (25.0, 64.0), (51.2, 32.0), (31.7, 25.0)])
    func streamingResamplerEqualsTheWholeSignal(from: Double, to: Double) throws {
        let input = Self.signal(count: 997, seed: 3)
        let resampler = try Resampler(fromHz: from, toHz: to)
        var streaming = StreamingResampler(resampler)
        var output: [Float] = []
        for sample in input { streaming.push(sample) { output.append($0) } }
        // Everything but the last `halfWidth` inputs' outputs is out before the end.
        #expect(output.count >= resampler.outputCount(for: input.count - resampler.halfWidth - 1))
        streaming.finish { output.append($0) }
        #expect(output == resampler.resample(input))
    }

    @Test func causalFilterSampleBySampleEqualsChunks() throws {
        let design = try Butterworth.design(order: 4, band: .bandPass(lowHz: 0.5, highHz: 4), sampleRateHz: 64)
        let input = Self.signal(count: 500, seed: 4)
        var whole = CausalFilter(design)
        var single = CausalFilter(design)
        #expect(input.map { single.process($0) } == whole.process(input))
    }

    /// Leading zeros, a leading NaN gap, gaps inside, extreme samples at the start and inside: the stream holds
    /// back, scales and bridges exactly as offline.
    @Test(arguments: [0, 1, 2, 3, 4, 5])
    func channelConditionerEqualsOfflineCausalConditioning(variant: Int) throws {
        var input = Self.signal(count: 1200, seed: 5)
        switch variant {
        case 0: for i in 0..<30 { input[i] = 0 }
        case 1: for i in 0..<40 { input[i] = .nan }
        case 3: input[0] = .leastNonzeroMagnitude; input[500] = .greatestFiniteMagnitude
        case 4: input[0] = .greatestFiniteMagnitude; for i in 1..<5 { input[i] = .nan }
        case 5: for i in 0..<8 { input[i] = 0 }; input[8] = 1e-20; for i in 9..<20 { input[i] = .nan }
        default: for i in 300..<420 { input[i] = .nan }; for i in 700..<703 { input[i] = .nan }
        }
        let conditioner = try SignalConditioner(sourceRateHz: 64, configuration: .standard, preprocessing: .causal)
        var streaming = ChannelConditioner(conditioner, leadingGapLimit: 128)
        var ring = RingBuffer<Float>(capacity: 2000, filler: 0)
        for sample in input { streaming.push(sample, into: &ring) }
        streaming.finish(into: &ring)
        let expected = conditioner.condition([input])[0]
        #expect(ring.count == expected.count)
        #expect((0..<ring.count).map { ring[$0] } == expected)
    }
}
