import Foundation

/// Checks made before any reader opens a file the user named.
enum InputFile {
    /// Throws unless `path` names (directly or through symbolic links) an existing regular file that this process
    /// may read. A folder, a pipe or a device is refused, so that no reader blocks or misreads it.
    static func checkReadable(_ path: String) throws {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved) else {
            let parent = URL(fileURLWithPath: resolved).deletingLastPathComponent().path
            if FileManager.default.fileExists(atPath: parent) && !FileManager.default.isExecutableFile(atPath: parent) {
                throw RecordingError(path: path, .unreadable("permission denied on its folder"))
            }
            throw RecordingError(path: path, .fileNotFound)
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw RecordingError(path: path, .unreadable("not a regular file"))
        }
        guard FileManager.default.isReadableFile(atPath: resolved) else {
            throw RecordingError(path: path, .unreadable("permission denied"))
        }
    }
}
