import PulseGraph
import PulseModels

/// The rewrites the search tries on one operator of a model: every form of the rewrite families that applies to
/// it, with a few settings each (ranks and kept channels at a quarter, half and three quarters of the width;
/// two and four groups; three taps).
public enum RewriteMenu {
    /// The rewrites of `layer` that apply to `model`, in a fixed order.
    public static func options(for layer: String, in model: ModelFile) -> [Rewrite] {
        var options: [Rewrite] = []
        if layer == SpectrumFrontEnd.layer {
            let bins = model.output
            let first = max(0, Int(((40 - bins.firstBpm) / bins.binBpm).rounded(.up)))
            let last = min(bins.count - 1, Int(((220 - bins.firstBpm) / bins.binBpm).rounded(.down)))
            options = [.spectrum(.factorised), .spectrum(.binStride(2)), .spectrum(.band(firstBin: first, count: last - first + 1))]
        } else if let convolution = try? ConvolutionLayer(layer, in: model, for: "menu") {
            let width = convolution.outputChannels
            options = [.depthwiseSeparable(layer: layer), .shiftPointwise(layer: layer)]
            options += Set([width / 4, width / 2]).sorted().map { Rewrite.lowRank(layer: layer, rank: $0) }
            options += [2, 4].map { Rewrite.grouped(layer: layer, groups: $0) }
            options += Set([width / 2, 3 * width / 4]).sorted().map { Rewrite.pruneChannels(layer: layer, keep: $0) }
            options += [.dilate(layer: layer, kernelSize: 3), .subsample(layer: layer)]
            if let dot = layer.lastIndex(of: ".") { options.append(.removeResidualBody(block: String(layer[..<dot]))) }
        } else {
            options = [.removeResidualBody(block: layer)]
        }
        return options.filter { (try? $0.apply(to: model)) != nil }
    }
}
