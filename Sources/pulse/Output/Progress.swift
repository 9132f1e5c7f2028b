import Foundation

/// A one-line progress display on standard error, shown only when standard error is a terminal.
final class Progress {
    private let total: Int
    private let label: String
    private let enabled = isatty(STDERR_FILENO) != 0

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    /// Shows that item `done` (from 0) of `total` is under way.
    func update(_ done: Int, detail: String) {
        guard enabled else { return }
        let width = 24
        let filled = total > 0 ? width * done / total : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done + 1)/\(total) \(detail)\u{1B}[K".utf8))
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
