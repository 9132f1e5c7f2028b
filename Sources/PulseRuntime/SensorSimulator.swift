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
///
/// Every random process is defined in continuous time, so its statistics do not depend on the sample rates:
/// random walks and drifts step by √dt, the gait wanders once per second, dropouts last and recur in seconds, and
/// the sensor noise is white with a fixed level per unit bandwidth (see `noiseLevel`).
public struct SensorSimulator: Sendable {
    /// The recording's length, `minimumDurationSeconds...maximumDurationSeconds`.
    public var durationSeconds: Double
    public var activity: Activity
    /// The same seed gives the same samples, whole or streamed in any chunks.
    public var seed: UInt64
    /// The sample rates, within `Recording.sampleRateRangeHz`.
    public var ppgRateHz = 64.0
    public var accRateHz = 32.0
    /// Multiplies the sensor noise (1 is typical of a green-light wrist sensor at rest). The noise is white with a
    /// fixed level per unit bandwidth, as an integrating sensor's: at level 1 a PPG sample at 64 Hz has a standard
    /// deviation of 4.5 counts and an accelerometer sample at 32 Hz one of 0.01 g; at other rates √(rate / 64 Hz)
    /// (√(rate / 32 Hz)) times that, so the noise within the heart-rate band is the same at every rate.
    public var noiseLevel = 1.0
    /// Clip the PPG at `SimulatedSensor.saturationRails`.
    public var saturation = false
    /// Drop out stretches of 1–3 s of PPG (NaN).
    public var dropouts = false

    /// The shortest simulation accepted (seconds): one analysis window.
    public static let minimumDurationSeconds = 8.0

    /// The longest simulation accepted (seconds): a week.
    public static let maximumDurationSeconds = 7 * 86_400.0

    /// Noise levels accepted: none to a hundred times a typical sensor's.
    public static let noiseLevelRange = 0.0...100.0

    /// The most values a whole recording may hold (PPG, accelerometer and reference together): the most pulse reads
    /// back from one file, `HDF5File.maximumElements` (2²⁸, 1 GiB as 32-bit floats). A stream has no such limit: it
    /// is made chunk by chunk.
    public static let maximumValuesPerRecording = HDF5File.maximumElements

    /// Settings with the default rates (64 Hz PPG, 32 Hz accelerometer), typical noise, no faults; checked by
    /// `validate` and when simulating, not here.
    public init(durationSeconds: Double, activity: Activity, seed: UInt64) {
        self.durationSeconds = durationSeconds
        self.activity = activity
        self.seed = seed
    }

    /// Throws unless the duration, the rates and the noise level can be simulated.
    /// - Parameter source: the name used in errors.
    /// - Throws: `SimulationError` naming the setting: a duration outside
    ///   `minimumDurationSeconds...maximumDurationSeconds`, a rate outside `Recording.sampleRateRangeHz`, a noise
    ///   level outside `noiseLevelRange` (NaN and infinities included).
    public func validate(source: String) throws {
        let durationRange = Self.minimumDurationSeconds...Self.maximumDurationSeconds
        guard durationRange.contains(durationSeconds) else {
            throw SimulationError(source: source, setting: .durationSeconds, value: durationSeconds,
                                  allowed: "between 8 s and 7 days")
        }
        let rates = Recording.sampleRateRangeHz
        let allowedRates = "between \(Int(rates.lowerBound)) and \(Int(rates.upperBound)) Hz"
        for (setting, rate) in [(SimulationError.Setting.ppgRateHz, ppgRateHz), (.accRateHz, accRateHz)] where !rates.contains(rate) {
            throw SimulationError(source: source, setting: setting, value: rate, allowed: allowedRates)
        }
        guard Self.noiseLevelRange.contains(noiseLevel) else {
            throw SimulationError(source: source, setting: .noiseLevel, value: noiseLevel,
                                  allowed: "between \(Int(Self.noiseLevelRange.lowerBound)) and \(Int(Self.noiseLevelRange.upperBound))")
        }
    }

