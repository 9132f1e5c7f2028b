import Foundation
import PulseGraph
import PulseSignals

/// Simulated wrist recordings with an exactly known heart rate.
///
/// - Heart rate: a first-order response to the activity's target (time constant 20 s rising, 40 s falling), a
///   slow random drift, and respiratory sinus arrhythmia (±2 BPM at the breathing rate).
/// - PPG: each beat a systolic and a smaller, later diastolic wave (Gaussians in the beat's phase), with
///   beat-to-beat phase jitter, breathing modulation of the amplitude, baseline drift and sensor noise.
/// - Accelerometer (g): gravity plus the arm swing at half the step cadence and the step itself with its
///   harmonic, on three axes.
/// - Motion artefacts: the PPG picks up the same swing and step terms, scaled by a coupling drawn per recording.
/// - On request: saturation (the PPG clipped to a band around its median) and dropouts (NaN runs of 1–3 s).
/// The reference of each 8 s window (2 s shift) is the mean instantaneous heart rate over the window.
public struct SensorSimulator: Sendable {
    public var durationSeconds: Double
    public var activity: Activity
    public var seed: UInt64
    public var ppgRateHz = 64.0
    public var accRateHz = 32.0
    /// Multiplies the sensor noise (1 is typical of a green-light wrist sensor at rest).
    public var noiseLevel = 1.0
    public var saturation = false
    public var dropouts = false

    public init(durationSeconds: Double, activity: Activity, seed: UInt64) {
        self.durationSeconds = durationSeconds
        self.activity = activity
        self.seed = seed
    }

