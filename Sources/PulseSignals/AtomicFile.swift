import Foundation

/// Writes a file atomically: the content goes to a new temporary file in the destination's folder, which is then
/// renamed into place, so that a reader sees the old file or the whole new one, a failed write leaves nothing
/// behind, and no other file is touched.
///
/// Without `replacing`, the temporary file is hard-linked to the destination, which fails if a file appeared
/// there in the meantime: an existing file is never replaced, even one created while the content was written.
public enum AtomicFile {
    /// Writes `path` by running `body` on a temporary path in the same folder, then moving the result into place.
    /// - Parameter replacing: whether an existing file at `path` may be replaced.
    /// - Throws: `RecordingError` naming `path`: `.exists` when a file is there and `replacing` is false,
    ///   `.writeFailed` with the system's reason otherwise; or whatever `body` throws. The temporary file is
    ///   removed on every failure.
    public static func write(to path: String, replacing: Bool, _ body: (String) throws -> Void) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { throw RecordingError(path: path, .writeFailed("it is a folder")) }
            if !replacing { throw RecordingError(path: path, .exists) }
        }
        let temporary = try makeTemporary(besides: path)
        do {
            try body(temporary)
            try commit(temporary, to: path, replacing: replacing)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Throws unless a file can be created in `path`'s folder (by creating and removing a uniquely named one), so
    /// that a long run finds out before it starts.
    public static func checkWritable(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw RecordingError(path: path, .writeFailed("it is a folder"))
        }
        unlink(try makeTemporary(besides: path))
    }

    /// A new, empty, uniquely named file in `path`'s folder.
    private static func makeTemporary(besides path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array(url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).pulse-XXXXXX").path.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else {
            let reason = errno
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) || !isFolder.boolValue {
                throw RecordingError(path: path, .writeFailed("its folder \(folder) does not exist"))
            }
            throw RecordingError(path: path, .writeFailed("no file can be created in \(folder): \(systemMessage(reason))"))
        }
        // mkstemp creates the file for its owner alone; give it the mode any new file of the user's gets.
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
        close(descriptor)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func commit(_ temporary: String, to path: String, replacing: Bool) throws {
        if replacing {
            guard rename(temporary, path) == 0 else {
                throw RecordingError(path: path, .writeFailed(systemMessage(errno)))
            }
            return
        }
        guard link(temporary, path) == 0 else {
            let reason = errno
            if reason == EEXIST { throw RecordingError(path: path, .exists) }
            throw RecordingError(path: path, .writeFailed(systemMessage(reason)))
        }
        unlink(temporary)
    }

    private static func systemMessage(_ code: Int32) -> String { String(cString: strerror(code)) }
}
