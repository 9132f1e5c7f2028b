import Foundation
import PulseRuntime

/// What `pulse stream` reports at its end: estimates and flags, accuracy where the truth is known, latency,
/// throughput and resident memory.
struct StreamSummary {
    var windows = 0
    var estimated = 0
    var held = 0
    var flagCounts: [String: Int] = [:]
    var absoluteErrorSum = 0.0
    var scored = 0
    var latency = LatencyHistogram()
    var signalSeconds = 0.0
    var wallSeconds = 0.0
    var memoryAtStart: (bytes: Int, peakBytes: Int)?
    var memoryAtEnd: (bytes: Int, peakBytes: Int)?

    mutating func add(_ estimate: StreamEstimate, referenceBpm: Double?) {
        windows += 1
        if estimate.flags.contains(.held) { held += 1 } else if estimate.bpm != nil { estimated += 1 }
        for name in estimate.flags.names { flagCounts[name, default: 0] += 1 }
        if let bpm = estimate.bpm, !estimate.flags.contains(.held), let referenceBpm {
            absoluteErrorSum += abs(bpm - referenceBpm)
            scored += 1
        }
    }

    var maeBpm: Double? { scored > 0 ? absoluteErrorSum / Double(scored) : nil }

    var text: String {
        var lines = ["\(windows) windows, \(estimated) estimated" + (held > 0 ? ", \(held) held" : "")
            + ", \(windows - estimated - held) without estimate"]
        if !flagCounts.isEmpty {
            lines.append("flags: " + flagCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let maeBpm { lines.append("MAE \(format(maeBpm, 2)) BPM over \(scored) windows") }
        if let median = latency.quantile(0.5), let p99 = latency.quantile(0.99) {
            lines.append("latency median \(format(median * 1000, 3)) ms, p99 \(format(p99 * 1000, 3)) ms, max \(format(latency.maximumSeconds * 1000, 3)) ms")
        }
        lines.append("\(format(signalSeconds, 0)) s of signal in \(format(wallSeconds, 2)) s: "
            + "\(format(signalSeconds / max(wallSeconds, 1e-9), 0)) signal seconds per wall second")
        if let start = memoryAtStart, let end = memoryAtEnd {
            lines.append("resident memory \(megabytes(start.bytes)) MB at start, \(megabytes(end.bytes)) MB at end (peak \(megabytes(end.peakBytes)) MB)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var object: [String: Any] {
        var object: [String: Any] = [
            "windows": windows, "estimated": estimated, "held": held, "flags": flagCounts,
            "signal_s": signalSeconds, "wall_s": wallSeconds, "signal_s_per_wall_s": signalSeconds / max(wallSeconds, 1e-9),
        ]
        if let maeBpm { object["mae_bpm"] = maeBpm; object["scored_windows"] = scored }
        if let median = latency.quantile(0.5), let p99 = latency.quantile(0.99) {
            object["latency_ms"] = ["median": median * 1000, "p99": p99 * 1000, "max": latency.maximumSeconds * 1000]
        }
        if let start = memoryAtStart, let end = memoryAtEnd {
            object["rss_bytes"] = ["start": start.bytes, "end": end.bytes, "peak": end.peakBytes]
        }
        return object
    }

    private func megabytes(_ bytes: Int) -> String { format(Double(bytes) / 1_048_576, 1) }
}
