import Foundation
import PulseGraph
import PulseSignals

/// `SensorSimulator` as a live sensor: chunks of `chunkSeconds` of PPG, then of accelerometer, generated on demand
/// in constant memory. Each random process draws from its own generator, in its own sample order, so the samples
/// do not depend on the chunk length: a stream and `SensorSimulator.recording` agree bit for bit. A chunk holds at
/// most `maximumChunkSamples` samples per channel, whatever the rates and the duration.
public struct SimulatedSensor: SensorSource {
    /// The settings simulated.
    public let simulator: SensorSimulator
    /// The time each chunk covers (the last may be shorter).
    public let chunkSeconds: Double
    /// The stream's rates and channels: the simulator's rates, one PPG channel, three accelerometer axes.
    public let settings: StreamSettings
    private let ppgCount: Int
    private let accCount: Int
    private let person: Double
    private let coupling: Double
    private let phaseOffsets: [Double]
    /// The standard deviations of a PPG sample's noise (before the 150 counts gain) and an accelerometer sample's (g).
    private let ppgNoise: Double
    private let accNoise: Double
    private var heart: SeededGenerator
    private var optics: SeededGenerator
    private var motionNoise: SeededGenerator
    private var faults: SeededGenerator
    private var gait: Gait
    private var chunk = 0
    private var nextGroup = SensorGroup.ppg
    // PPG state.
    private var ppgIndex = 0
    private var currentBpm: Double
    private var drift = 0.0
    private var breathing = 0.0
    private var beatPhase = 0.0
    private var baseline = 0.0
    private var dropoutLeft = 0
    private var nextDropout: Int
    private var accIndex = 0
    // Reference: running sums of the open windows, and the labels of the last few closed ones.
    private var openWindows: [(index: Int, sum: Double, samples: Int)] = []
    private var nextWindow = 0
    private var labels: [Int: Double] = [:]

    /// The standard deviation of the beat phase's random walk after one second (radians): the phase diffuses by
    /// 0.032 rad √(t / 1 s), about 4 ms of beat-to-beat interval jitter at rest, at every sample rate.
    static let phaseJitterPerRootSecond = 0.032

    /// The sensor noise's standard deviation per sample at level 1 and the rate it is given at: white noise of a
    /// fixed level per unit bandwidth, so the standard deviation per sample grows as √(rate / reference rate).
    static let ppgNoisePerSample = (atLevel1: 0.03, rateHz: 64.0)
    static let accNoisePerSample = (atLevel1: 0.01, rateHz: 32.0)

    /// The most samples a chunk holds per channel (2²⁰, 8 MB of timestamps), so that chunks stay small at any rate.
    public static let maximumChunkSamples = 1 << 20

    /// The shortest chunk accepted (seconds).
    public static let minimumChunkSeconds = 0.001

    /// PPG counts beyond which the simulated ADC saturates (with `saturation`).
    public static let saturationRails: ClosedRange<Float> = 1960...2200

    /// A sensor that makes `simulator`'s samples in chunks of `chunkSeconds`; `source` names it in errors.
    /// - Throws: `SimulationError` when the duration, a rate or the noise level is out of range
    ///   (`SensorSimulator.validate`), or `chunkSeconds` is shorter than `minimumChunkSeconds` or makes chunks of more
    ///   than `maximumChunkSamples` samples.
    public init(_ simulator: SensorSimulator, source: String = "simulation", chunkSeconds: Double = 0.25) throws {
        try simulator.validate(source: source)
        let fastestHz = max(simulator.ppgRateHz, simulator.accRateHz)
        guard chunkSeconds >= Self.minimumChunkSeconds, chunkSeconds * fastestHz <= Double(Self.maximumChunkSamples) else {
            throw SimulationError(source: source, setting: .chunkSeconds, value: chunkSeconds, allowed:
                "at least \(Self.minimumChunkSeconds) s and at most \(Self.maximumChunkSamples) samples at \(SensorSimulator.number(fastestHz)) Hz")
        }
        self.simulator = simulator
        self.chunkSeconds = chunkSeconds
        settings = StreamSettings(ppgRateHz: simulator.ppgRateHz, accRateHz: simulator.accRateHz, ppgChannels: 1, accChannels: 3)
        ppgCount = Int(simulator.durationSeconds * simulator.ppgRateHz)
        accCount = Int(simulator.durationSeconds * simulator.accRateHz)
        ppgNoise = Self.ppgNoisePerSample.atLevel1 * simulator.noiseLevel
            * (simulator.ppgRateHz / Self.ppgNoisePerSample.rateHz).squareRoot()
        accNoise = Self.accNoisePerSample.atLevel1 * simulator.noiseLevel
            * (simulator.accRateHz / Self.accNoisePerSample.rateHz).squareRoot()
        var seeds = SeededGenerator(seed: simulator.seed)
        var body = SeededGenerator(seed: seeds.next())
        person = 1 + 0.06 * body.gaussian()
        coupling = 0.5 + 0.4 * Double.random(in: 0..<1, using: &body)
        phaseOffsets = (0..<3).map { _ in Double.random(in: 0..<(2 * .pi), using: &body) }
        heart = SeededGenerator(seed: seeds.next())
        optics = SeededGenerator(seed: seeds.next())
        motionNoise = SeededGenerator(seed: seeds.next())
        faults = SeededGenerator(seed: seeds.next())
        gait = Gait(activity: simulator.activity, durationSeconds: simulator.durationSeconds, seed: seeds.next(),
                    span: Int(min(chunkSeconds, simulator.durationSeconds).rounded(.up)) + 4)
        currentBpm = simulator.activity.phase(at: 0).targetBpm * person
        nextDropout = Int(Double.random(in: 0..<min(120, simulator.durationSeconds - 3), using: &faults) * simulator.ppgRateHz)
    }

