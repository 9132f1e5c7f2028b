import Foundation
import PulseSignals

/// Simulated wrist recordings with an exactly known heart rate: the settings, and the whole recording at once.
/// `SimulatedSensor` makes the same samples chunk by chunk, in constant memory, for streams of any length.
///
/// - Heart rate: a first-order response to the activity's target (time constant 20 s rising, 40 s falling), a
///   slow random drift, and respiratory sinus arrhythmia (±2 BPM at the breathing rate).
/// - PPG: each beat a systolic and a smaller, later diastolic wave (Gaussians in the beat's phase), with
///   beat-to-beat phase jitter, breathing modulation of the amplitude, baseline drift and sensor noise.
/// - Accelerometer (g): gravity plus the arm swing at half the step cadence and the step itself with its
///   harmonic, on three axes.
/// - Motion artefacts: the PPG picks up the same swing and step terms, scaled by a coupling drawn per recording.
/// - On request: saturation (the PPG clipped at fixed rails, as an ADC would) and dropouts (NaN runs of 1–3 s,
///   the first within two minutes, then about one every two minutes).
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

    /// The longest simulation accepted (seconds): a week.
    public static let maximumDurationSeconds = 7 * 86_400.0

    public init(durationSeconds: Double, activity: Activity, seed: UInt64) {
        self.durationSeconds = durationSeconds
        self.activity = activity
        self.seed = seed
    }

    /// Noise levels accepted: none to a hundred times a typical sensor's.
    public static let noiseLevelRange = 0.0...100.0

    /// Throws unless the duration, the rates and the noise level can be simulated.
    /// - Parameter source: the name used in errors.
    public func validate(source: String) throws {
        guard durationSeconds.isFinite, durationSeconds >= 8, durationSeconds <= Self.maximumDurationSeconds else {
            throw RecordingError(path: source, .unsupported("duration must be between 8 s and 7 days (got \(durationSeconds) s)"))
        }
        try Recording.checkSampleRate(ppgRateHz, field: "fs_ppg (--fs-ppg)", source: source)
        try Recording.checkSampleRate(accRateHz, field: "fs_acc (--fs-acc)", source: source)
        guard Self.noiseLevelRange.contains(noiseLevel) else {
            throw RecordingError(path: source, .unsupported("noise level (--noise) must lie within \(Self.noiseLevelRange) (got \(noiseLevel))"))
        }
    }

    /// Throws unless a whole recording of these settings fits in memory and in a file pulse can read back: each
    /// dataset holds at most `HDF5File.maximumElements` values. (A stream has no such limit: it is made chunk by
    /// chunk.)
    public func validateWholeRecording(source: String) throws {
        try validate(source: source)
        for (group, rate, channels) in [("PPG", ppgRateHz, 1.0), ("accelerometer", accRateHz, 3.0)] {
            let values = (durationSeconds * rate).rounded(.down) * channels
            guard values <= Double(HDF5File.maximumElements) else {
                throw RecordingError(path: source, .unsupported(
                    "\(durationSeconds) s at \(rate) Hz is \(String(format: "%.3g", values)) \(group) values "
                        + "(\(String(format: "%.3g", values * 4 / 1e9)) GB); a recording holds at most \(HDF5File.maximumElements) per dataset"))
            }
        }
    }

    /// The simulated recording.
    /// - Throws: `RecordingError` when the duration, a rate or the noise level is out of range, or the recording
    ///   would be too large (`validateWholeRecording`).
    public func recording(name: String) throws -> Recording {
        try validateWholeRecording(source: name)
        var sensor = try SimulatedSensor(self, source: name, chunkSeconds: 60)
        var ppg = [[Float]](repeating: [], count: 1)
        var acc = [[Float]](repeating: [], count: 3)
        var labels: [Float] = []
        while let chunk = sensor.next() {
            for (c, samples) in chunk.samples.enumerated() {
                if chunk.group == .ppg { ppg[c] += samples } else { acc[c] += samples }
            }
            while let label = sensor.referenceBpm(ofWindow: labels.count) { labels.append(Float(label)) }
        }
        let layout = WindowLayout.standard
        return Recording(
            name: name,
            ppg: SignalGroup(channels: ppg, sampleRateHz: ppgRateHz),
            acc: SignalGroup(channels: acc, sampleRateHz: accRateHz),
            reference: ReferenceHeartRate(bpm: labels, windowSeconds: layout.windowSeconds, shiftSeconds: layout.shiftSeconds),
            metadata: [
                "source": "pulse simulate", "activity": activity.rawValue, "seed": String(seed),
                "units": "PPG in counts, accelerometer in g, hr_bpm the mean instantaneous simulated heart rate per window",
                "hr_reference": "exact (simulated)",
            ])
    }
}
