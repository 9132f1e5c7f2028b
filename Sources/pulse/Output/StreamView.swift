import Foundation
import PulseRuntime

/// How `pulse stream` shows its estimates: JSON lines, a line of text each, or, on a terminal, a live view that
/// redraws the current rate, a trend of the last minute and the flags in place.
struct StreamView {
    enum Format: String, CaseIterable { case text, jsonl }

    let outputFormat: Format
    let live: Bool
    private var trend: [Double?] = []
    private var drawnLines = 0

    /// Estimates the trend shows (2 minutes at a 2 s shift).
    static let trendLength = 60

    init(format: Format, live: Bool) {
        outputFormat = format
        self.live = live && format == .text
    }

    mutating func show(_ estimate: StreamEstimate, referenceBpm: Double?) throws {
        switch outputFormat {
        case .jsonl:
            print(try JSONText.encode(Self.object(estimate, referenceBpm: referenceBpm)))
        case .text where live:
            trend.append(estimate.bpm)
            if trend.count > Self.trendLength { trend.removeFirst() }
            redraw(estimate, referenceBpm: referenceBpm)
        case .text:
            print(Self.line(estimate, referenceBpm: referenceBpm))
        }
    }

    /// Leaves the live view in place and moves below it.
    func close() {
        if live && drawnLines > 0 { print("") }
    }

    static func object(_ e: StreamEstimate, referenceBpm: Double?) -> [String: Any] {
        var object: [String: Any] = [
            "window": e.index, "t_s": e.endSeconds, "hr_bpm": e.bpm ?? NSNull(), "confidence": e.confidence,
            "flags": e.flags.names, "latency_ms": e.latencySeconds * 1000,
        ]
        if let referenceBpm { object["ref_bpm"] = referenceBpm }
        return object
    }

    static func line(_ e: StreamEstimate, referenceBpm: Double?) -> String {
        var text = pad(format(e.endSeconds, 1), 9) + " s  " + (e.bpm.map { pad(format($0, 1), 6) + " BPM" } ?? "    -- BPM")
            + "  conf " + format(e.confidence, 2)
        if let referenceBpm { text += "  ref " + pad(format(referenceBpm, 1), 6) }
        text += "  latency " + format(e.latencySeconds * 1000, 2) + " ms"
        if !e.flags.isEmpty { text += "  [" + e.flags.names.joined(separator: ",") + "]" }
        return text
    }

    private mutating func redraw(_ e: StreamEstimate, referenceBpm: Double?) {
        let rate = e.bpm.map { format($0, 0) } ?? "--"
        var lines = ["  \(pad(rate, 4)) BPM   at \(format(e.endSeconds, 0)) s   confidence \(format(e.confidence, 2))"
            + (referenceBpm.map { "   true \(format($0, 0))" } ?? "")]
        lines.append("  trend " + Self.sparkline(trend))
        lines.append("  flags " + (e.flags.isEmpty ? "none" : e.flags.names.joined(separator: " "))
            + "   latency \(format(e.latencySeconds * 1000, 2)) ms")
        var output = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for line in lines { output += "\r\u{1B}[K" + line + "\n" }
        FileHandle.standardOutput.write(Data(output.utf8))
        drawnLines = lines.count
    }

    /// One block character per estimate, scaled between the trend's lowest and highest rate; a gap for none.
    static func sparkline(_ values: [Double?]) -> String {
        let blocks = Array("▁▂▃▄▅▆▇█")
        let known = values.compactMap { $0 }.filter(\.isFinite)
        guard let low = known.min(), let high = known.max() else { return "" }
        let span = max(high - low, 1)
        let marks = values.map { value -> Character in
            guard let value, value.isFinite else { return " " }
            // The fraction is computed in Double and clamped first: a span of 10³⁰⁸ BPM must not trap the view.
            let fraction = ((value - low) / span).isFinite ? min(1, max(0, (value - low) / span)) : 0
            return blocks[Int(fraction * Double(blocks.count - 1) + 0.5)]
        }
        return String(marks) + "  \(format(low, 0))–\(format(high, 0)) BPM"
    }
}
