import Foundation
import PulseGraph
import PulseSignals

/// Small deterministic recordings with a known heart rate, for tests of readers and estimators.
public enum SyntheticRecording {
    /// A pulse of constant `bpm`; see `make(name:seconds:heartRateBpm:motionHz:ppgRateHz:accRateHz:ppgChannels:)`.
    public static func make(
        name: String = "synthetic", seconds: Double = 40, bpm: Double = 72, motionHz: Double = 2.6,
        ppgRateHz: Double = 125, accRateHz: Double = 125, ppgChannels: Int = 2
    ) -> Recording {
        make(name: name, seconds: seconds, heartRateBpm: { _ in bpm }, motionHz: motionHz,
             ppgRateHz: ppgRateHz, accRateHz: accRateHz, ppgChannels: ppgChannels)
    }

    /// A pulse whose rate follows `heartRateBpm(t)` (fundamental plus a weaker second harmonic) in each PPG
    /// channel, a step-like motion at `motionHz` in the accelerometer, and a little deterministic noise. The
    /// reference of each 8 s window (2 s shift) is the mean rate over the window.
    public static func make(
        name: String = "synthetic", seconds: Double, heartRateBpm: (Double) -> Double, motionHz: Double = 2.6,
        ppgRateHz: Double = 125, accRateHz: Double = 125, ppgChannels: Int = 2
    ) -> Recording {
        var generator = SeededGenerator(seed: 7)
        let ppgCount = Int(seconds * ppgRateHz)
        let accCount = Int(seconds * accRateHz)
        var phase = [Double](repeating: 0, count: ppgCount)
        for i in 1..<max(ppgCount, 1) {
            phase[i] = phase[i - 1] + 2 * .pi * heartRateBpm(Double(i) / ppgRateHz) / 60 / ppgRateHz
        }
        let ppg = (0..<ppgChannels).map { channel in
            (0..<ppgCount).map { i -> Float in
                let t = Double(i) / ppgRateHz
                let pulse = sin(phase[i] + Double(channel)) + 0.4 * sin(2 * phase[i] + 0.5)
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
        let layout = WindowLayout.standard
        let windows = layout.windowCount(sampleCount: ppgCount, sampleRateHz: ppgRateHz)
        let labels = (0..<windows).map { k -> Float in
            let start = Double(k) * layout.shiftSeconds
            let steps = 80
            let mean = (0..<steps).reduce(0.0) { $0 + heartRateBpm(start + layout.windowSeconds * (Double($1) + 0.5) / Double(steps)) }
            return Float(mean / Double(steps))
        }
        return Recording(
            name: name,
            ppg: SignalGroup(channels: ppg, sampleRateHz: ppgRateHz),
            acc: SignalGroup(channels: acc, sampleRateHz: accRateHz),
            reference: ReferenceHeartRate(bpm: labels, windowSeconds: layout.windowSeconds, shiftSeconds: layout.shiftSeconds),
            metadata: ["subject": "synthetic", "source": "PulseTestSupport"])
    }
}

extension SeededGenerator {
    /// A uniform value in [-1, 1).
    public mutating func nextSigned() -> Double {
        Double(next() >> 11) / Double(1 << 53) * 2 - 1
    }
}