    /// The next chunk: PPG then accelerometer for each `chunkSeconds` in turn, nil after the last.
    public mutating func next() -> SensorChunk? {
        let chunks = Int((simulator.durationSeconds / chunkSeconds).rounded(.up))
        while chunk < chunks {
            let group = nextGroup
            let rate = group == .ppg ? simulator.ppgRateHz : simulator.accRateHz
            let total = group == .ppg ? ppgCount : accCount
            let end = min(total, Int((Double(chunk + 1) * chunkSeconds * rate).rounded()))
            if group == .acc { chunk += 1 }
            nextGroup = group == .ppg ? .acc : .ppg
            let start = group == .ppg ? ppgIndex : accIndex
            guard start < end else { continue }
            let samples = group == .ppg ? [(start..<end).map { _ in nextPPG() }] : accSamples(count: end - start)
            return SensorChunk(group: group, timestampsSeconds: (start..<end).map { Double($0) / rate }, samples: samples)
        }
        return nil
    }

    /// The exact mean heart rate of window `index`, once its last PPG sample has been made (the last 64 windows
    /// are kept).
    public func referenceBpm(ofWindow index: Int) -> Double? { labels[index] }

    private mutating func nextPPG() -> Float {
        let i = ppgIndex
        let dt = 1 / simulator.ppgRateHz
        let t = Double(i) * dt
        let now = simulator.activity.phase(at: Double(i) / Double(ppgCount))
        let target = now.targetBpm * person
        // The lag, the drift and the baseline are continuous-time processes (the drift and the baseline
        // Ornstein–Uhlenbeck, with steps of √dt) advanced by Euler steps: with time constants of 20 s and more and steps
        // of 1 s at most, their statistics are within 2.5 % of the continuous ones at every rate.
        currentBpm += (target - currentBpm) * dt / (target > currentBpm ? 20 : 40)
        drift += -drift * dt / 30 + 0.35 * heart.gaussian() * dt.squareRoot()
        breathing += 2 * .pi * now.breathingHz * dt
        let bpm = currentBpm + 2 * drift + 2 * sin(breathing)
        // Beat-to-beat jitter is a random walk of the phase, with steps of 0.032 rad × √dt: the same diffusion at every
        // rate (0.004 rad a sample at 64 Hz).
        beatPhase += 2 * .pi * bpm / 60 * dt + Self.phaseJitterPerRootSecond * dt.squareRoot() * heart.gaussian()
        record(bpm: bpm, at: i)

        let cycle = (beatPhase / (2 * .pi)).truncatingRemainder(dividingBy: 1)
        let systolic = Foundation.exp(-Foundation.pow((cycle - 0.2) / 0.08, 2))
        let diastolic = 0.45 * Foundation.exp(-Foundation.pow((cycle - 0.5) / 0.1, 2))
        let pulse = (systolic + diastolic) * (1 + 0.1 * sin(2 * .pi * 0.25 * t))
        baseline += -baseline * dt / 60 + 0.02 * optics.gaussian() * dt.squareRoot()
        let artefact = coupling * 0.8 * (gait.motion(at: t, axis: 0, phaseOffsets) + 0.5 * gait.motion(at: t, axis: 1, phaseOffsets))
        let value = pulse + artefact + 0.3 * sin(2 * .pi * 0.03 * t) + baseline + ppgNoise * optics.gaussian()
        var sample = Float(2000 + 150 * value)
        if simulator.saturation { sample = min(max(sample, Self.saturationRails.lowerBound), Self.saturationRails.upperBound) }
        ppgIndex += 1
        return dropout() ? .nan : sample
    }

