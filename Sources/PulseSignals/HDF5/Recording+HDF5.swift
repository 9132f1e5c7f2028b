import Foundation

extension Recording {
    /// Reads a recording stored in the shared layout: `/ppg` `[channels, N]`, `/acc` `[3, N]`, optional
    /// `/ecg` and `/hr_bpm`, attributes `fs_ppg`, `fs_acc` (Hz), `window_s`, `shift_s`, and text metadata.
    ///
    /// The recording is validated (`validate(source:layout:)`) before it is returned.
    /// - Throws: `RecordingError` naming the file and the dataset, attribute or sample at fault.
    public init(hdf5Path path: String, layout: WindowLayout = .standard) throws {
        let file = try HDF5Contents(path: path)
        let ppgRate = try file.sampleRate("fs_ppg")
        let accRate = try file.sampleRate("fs_acc")
        let ppg = SignalGroup(channels: try file.channels("ppg"), sampleRateHz: ppgRate)
        let acc = SignalGroup(channels: try file.channels("acc"), sampleRateHz: accRate)
        var ecg: SignalGroup?
        if file.contains("ecg") {
            let rate = try file.number("fs_ecg") == nil ? ppgRate : try file.sampleRate("fs_ecg")
            ecg = SignalGroup(channels: try file.channels("ecg"), sampleRateHz: rate)
        }
        var reference: ReferenceHeartRate?
        if file.contains("hr_bpm") {
            let (shape, bpm) = try file.readFloats("hr_bpm")
            guard shape.count == 1 || (shape.count == 2 && shape.contains(1)) else {
                throw RecordingError(path: path, .badShape(field: "/hr_bpm", detail: "expected one label per window, got \(shape)"))
            }
            reference = ReferenceHeartRate(
                bpm: bpm,
                windowSeconds: try file.number("window_s") ?? layout.windowSeconds,
                shiftSeconds: try file.number("shift_s") ?? layout.shiftSeconds)
        }
        var metadata: [String: String] = [:]
        for name in file.attributeNames {
            // Metadata is optional: attributes that are arrays or of other types are left out.
            if case .text(let text)? = try? file.attribute(name) { metadata[name] = text }
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        self.init(name: name, ppg: ppg, acc: acc, ecg: ecg, reference: reference, metadata: metadata)
        try validate(source: path, layout: layout)
    }

    /// Writes the recording in the shared layout, atomically (`AtomicFile`).
    /// - Parameter replacing: whether an existing file at `path` may be replaced; without it, one is an error.
    public func writeHDF5(to path: String, replacing: Bool = true) throws {
        try AtomicFile.write(to: path, replacing: replacing) { temporary in try writeHDF5Content(to: temporary) }
    }

    private func writeHDF5Content(to path: String) throws {
        let file = try HDF5File.create(path)
        try file.write(ppg.channels.flatMap { $0 }, shape: [ppg.channelCount, ppg.sampleCount], as: "ppg")
        try file.write(acc.channels.flatMap { $0 }, shape: [acc.channelCount, acc.sampleCount], as: "acc")
        try file.write(.number(ppg.sampleRateHz), as: "fs_ppg")
        try file.write(.number(acc.sampleRateHz), as: "fs_acc")
        if let ecg {
            try file.write(ecg.channels.flatMap { $0 }, shape: [ecg.channelCount, ecg.sampleCount], as: "ecg")
            try file.write(.number(ecg.sampleRateHz), as: "fs_ecg")
        }
        if let reference {
            try file.write(reference.bpm, shape: [reference.bpm.count], as: "hr_bpm")
            try file.write(.number(reference.windowSeconds), as: "window_s")
            try file.write(.number(reference.shiftSeconds), as: "shift_s")
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            try file.write(.text(value), as: key)
        }
    }
}

extension HDF5Contents {
    /// A numeric root attribute, or `nil` when absent.
    fileprivate func number(_ name: String) throws -> Double? {
        switch try attribute(name) {
        case .number(let value)?: return value
        case .text?: throw RecordingError(path: path, .unsupported("attribute \(name) is a text, expected a number"))
        case nil: return nil
        }
    }

    /// A required sample-rate attribute in Hz, within `Recording.sampleRateRangeHz`.
    fileprivate func sampleRate(_ name: String) throws -> Double {
        guard let value = try number(name) else { throw RecordingError(path: path, .missingAttribute(name)) }
        try Recording.checkSampleRate(value, field: name, source: path)
        return value
    }

    /// A `[channels, N]` (or `[N]`) dataset split into channels.
    fileprivate func channels(_ name: String) throws -> [[Float]] {
        let (shape, values) = try readFloats(name)
        switch shape.count {
        case 1:
            return [values]
        case 2 where shape[0] >= 1 && shape[1] >= 1:
            let length = shape[1]
            return (0..<shape[0]).map { Array(values[($0 * length)..<(($0 + 1) * length)]) }
        default:
            throw RecordingError(path: path, .badShape(field: "/" + name, detail: "expected [channels, samples], got \(shape)"))
        }
    }
}
