import Foundation
import PulseDSP
import PulseSignals

/// Expands command-line paths and reads recordings, so that every error names the file it came from.
enum RecordingPaths {
    /// A file stays itself, a folder becomes its `.h5` files in name order.
    static func expand(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RecordingError(path: path, .fileNotFound)
            }
            if isDirectory.boolValue {
                guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                    throw RecordingError(path: path, .unreadable("cannot list the folder"))
                }
                let names = entries.filter { $0.hasSuffix(".h5") }.sorted()
                guard !names.isEmpty else { throw RecordingError(path: path, .unsupported("folder holds no .h5 recording")) }
                result += names.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
            } else {
                result.append(path)
            }
        }
        return result
    }

    /// Runs `estimator` on the recording read from `path`; errors are reported against `path`.
    static func estimate(_ estimator: any HeartRateEstimator, path: String) throws -> (Recording, [WindowEstimate]) {
        let recording = try Recording(hdf5Path: path)
        do {
            return (recording, try estimator.estimate(recording, layout: .standard))
        } catch var error as RecordingError {
            error.path = path
            throw error
        } catch let error as DSPError {
            throw RecordingError(path: path, .cannotEstimate(error.message))
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
}
