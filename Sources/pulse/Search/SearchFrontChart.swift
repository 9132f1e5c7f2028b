import Foundation
import PulseSearch

/// The search's candidates as an SVG: validation MAE against modelled latency, and against memory (arena plus
/// parameters in the target's format), every candidate grey, the front joined in blue, the model and the chosen
/// candidate marked; with `scaling`, the macro-scaled baselines in orange with their own front.
enum SearchFrontChart {
    static func svg(_ outcome: OperatorSearch.Outcome, target: String, scaling: [CandidateResult] = []) -> String {
        let scaled = scaling.filter { $0.status == .evaluated && ($0.maeBpm ?? .nan).isFinite }
        let evaluated = outcome.results.filter { $0.status == .evaluated && ($0.maeBpm ?? .nan).isFinite } + scaled
        let panels: [(title: String, value: (CandidateResult) -> Double)] = [
            ("latency on \(target) (ms, modelled)", { ($0.seconds ?? 0) * 1e3 }),
            ("memory: arena + parameters (KB)", { Double(($0.arenaBytes ?? 0) + ($0.parameterBytes ?? 0)) / 1024 }),
        ]
        let (panelWidth, panelHeight, left, top) = (380.0, 300.0, 60.0, 50.0)
        let width = left + 2 * (panelWidth + left)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(top + panelHeight + 70))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="10" y="20" font-size="14" font-weight="bold">Operator search on \(SVGPlot.escape(target)): \(evaluated.count - scaled.count) candidates</text>

            """
        let maes = evaluated.compactMap(\.maeBpm)
        let (maeLow, maeHigh) = ((maes.min() ?? 0) * 0.95, max((maes.max() ?? 1) * 1.05, (maes.min() ?? 0) * 0.95 + 0.1))
        for (number, panel) in panels.enumerated() {
            let x0 = left + Double(number) * (panelWidth + left)
            let values = evaluated.map(panel.value)
            let high = max(values.max() ?? 1, 1e-9) * 1.05
            func point(_ result: CandidateResult) -> (Double, Double) {
                (x0 + panelWidth * panel.value(result) / high, top + panelHeight * (1 - ((result.maeBpm ?? maeLow) - maeLow) / (maeHigh - maeLow)))
            }
            svg += "<rect x=\"\(x0)\" y=\"\(top)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#999\"/>\n"
            svg += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(top + panelHeight + 32)\" text-anchor=\"middle\">\(SVGPlot.escape(panel.title))</text>\n"
            svg += "<text x=\"\(x0 - 8)\" y=\"\(top - 8)\">MAE (BPM)</text>\n"
            for tick in 0...4 {
                let mae = maeLow + (maeHigh - maeLow) * Double(tick) / 4
                let y = top + panelHeight * (1 - Double(tick) / 4)
                svg += "<text x=\"\(x0 - 4)\" y=\"\(format(y + 4, 1))\" text-anchor=\"end\">\(format(mae, 2))</text>"
                let value = high * Double(tick) / 4
                svg += "<text x=\"\(format(x0 + panelWidth * Double(tick) / 4, 1))\" y=\"\(top + panelHeight + 14)\" text-anchor=\"middle\">\(format(value, value < 10 ? 2 : 0))</text>\n"
            }
            for result in evaluated {
                let (x, y) = point(result)
                svg += "<circle cx=\"\(format(x, 1))\" cy=\"\(format(y, 1))\" r=\"3\" fill=\"#bbbbbb\"/>"
            }
            if !scaled.isEmpty {
                for result in scaled {
                    let (x, y) = point(result)
                    svg += "<rect x=\"\(format(x - 3, 1))\" y=\"\(format(y - 3, 1))\" width=\"6\" height=\"6\" fill=\"#ff7f0e\"/>"
                }
                let scaledFront = OperatorSearch.front(scaled, limit: .infinity).sorted { panel.value($0) < panel.value($1) }.map(point)
                svg += "\n<polyline fill=\"none\" stroke=\"#ff7f0e\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\" points=\"\(scaledFront.map { "\(format($0.0, 1)),\(format($0.1, 1))" }.joined(separator: " "))\"/>\n"
            }
            let front = outcome.front.sorted { panel.value($0) < panel.value($1) }.map(point)
            svg += "\n<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(front.map { "\(format($0.0, 1)),\(format($0.1, 1))" }.joined(separator: " "))\"/>\n"
            for (x, y) in front { svg += "<circle cx=\"\(format(x, 1))\" cy=\"\(format(y, 1))\" r=\"4\" fill=\"#1f77b4\"/>" }
            let (rx, ry) = point(outcome.reference)
            svg += "<rect x=\"\(format(rx - 5, 1))\" y=\"\(format(ry - 5, 1))\" width=\"10\" height=\"10\" fill=\"#2ca02c\"/>"
            if let chosen = outcome.chosen {
                let (cx, cy) = point(chosen)
                svg += "<circle cx=\"\(format(cx, 1))\" cy=\"\(format(cy, 1))\" r=\"7\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>"
            }
            svg += "\n"
        }
        svg += "<text x=\"10\" y=\"\(top + panelHeight + 58)\"><tspan fill=\"#2ca02c\">■ the model (fine-tuned like the candidates)</tspan> "
            + "<tspan fill=\"#1f77b4\">● front within the MAE budget</tspan> <tspan fill=\"#d62728\">○ chosen</tspan> "
            + "<tspan fill=\"#999999\">● other candidates</tspan>"
            + (scaled.isEmpty ? "" : " <tspan fill=\"#ff7f0e\">■ macro scaling (width × blocks), its front dashed</tspan>") + "</text>\n"
        return svg + "</svg>\n"
    }
}
