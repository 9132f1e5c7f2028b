import PulseGraph
import PulseModels

/// One operator rewrite of the search: a change to one layer (or a pair, or a block) that keeps the shapes at its
/// boundary, with the new weights started from the old ones where the maths allows. Rewrites are values, so a
/// candidate model is its parent plus a list of them, written to files and replayed on another fold's model.
public enum Rewrite: Hashable, Codable, Sendable, CustomStringConvertible {
    /// A convolution becomes depthwise + pointwise, split per input channel by a rank-1 least-squares fit.
    case depthwiseSeparable(layer: String)
    /// A convolution becomes a `rank`-channel convolution and a pointwise mix, by truncated SVD of its weight.
    case lowRank(layer: String, rank: Int)
    /// A convolution is split into `groups` groups, keeping the block-diagonal part of its weight.
    case grouped(layer: String, groups: Int)
    /// The output channels of `layer` (a convolution read only by the next one) are cut to the `keep` with the
    /// largest weight norms, and the next layer's input channels with them.
    case pruneChannels(layer: String, keep: Int)
    /// A convolution gets `kernelSize` taps spread over the same span, with more dilation; each old tap's weight
    /// goes to the nearest new taps, linearly.
    case dilate(layer: String, kernelSize: Int)
    /// `layer` (a convolution read only by the next one) gets stride 2, the next one runs at half the length with
    /// half the dilation, and its output is repeated back to the full length.
    case subsample(layer: String)
    /// A residual block `relu(x + body(x))` becomes `relu(x)` (`x` itself when `x` is a ReLU's output).
    case removeResidualBody(block: String)
    /// A convolution becomes a shift of each block of input channels by one tap's offset, then a pointwise mix
    /// with that tap's weights.
    case shiftPointwise(layer: String)
    /// The spectral front end is computed in another form (`SpectrumFrontEnd.Form`).
    case spectrum(SpectrumFrontEnd.Form)
    /// A per-channel affine layer `scale · x + shift` after a convolution is folded into its weight and bias.
    case foldAffine(layer: String)
    /// Chains of `pad`s on one axis are merged and empty ones removed.
    case foldPadding

    /// Whether the rewritten model computes the same function (within rounding).
    public var isExact: Bool {
        switch self {
        case .spectrum(let form): return form == .direct || form == .factorised
        case .foldAffine, .foldPadding: return true
        default: return false
        }
    }

    /// The layers the rewrite changes (their tags may disappear).
    public var layers: [String] {
        switch self {
        case .depthwiseSeparable(let layer), .lowRank(let layer, _), .grouped(let layer, _), .pruneChannels(let layer, _),
             .dilate(let layer, _), .subsample(let layer), .shiftPointwise(let layer), .foldAffine(let layer):
            return [layer]
        case .removeResidualBody(let block): return [block]
        case .spectrum: return [SpectrumFrontEnd.layer]
        case .foldPadding: return []
        }
    }

    public var description: String {
        switch self {
        case .depthwiseSeparable(let layer): return "\(layer): depthwise + pointwise"
        case .lowRank(let layer, let rank): return "\(layer): rank \(rank)"
        case .grouped(let layer, let groups): return "\(layer): \(groups) groups"
        case .pruneChannels(let layer, let keep): return "\(layer): keep \(keep) channels"
        case .dilate(let layer, let kernelSize): return "\(layer): \(kernelSize) dilated taps"
        case .subsample(let layer): return "\(layer): stride 2"
        case .removeResidualBody(let block): return "\(block): body removed"
        case .shiftPointwise(let layer): return "\(layer): shift + pointwise"
        case .spectrum(let form): return "spectrum: \(form)"
        case .foldAffine(let layer): return "\(layer): folded into the convolution"
        case .foldPadding: return "padding folded"
        }
    }

    /// The model with the rewrite applied.
    /// - Throws: `SearchError.rewrite` (naming the rewrite and layer) when the rewrite does not apply to this model;
    ///   `GraphError` when the result would not hold together.
    public func apply(to model: ModelFile) throws -> ModelFile {
        switch self {
        case .depthwiseSeparable(let layer): return try Self.depthwiseSeparable(layer, model, name: description)
        case .lowRank(let layer, let rank): return try Self.lowRank(layer, rank: rank, model, name: description)
        case .grouped(let layer, let groups): return try Self.grouped(layer, groups: groups, model, name: description)
        case .shiftPointwise(let layer): return try Self.shiftPointwise(layer, model, name: description)
        case .pruneChannels(let layer, let keep): return try Self.pruneChannels(layer, keep: keep, model, name: description)
        case .dilate(let layer, let kernelSize): return try Self.dilate(layer, kernelSize: kernelSize, model, name: description)
        case .subsample(let layer): return try Self.subsample(layer, model, name: description)
        case .removeResidualBody(let block): return try Self.removeResidualBody(block, model, name: description)
        case .spectrum(let form): return try Self.spectrum(form, model, name: description)
        case .foldAffine(let layer): return try Self.foldAffine(layer, model, name: description)
        case .foldPadding: return try Self.foldPadding(model, name: description)
        }
    }
}
