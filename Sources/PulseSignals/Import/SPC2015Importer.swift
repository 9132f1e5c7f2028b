import Foundation

/// Reads the IEEE Signal Processing Cup 2015 training files (MATLAB 5): `DATA_xx_TYPEyy.mat` (variable `sig`,
/// 6 x N at 125 Hz: ECG, PPG1, PPG2, ACC x, y, z) with `DATA_xx_TYPEyy_BPMtrace.mat` (variable `BPM0`, the ECG
/// heart rate per 8 s window, 2 s shift), and the extra `DATA_S04_T01.mat` with `BPM_S04_T01.mat`.
public enum SPC2015Importer {
    /// The sample rate of every SPC 2015 channel, in Hz.
    public static let sampleRateHz = 125.0

    /// One recording of the set: its signal file and its reference file.
    public struct Pair: Sendable, Equatable {
        public var name: String
        public var signalPath: String
        public var referencePath: String
        /// Whether the pair comes from the extra training data (`Extra_TrainingData`).
        public var isExtra: Bool
    }

    /// Finds every signal file under `directory` (recursively) and its reference file, sorted by name.
    /// - Throws: `RecordingError` when the folder is missing, holds no SPC 2015 file, or a reference is missing.
    public static func pairs(in directory: String) throws -> [Pair] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw RecordingError(path: directory, .fileNotFound)
        }
        guard isDirectory.boolValue else { throw RecordingError(path: directory, .notAFolder) }
        let root = URL(fileURLWithPath: directory)
        let files = (FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".mat") }
        var pairs: [Pair] = []
        for relative in files {
            let url = root.appendingPathComponent(relative)
            let name = url.deletingPathExtension().lastPathComponent
            guard name.hasPrefix("DATA_"), !name.hasSuffix("_BPMtrace") else { continue }
            let folder = url.deletingLastPathComponent()
            let candidates = [name + "_BPMtrace.mat", "BPM_" + name.dropFirst("DATA_".count) + ".mat"]
            guard let reference = candidates.map({ folder.appendingPathComponent($0) })
                .first(where: { FileManager.default.fileExists(atPath: $0.path) })
            else { throw RecordingError(path: folder.appendingPathComponent(candidates[0]).path, .fileNotFound) }
            pairs.append(Pair(name: name, signalPath: url.path, referencePath: reference.path,
                              isExtra: relative.contains("Extra")))
        }
        guard !pairs.isEmpty else {
            throw RecordingError(path: directory, .unsupported("no SPC 2015 signal file (DATA_*.mat) in the folder"))
        }
        return pairs.sorted { $0.name < $1.name }
    }

    /// Reads one recording from its pair of files.
    public static func recording(_ pair: Pair) throws -> Recording {
        let signal = try MATFile(path: pair.signalPath).variable("sig")
        guard signal.dimensions.count == 2, signal.dimensions[0] == 6, signal.dimensions[1] > 0 else {
            throw RecordingError(path: pair.signalPath, .badShape(field: "sig", detail: "expected 6 x N, got \(signal.dimensions)"))
        }
        let reference = try MATFile(path: pair.referencePath).variable("BPM0")
        guard reference.dimensions.filter({ $0 != 1 }).count <= 1 else {
            throw RecordingError(path: pair.referencePath, .badShape(field: "BPM0", detail: "expected one label per window, got \(reference.dimensions)"))
        }
        let count = signal.dimensions[1]
        let row = { (r: Int) in (0..<count).map { Float(signal[r, $0]) } }
        let parts = pair.name.split(separator: "_").map(String.init)
        let subject = parts.count > 1 ? parts[1] : pair.name
        let activity = parts.count > 2 ? parts[2] : ""
        var metadata = [
            "recording_id": pair.name,
            "subject": subject,
            "activity": activity,
            "split": pair.isExtra ? "extra_train" : "train",
            "ppg_channels": "PPG1,PPG2 (green 515 nm, wrist, 2 cm apart)",
            "acc_channels": "x,y,z (wrist)",
            "units": "raw ADC counts as distributed (PPG, ACC, ECG); hr_bpm in beats/min",
            "hr_reference": "ECG-derived (chest), window k = samples [250k, 250k+1000)",
            "source": URL(fileURLWithPath: pair.signalPath).lastPathComponent + " + "
                + URL(fileURLWithPath: pair.referencePath).lastPathComponent,
            "license": "IEEE SPC 2015 (Z. Zhang): free for the Signal Processing Cup or academic research with "
                + "citation. Cite: Z. Zhang, Z. Pi, B. Liu, TROIKA, IEEE TBME 62(2):522-531, 2015",
        ]
        if let description = activityDescriptions[activity] { metadata["activity_desc"] = description }
        return Recording(
            name: pair.name,
            ppg: SignalGroup(channels: [row(1), row(2)], sampleRateHz: sampleRateHz),
            acc: SignalGroup(channels: [row(3), row(4), row(5)], sampleRateHz: sampleRateHz),
            ecg: SignalGroup(channels: [row(0)], sampleRateHz: sampleRateHz),
            reference: ReferenceHeartRate(bpm: reference.values.map { Float($0) }, windowSeconds: 8, shiftSeconds: 2),
            metadata: metadata)
    }

    /// The protocols of the set, from the organisers' description.
    private static let activityDescriptions = [
        "TYPE01": "treadmill: rest30s-8km/h1min-15km/h1min-8km/h1min-15km/h1min-rest30s",
        "TYPE02": "treadmill: rest30s-6km/h1min-12km/h1min-6km/h1min-12km/h1min-rest30s",
        "T01": "arm rehab-type forearm/upper-arm movements, running, jump, push-up",
    ]
}
