import Foundation
import PulseSignals

/// Files the CLI writes besides its standard output.
enum OutputFile {
    /// Throws unless a file can be written at `path` (a folder there, or a missing or read-only folder, cannot),
    /// so that a long run finds out before it starts.
    static func checkWritable(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw RecordingError(path: path, .writeFailed("it is a folder"))
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw RecordingError(path: path, .writeFailed("its folder is missing or not writable"))
        }
    }

    /// Writes `text` to `path`, with an error that names the file.
    static func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw RecordingError(path: path, .writeFailed("its folder is missing or not writable"))
        }
    }

    /// Writes `recording` to `path` in the HDF5 layout, refusing to replace an existing file unless `force`.
    static func write(_ recording: Recording, to path: String, force: Bool) throws {
        if FileManager.default.fileExists(atPath: path) && !force { throw RecordingError(path: path, .exists) }
        do {
            try recording.writeHDF5(to: path)
        } catch {
            throw RecordingError(path: path, .writeFailed("its folder is missing or not writable"))
        }
    }
}