    /// The simulated recording.
    /// - Throws: `RecordingError` when the duration or a rate is out of range.
    public func recording(name: String) throws -> Recording {
        guard durationSeconds.isFinite, durationSeconds >= 8, durationSeconds <= 7 * 86_400 else {
            throw RecordingError(path: name, .unsupported("duration must be between 8 s and 7 days (got \(durationSeconds) s)"))
        }
        try Recording.checkSampleRate(ppgRateHz, field: "fs_ppg (--fs-ppg)", source: name)
        try Recording.checkSampleRate(accRateHz, field: "fs_acc (--fs-acc)", source: name)
        var generator = SeededGenerator(seed: seed)
        func gaussian() -> Double {
            let u = max(Double.random(in: 0..<1, using: &generator), 1e-12)
            let v = Double.random(in: 0..<1, using: &generator)
            return (-2 * Foundation.log(u)).squareRoot() * cos(2 * .pi * v)
        }
        let person = 1 + 0.06 * gaussian()
        let coupling = 0.5 + 0.4 * Double.random(in: 0..<1, using: &generator)
        let phaseOffsets = (0..<3).map { _ in Double.random(in: 0..<(2 * .pi), using: &generator) }

        // Heart rate and breathing at the PPG rate.
        let count = Int(durationSeconds * ppgRateHz)
        let dt = 1 / ppgRateHz
        var bpm = [Double](repeating: 0, count: count)
        var beatPhase = [Double](repeating: 0, count: count)
        var current = activity.phase(at: 0).targetBpm * person
        var drift = 0.0
        var breathing = 0.0
        var phase = 0.0
        for i in 0..<count {
            let now = activity.phase(at: Double(i) / Double(count))
            let target = now.targetBpm * person
            current += (target - current) * dt / (target > current ? 20 : 40)
            drift += -drift * dt / 30 + 0.35 * gaussian() * dt.squareRoot()
            let breathingHz = now == .rest ? 0.25 : (now == .walk ? 0.35 : 0.5)
            breathing += 2 * .pi * breathingHz * dt
            bpm[i] = current + 2 * drift + 2 * sin(breathing)
            phase += 2 * .pi * bpm[i] / 60 * dt + 0.004 * gaussian()
            beatPhase[i] = phase
        }

        // Motion: the arm swings at half the cadence; the step adds the cadence and its harmonic. The cadence and the
        // swing's strength wander slowly (a random walk per second), as a person's gait does.
        let seconds = Int(durationSeconds.rounded(.up)) + 2
        var wander = [Double](repeating: 0, count: seconds)
        var strength = [Double](repeating: 1, count: seconds)
        var stepPhase = [Double](repeating: 0, count: seconds)
        for s in 1..<seconds {
            wander[s] = 0.95 * wander[s - 1] + 0.01 * gaussian()
            strength[s] = max(0.3, min(1.7, strength[s - 1] + 0.1 * gaussian()))
            let cadence = activity.phase(at: Double(s) / durationSeconds).cadenceHz * (1 + wander[s])
            stepPhase[s] = stepPhase[s - 1] + 2 * .pi * cadence
        }
        func motion(at t: Double, axis: Int) -> Double {
            let now = activity.phase(at: t / durationSeconds)
            guard now.cadenceHz > 0 else { return 0 }
            let s = min(Int(t), seconds - 2)
            let fraction = t - Double(s)
            let step = stepPhase[s] + (stepPhase[s + 1] - stepPhase[s]) * fraction
            let level = (now == .walk ? 0.5 : 1.0) * (strength[s] + (strength[s + 1] - strength[s]) * fraction)
            let arm = sin(step / 2 + phaseOffsets[axis])
            let impact = 0.5 * sin(step + 2 * phaseOffsets[axis]) + 0.2 * sin(2 * step)
            return level * (arm + impact)
        }

        var ppg = [Float](repeating: 0, count: count)
        var baseline = 0.0
        for i in 0..<count {
            let t = Double(i) * dt
            let cycle = (beatPhase[i] / (2 * .pi)).truncatingRemainder(dividingBy: 1)
            let systolic = Foundation.exp(-Foundation.pow((cycle - 0.2) / 0.08, 2))
            let diastolic = 0.45 * Foundation.exp(-Foundation.pow((cycle - 0.5) / 0.1, 2))
            let pulse = (systolic + diastolic) * (1 + 0.1 * sin(2 * .pi * 0.25 * t))
            baseline += -baseline * dt / 60 + 0.02 * gaussian() * dt.squareRoot()
            let artefact = coupling * 0.8 * (motion(at: t, axis: 0) + 0.5 * motion(at: t, axis: 1))
            let value = pulse + artefact + 0.3 * sin(2 * .pi * 0.03 * t) + baseline + 0.03 * noiseLevel * gaussian()
            ppg[i] = Float(2000 + 150 * value)
        }
        if saturation {
            let sorted = ppg.sorted()
            let (low, high) = (sorted[count / 20], sorted[count - 1 - count / 20])
            ppg = ppg.map { min(max($0, low), high) }
        }

        let accCount = Int(durationSeconds * accRateHz)
        let gravity = [0.1, -0.3, 0.95]
        let acc = (0..<3).map { axis in
            (0..<accCount).map { j -> Float in
                let t = Double(j) / accRateHz
                return Float(gravity[axis] + 0.6 * motion(at: t, axis: axis) + 0.01 * noiseLevel * gaussian())
            }
        }

        if dropouts {
            let gaps = max(1, Int(durationSeconds / 120))
            for _ in 0..<gaps {
                let start = Int(Double.random(in: 0..<max(1, durationSeconds - 3), using: &generator) * ppgRateHz)
                let length = Int(Double.random(in: 1...3, using: &generator) * ppgRateHz)
                for i in start..<min(count, start + length) { ppg[i] = .nan }
            }
        }

        let layout = WindowLayout.standard
        let windows = layout.windowCount(sampleCount: count, sampleRateHz: ppgRateHz)
        let windowSamples = layout.samples(layout.windowSeconds, at: ppgRateHz)
        let labels = (0..<windows).map { k -> Float in
            let start = layout.startSample(ofWindow: k, at: ppgRateHz)
            let slice = bpm[start..<min(count, start + windowSamples)]
            return Float(slice.reduce(0, +) / Double(slice.count))
        }
        return Recording(
            name: name,
            ppg: SignalGroup(channels: [ppg], sampleRateHz: ppgRateHz),
            acc: SignalGroup(channels: acc, sampleRateHz: accRateHz),
            reference: ReferenceHeartRate(bpm: labels, windowSeconds: layout.windowSeconds, shiftSeconds: layout.shiftSeconds),
            metadata: [
                "source": "pulse simulate", "activity": activity.rawValue, "seed": String(seed),
                "units": "PPG in counts, accelerometer in g, hr_bpm the mean instantaneous simulated heart rate per window",
                "hr_reference": "exact (simulated)",
            ])
    }
}