    /// Throws unless the settings can be simulated (`validate`) and the whole recording holds at most
    /// `maximumValuesPerRecording` values: a PPG sample is one, an accelerometer sample three, a window's reference
    /// one. The limit bounds the memory of `recording` (4 bytes a value) before any work starts.
    /// - Throws: `SimulationError` naming the setting, and for a recording too large its size in values and bytes
    ///   (the setting is the rate of the group with more values).
    public func validateWholeRecording(source: String) throws {
        try validate(source: source)
        let ppgValues = (durationSeconds * ppgRateHz).rounded(.down)
        let accValues = 3 * (durationSeconds * accRateHz).rounded(.down)
        let labels = Double(WindowLayout.standard.windowCount(sampleCount: Int(ppgValues), sampleRateHz: ppgRateHz))
        let values = ppgValues + accValues + labels
        guard values <= Double(Self.maximumValuesPerRecording) else {
            let setting = ppgValues >= accValues ? SimulationError.Setting.ppgRateHz : .accRateHz
            throw SimulationError(source: source, setting: setting, detail:
                "\(Self.number(durationSeconds)) s (--duration) at \(Self.number(ppgRateHz)) Hz (--fs-ppg) and "
                + "\(Self.number(accRateHz)) Hz (--fs-acc) would make \(String(format: "%.3g", ppgValues)) PPG values and "
                + "\(String(format: "%.3g", accValues)) accelerometer values (\(Self.bytes(values * 4)) as 32-bit floats), more "
                + "than the \(Self.maximumValuesPerRecording) (2^28) pulse reads back from one file; shorten --duration or "
                + "lower \(setting.option)")
        }
    }

    /// The simulated recording.
    /// - Throws: `SimulationError` when the duration, a rate or the noise level is out of range, or the recording
    ///   would be too large (`validateWholeRecording`).
    public func recording(name: String) throws -> Recording {
        try validateWholeRecording(source: name)
        // Chunks of a minute, shorter at high rates so that each stays within half of the chunk limit.
        let chunkSeconds = min(60, Double(SimulatedSensor.maximumChunkSamples / 2) / max(ppgRateHz, accRateHz))
        var sensor = try SimulatedSensor(self, source: name, chunkSeconds: chunkSeconds)
        var ppg = [[Float]](repeating: [], count: 1)
        var acc = [[Float]](repeating: [], count: 3)
        ppg[0].reserveCapacity(Int(durationSeconds * ppgRateHz))
        for axis in acc.indices { acc[axis].reserveCapacity(Int(durationSeconds * accRateHz)) }
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

    /// `value` without a fraction when it has none.
    static func number(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// `count` bytes in decimal units (kB, MB, GB, TB).
    private static func bytes(_ count: Double) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB"]
        let power = max(0, min(units.count - 1, Int(Foundation.log10(max(count, 1)) / 3)))
        return String(format: power == 0 ? "%.0f %@" : "%.3g %@", count / Foundation.pow(1000, Double(power)), units[power])
    }
}

/// Simulator settings that cannot be simulated, naming the setting, the command-line option that sets it and why.
public struct SimulationError: Error, Equatable, CustomStringConvertible {
    /// A setting of `SensorSimulator` or `SimulatedSensor`.
    public enum Setting: String, Sendable {
        case durationSeconds, ppgRateHz, accRateHz, noiseLevel, chunkSeconds

        /// The setting's name in messages, with its option unless the name says it.
        public var name: String {
            switch self {
            case .durationSeconds: return "duration"
            case .ppgRateHz: return "fs_ppg (--fs-ppg)"
            case .accRateHz: return "fs_acc (--fs-acc)"
            case .noiseLevel: return "noise level (--noise)"
            case .chunkSeconds: return "chunk length (chunkSeconds)"
            }
        }

        /// The command-line option that sets it (the property's name for `chunkSeconds`, which no option sets).
        public var option: String {
            switch self {
            case .durationSeconds: return "--duration"
            case .ppgRateHz: return "--fs-ppg"
            case .accRateHz: return "--fs-acc"
            case .noiseLevel: return "--noise"
            case .chunkSeconds: return "chunkSeconds"
            }
        }
    }

    /// The simulation (the file it is for, or the stream) named in the message.
    public var source: String
    /// The setting at fault (a too large recording names the rate of the group that overflows).
    public var setting: Setting
    /// What is wrong, naming the option.
    public var detail: String

    /// An error about `setting` of the simulation `source`, `detail` saying what is wrong.
    public init(source: String, setting: Setting, detail: String) {
        self.source = source
        self.setting = setting
        self.detail = detail
    }

    /// A value outside what `setting` allows: "`name` must be `allowed` (got `value`)", the option named once.
    public init(source: String, setting: Setting, value: Double, allowed: String) {
        let option = setting.name.contains(setting.option) ? "" : setting.option + " "
        self.init(source: source, setting: setting,
                  detail: "\(setting.name) must be \(allowed) (got \(option)\(SensorSimulator.number(value)))")
    }

    /// "`source`: `detail`".
    public var description: String { "\(source): \(detail)" }
}
