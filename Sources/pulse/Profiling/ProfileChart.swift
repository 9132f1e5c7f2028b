import Foundation
import PulseHardware

/// The operator complexity analysis as an SVG bar chart, as the GOS paper draws it: per layer, its latency on the
/// target beside its parameters, the least efficient layers in red.
enum ProfileChart {
    static func svg(_ profile: Profile, subject: String) -> String {
        let layers = profile.layers
        let rowHeight = 18.0
        let top = 64.0
        let labelWidth = 190.0
        let panelWidth = 330.0
        let gap = 40.0
        let width = labelWidth + 2 * panelWidth + gap + 30
        let height = top + rowHeight * Double(max(layers.count, 1)) + 40
        let marked = Set(profile.leastEfficientLayers().map(\.layer))
        let maxSeconds = max(layers.map(\.seconds).max() ?? 0, 1e-12)
        let maxParameters = Double(max(layers.map(\.parameterValues).max() ?? 0, 1))
        let target = profile.target
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="10" y="20" font-size="14" font-weight="bold">\(SVGPlot.escape(subject)) on \(SVGPlot.escape(target.name)) \
            (\(SVGPlot.escape(target.core)), \(format(profile.seconds * 1e3, 3)) ms per window, modelled)</text>
            <text x="\(labelWidth)" y="50" font-weight="bold">latency (ms)</text>
            <text x="\(labelWidth + panelWidth + gap)" y="50" font-weight="bold">parameters</text>

            """
        for (row, layer) in layers.enumerated() {
            let y = top + rowHeight * Double(row)
            let colour = marked.contains(layer.layer) ? "#d62728" : "#1f77b4"
            let latencyWidth = (panelWidth - 60) * layer.seconds / maxSeconds
            let parameterWidth = (panelWidth - 60) * Double(layer.parameterValues) / maxParameters
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 12)\" text-anchor=\"end\">\(SVGPlot.escape(String(layer.layer.prefix(28))))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(format(latencyWidth, 2))\" height=\"\(rowHeight - 5)\" fill=\"\(colour)\"/>"
            svg += "<text x=\"\(format(labelWidth + latencyWidth + 4, 2))\" y=\"\(y + 12)\">\(format(layer.seconds * 1e3, 4))</text>"
            let parameterX = labelWidth + panelWidth + gap
            svg += "<rect x=\"\(parameterX)\" y=\"\(y + 2)\" width=\"\(format(parameterWidth, 2))\" height=\"\(rowHeight - 5)\" fill=\"#7f7f7f\"/>"
            svg += "<text x=\"\(format(parameterX + parameterWidth + 4, 2))\" y=\"\(y + 12)\">\(layer.parameterValues)</text>\n"
        }
        svg += "<text x=\"10\" y=\"\(height - 14)\"><tspan fill=\"#d62728\">■ least efficient (most latency per MAC)</tspan> "
            + "<tspan fill=\"#1f77b4\">■ other layers</tspan> <tspan fill=\"#7f7f7f\">■ parameters</tspan></text>\n"
        return svg + "</svg>\n"
    }
}