    /// Whether the current PPG sample falls in a dropout of 1–3 s. The first starts within the first two minutes
    /// (so that any recording has one), the next ones an exponential time (mean 120 s) after the last one ends.
    private mutating func dropout() -> Bool {
        guard simulator.dropouts else { return false }
        if ppgIndex - 1 == nextDropout {
            dropoutLeft = Int(Double.random(in: 1...3, using: &faults) * simulator.ppgRateHz)
            let wait = -120 * Foundation.log(max(Double.random(in: 0..<1, using: &faults), 1e-12))
            nextDropout += dropoutLeft + Int(wait * simulator.ppgRateHz)
        }
        guard dropoutLeft > 0 else { return false }
        dropoutLeft -= 1
        return true
    }

    private mutating func accSamples(count: Int) -> [[Float]] {
        let gravity = [0.1, -0.3, 0.95]
        var axes = [[Float]](repeating: [], count: 3)
        for _ in 0..<count {
            let t = Double(accIndex) / simulator.accRateHz
            for axis in 0..<3 {
                let value = gravity[axis] + 0.6 * gait.motion(at: t, axis: axis, phaseOffsets) + accNoise * motionNoise.gaussian()
                axes[axis].append(Float(value))
            }
            accIndex += 1
        }
        return axes
    }

    /// Adds PPG sample `i`'s instantaneous rate to the windows that hold it, and labels the windows it completes.
    private mutating func record(bpm: Double, at i: Int) {
        let layout = WindowLayout.standard
        let rate = simulator.ppgRateHz
        let length = layout.samples(layout.windowSeconds, at: rate)
        while layout.startSample(ofWindow: nextWindow, at: rate) <= i {
            openWindows.append((nextWindow, 0, 0))
            nextWindow += 1
        }
        for w in openWindows.indices { openWindows[w].sum += bpm; openWindows[w].samples += 1 }
        while let first = openWindows.first, first.samples == length {
            labels[first.index] = first.sum / Double(length)
            labels[first.index - 64] = nil
            openWindows.removeFirst()
        }
    }
}

/// The simulated gait: per second, a cadence that wanders and a swing strength that random-walks, kept for the
/// last `span` seconds only.
struct Gait {
    let activity: Activity
    let durationSeconds: Double
    private var generator: SeededGenerator
    private var wander: RingValues
    private var strength: RingValues
    private var stepPhase: RingValues
    private var made = 1

    init(activity: Activity, durationSeconds: Double, seed: UInt64, span: Int) {
        self.activity = activity
        self.durationSeconds = durationSeconds
        generator = SeededGenerator(seed: seed)
        wander = RingValues(span: span, first: 0)
        strength = RingValues(span: span, first: 1)
        stepPhase = RingValues(span: span, first: 0)
    }

    /// Arm swing at half the cadence plus the step and its harmonic on `axis`, at time `t`.
    mutating func motion(at t: Double, axis: Int, _ phaseOffsets: [Double]) -> Double {
        let now = activity.phase(at: t / durationSeconds)
        guard now.cadenceHz > 0 else { return 0 }
        let s = Int(t)
        while made <= s + 1 { makeSecond() }
        let fraction = t - Double(s)
        let step = stepPhase[s] + (stepPhase[s + 1] - stepPhase[s]) * fraction
        let level = (now == .walk ? 0.5 : 1.0) * (strength[s] + (strength[s + 1] - strength[s]) * fraction)
        let arm = sin(step / 2 + phaseOffsets[axis])
        let impact = 0.5 * sin(step + 2 * phaseOffsets[axis]) + 0.2 * sin(2 * step)
        return level * (arm + impact)
    }

    private mutating func makeSecond() {
        let s = made
        wander[s] = 0.95 * wander[s - 1] + 0.01 * generator.gaussian()
        strength[s] = max(0.3, min(1.7, strength[s - 1] + 0.1 * generator.gaussian()))
        let cadence = activity.phase(at: Double(s) / durationSeconds).cadenceHz * (1 + wander[s])
        stepPhase[s] = stepPhase[s - 1] + 2 * .pi * cadence
        made += 1
    }
}

/// Values indexed by second, only the last `span` kept.
struct RingValues {
    private var values: [Double]

    init(span: Int, first: Double) {
        values = [Double](repeating: first, count: span)
    }

    subscript(second: Int) -> Double {
        get { values[second % values.count] }
        set { values[second % values.count] = newValue }
    }
}

extension SeededGenerator {
    /// A standard normal draw (Box–Muller).
    mutating func gaussian() -> Double {
        let u = max(Double.random(in: 0..<1, using: &self), 1e-12)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
