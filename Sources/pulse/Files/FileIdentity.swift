import Foundation

/// What a path names on disk, so that two spellings of one file (`./a.h5`, `x/../a.h5`, a symbolic or hard
/// link) compare equal: the device and inode of an existing file, and for a path that does not exist yet its
/// folder's resolved path and its name.
struct FileIdentity: Equatable {
    /// The absolute path with every symbolic link in its existing part resolved.
    let canonicalPath: String
    /// Device and inode, when the file exists.
    let inode: (device: UInt64, inode: UInt64)?

    init(_ path: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var status = stat()
        if stat(url.path, &status) == 0 {
            inode = (UInt64(status.st_dev), UInt64(status.st_ino))
            canonicalPath = url.resolvingSymlinksInPath().path
        } else {
            inode = nil
            canonicalPath = url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).path
        }
    }

    static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        if let x = a.inode, let y = b.inode { return x == y }
        return a.canonicalPath == b.canonicalPath
    }
}
