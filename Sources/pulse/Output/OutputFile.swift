import PulseSignals

/// Files the CLI writes besides its standard output.
enum OutputFile {
    /// Writes `text` to `path`, with an error that names the file.
    static func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw RecordingError(path: path, .writeFailed("its folder is missing or not writable"))
        }
    }
}
