import PulseSignals

/// HDF5 files that break the recording layout in one known way, for tests of error reporting.
public enum BrokenRecordingFile {
    /// Writes a file at `path` with an accelerometer and both rates but no `/ppg` dataset.
    public static func withoutPPG(at path: String) throws {
        let file = try HDF5File.create(path)
        try file.write([Float](repeating: 0, count: 3000), shape: [3, 1000], as: "acc")
        try file.write(.number(125), as: "fs_ppg")
        try file.write(.number(125), as: "fs_acc")
    }
}
