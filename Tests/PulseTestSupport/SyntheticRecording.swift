import Foundation
import PulseSignals

/// Small deterministic recordings with a known heart rate, for tests of readers and estimators.
public enum SyntheticRecording {
    /// A pulse of `bpm` (fundamental plus a weaker second harmonic) in each PPG channel, a step-like
    /// motion at `motionHz` in the accelerometer, and a little deterministic noise.
    public static func make(
        name: String = "synthetic", seconds: Double = 40, bpm: Double = 72, motionHz: Double = 2.6,
        ppgRateHz: Double = 125, accRateHz: Double = 125, ppgChannels: Int = 2
    ) -> Recording {
        var generator = SplitMix64(seed: 7)
        let ppgCount = Int(seconds * ppgRateHz)
        let accCount = Int(seconds * accRateHz)
        let beatHz = bpm / 60
        let ppg = (0..<ppgChannels).map { channel in
            (0..<ppgCount).map { i -> Float in
                let t = Double(i) / ppgRateHz
                let pulse = sin(2 * .pi * beatHz * t + Double(channel)) + 0.4 * sin(4 * .pi * beatHz * t + 0.5)
                let motion = 0.3 * sin(2 * .pi * motionHz * t)
                return Float(1000 + 50 * (pulse + motion) + 5 * generator.nextSigned())
            }
        }
        let acc = (0..<3).map { axis in
            (0..<accCount).map { i -> Float in
                let t = Double(i) / accRateHz
                return Float(Double(axis) * 0.1 + sin(2 * .pi * motionHz * t + Double(axis)) + 0.02 * generator.nextSigned())
            }
        }
        let windows = WindowLayout.standard.windowCount(sampleCount: ppgCount, sampleRateHz: ppgRateHz)
        return Recording(
            name: name,
            ppg: SignalGroup(channels: ppg, sampleRateHz: ppgRateHz),
            acc: SignalGroup(channels: acc, sampleRateHz: accRateHz),
            reference: ReferenceHeartRate(bpm: [Float](repeating: Float(bpm), count: windows), windowSeconds: 8, shiftSeconds: 2),
            metadata: ["subject": "synthetic", "source": "PulseTestSupport"])
    }
}

/// A tiny deterministic random number generator (SplitMix64), so tests see the same noise every run.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [-1, 1).
    public mutating func nextSigned() -> Double {
        Double(next() >> 11) / Double(1 << 53) * 2 - 1
    }
}
