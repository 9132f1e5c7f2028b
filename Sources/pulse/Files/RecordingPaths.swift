import Foundation
import PulseSignals

/// Expands command-line paths: a file stays itself, a folder becomes its `.h5` files in name order. The same file
/// reached twice (named twice, or once by name and once through its folder or a link) is refused: it would be
/// counted twice, or land in training and test at once.
enum RecordingPaths {
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
        var seen: [(path: String, identity: FileIdentity)] = []
        for path in result {
            let identity = FileIdentity(path)
            if let earlier = seen.first(where: { $0.identity == identity }) { throw RecordingError(path: path, .givenTwice(earlier.path)) }
            seen.append((path, identity))
        }
        return result
    }
}
