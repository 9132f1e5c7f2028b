import Foundation
import PulseSearch

/// The search's progress on a terminal: one line per evaluated candidate (always, on standard error), and on a
/// terminal a status line with the generation, the front, candidates per minute and the time left.
final class SearchProgressView {
    private let terminal = isatty(STDERR_FILENO) != 0

    func show(_ progress: OperatorSearch.Progress) {
        var line = ""
        if let result = progress.lastResult {
            let rewrites = (result.label.map { "\($0): " } ?? "")
                + (result.candidate.rewrites.isEmpty ? "the model itself" : result.candidate.rewrites.map(\.description).joined(separator: "; "))
            switch result.status {
            case .evaluated:
                line = "  \(result.id): MAE \(format(result.maeBpm ?? .nan, 2)) BPM, \(format((result.seconds ?? .nan) * 1e3, 3)) ms, "
                    + "\(format(result.evaluationSeconds, 1)) s: \(rewrites)"
            case .inapplicable, .overMemory, .failed:
                line = "  \(result.id): \(result.status.rawValue) (\(result.error ?? "")): \(rewrites)"
            }
        }
        let front = progress.front.map { "\(format($0.maeBpm, 2))@\(format($0.seconds * 1e3, 2))ms" }.joined(separator: " ")
        let status = "generation \(progress.generation + 1)/\(progress.generations), \(progress.evaluated) evaluated"
            + (progress.reused > 0 ? " (+\(progress.reused) from the work dir)" : "")
            + ", \(format(progress.candidatesPerMinute, 1))/min, \(format(progress.secondsLeft / 60, 1)) min left; front: \(front)"
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\n\(status)".utf8))
        } else {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
