import Foundation
import PulseSignals

/// The files a run writes besides its standard output, checked together before any work: none may be one of the
/// run's inputs or another of its outputs, an existing one needs `--force`, and each folder must take a new file.
/// Each is then written atomically (`AtomicFile`), and `--force` is checked again at the moment of writing.
struct OutputPlan {
    private let inputs: [(path: String, identity: FileIdentity)]
    private var outputs: [(path: String, identity: FileIdentity)] = []

    /// A plan for a run that reads `inputs` (recordings, models, CSV files).
    init(inputs: [String]) {
        self.inputs = inputs.map { ($0, FileIdentity($0)) }
    }

    /// Adds an output, throwing `RecordingError` naming it when it is an input or another output of the run, when
    /// it exists and `force` is false, or when its folder takes no new file.
    mutating func add(_ path: String, force: Bool) throws {
        let identity = FileIdentity(path)
        if let input = inputs.first(where: { $0.identity == identity }) {
            throw RecordingError(path: path, .outputIsInput(input.path))
        }
        if let other = outputs.first(where: { $0.identity == identity }) {
            throw RecordingError(path: path, .outputTwice(other.path))
        }
        try AtomicFile.checkWritable(path)
        if !force && FileManager.default.fileExists(atPath: path) { throw RecordingError(path: path, .exists) }
        outputs.append((path, identity))
    }
}

/// Writes the CLI's output files atomically; `force` allows replacing an existing file.
enum OutputFile {
    /// Writes `text` to `path`.
    static func write(_ text: String, to path: String, force: Bool) throws {
        try AtomicFile.write(to: path, replacing: force) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
                throw RecordingError(path: path, .writeFailed("the disk refused the content"))
            }
        }
    }

    /// Writes `recording` to `path` in the HDF5 layout.
    static func write(_ recording: Recording, to path: String, force: Bool) throws {
        try recording.writeHDF5(to: path, replacing: force)
    }
}
