import Foundation
import PulseSignals

/// Estimate against reference over time, one panel per recording, as a standalone SVG document.
enum SVGPlot {
    static func timeline(_ recordings: [(name: String, estimates: [WindowEstimate])]) -> String {
        let width = 900.0
        let panelHeight = 260.0
        let margin = (left: 60.0, right: 20.0, top: 34.0, bottom: 40.0)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(panelHeight * Double(max(recordings.count, 1))))" \
            font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (panel, recording) in recordings.enumerated() {
            let top = Double(panel) * panelHeight
            let plotWidth = width - margin.left - margin.right
            let plotHeight = panelHeight - margin.top - margin.bottom
            let estimates = recording.estimates
            let values = estimates.flatMap { [$0.bpm, $0.referenceBpm].compactMap { $0 } }
            let endTime = max(estimates.last?.endSeconds ?? 1, 1)
            let low = ((values.min() ?? 60) / 10).rounded(.down) * 10 - 5
            let high = ((values.max() ?? 120) / 10).rounded(.up) * 10 + 5
            let x = { (t: Double) in margin.left + plotWidth * t / endTime }
            let y = { (bpm: Double) in top + margin.top + plotHeight * (1 - (bpm - low) / (high - low)) }
            let summary = AccuracySummary(estimates)
            let title = escape(recording.name) + (summary.scoredWindows > 0 ? " — MAE \(format(summary.maeBpm, 2)) BPM" : "")
            svg += "<text x=\"\(margin.left)\" y=\"\(top + 20)\" font-size=\"14\" font-weight=\"bold\">\(title)</text>\n"
            svg += "<rect x=\"\(margin.left)\" y=\"\(top + margin.top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#999\"/>\n"
            // Tick steps follow the span, so an extreme value (a reference of 10¹² BPM) costs no more ticks.
            let rateStep = max(20, niceStep((high - low) / 8))
            for tick in stride(from: (low / rateStep).rounded(.up) * rateStep, through: high, by: rateStep) {
                svg += "<line x1=\"\(margin.left)\" x2=\"\(margin.left + plotWidth)\" y1=\"\(y(tick))\" y2=\"\(y(tick))\" stroke=\"#eee\"/>"
                svg += "<text x=\"\(margin.left - 6)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(format(tick, 0))</text>\n"
            }
            for tick in stride(from: 0.0, through: endTime, by: niceStep(endTime / 8)) {
                svg += "<text x=\"\(x(tick))\" y=\"\(top + panelHeight - margin.bottom + 16)\" text-anchor=\"middle\">\(format(tick, 0))</text>\n"
            }
            svg += "<text x=\"\(margin.left + plotWidth / 2)\" y=\"\(top + panelHeight - 6)\" text-anchor=\"middle\">time (s)</text>\n"
            svg += "<text transform=\"translate(16 \(top + margin.top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">heart rate (BPM)</text>\n"
            svg += polyline(estimates.map { e in e.referenceBpm.map { (x(e.endSeconds), y($0)) } }, colour: "#222", width: 2)
            svg += polyline(estimates.map { e in e.bpm.map { (x(e.endSeconds), y($0)) } }, colour: "#d62728", width: 1.5)
            svg += "<text x=\"\(width - margin.right - 190)\" y=\"\(top + 20)\"><tspan fill=\"#222\">— reference</tspan> "
                + "<tspan fill=\"#d62728\">— estimate</tspan></text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Line segments through the points, broken where a point is missing.
    private static func polyline(_ points: [(Double, Double)?], colour: String, width: Double) -> String {
        var out = ""
        var run: [(Double, Double)] = []
        func flush() {
            if run.count > 1 {
                let coordinates = run.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(width)\" points=\"\(coordinates)\"/>\n"
            }
            run = []
        }
        for point in points {
            if let point { run.append(point) } else { flush() }
        }
        flush()
        return out
    }

    private static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, (log10(max(raw, 1e-9))).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw { return factor * magnitude }
        return 10 * magnitude
    }

    /// `text` with the characters XML reserves escaped.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
