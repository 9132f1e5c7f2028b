import Foundation
import PulseGraph

/// Imports ncnn's `.param` text format into an instruction graph, to cost the very graphs ncnn runs.
///
/// A blob `[c, h, w]` becomes an activation of shape `[c, h, w]` (per sample: the batch axis is implicit), a 2-D
/// blob `[h, w]` and a 1-D blob `[w]`. Every instruction is tagged with its ncnn layer's name and parameters are
/// named after it (`conv1.weight`, `conv1.bias`, `bn1.scale`); their shapes are declared but a `.param` file holds
/// no values (`Graph.initialParameters(seed:)` makes some). Convolutions are `Conv2d`s (padding, two windows, one
/// contraction; `groups` for `ConvolutionDepthWise`), fully connected layers `Dense`s over the flattened blob. Each
/// computed shape is checked against the file's shape hint (`-23330`) where there is one. The graph's outputs are
/// the blobs no layer reads.
public enum NCNNImporter {
    /// The graph of the `.param` text `text`; `file` names it in errors.
    /// - Throws: `NCNNError` naming the line and layer: a wrong magic number or counts, a token that does not
    ///   parse, an unsupported layer type or parameter, a bottom blob no earlier layer writes, a shape that disagrees
    ///   with its hint, a weight size that disagrees with the layer's geometry, or a graph error.
    public static func graph(param text: String, file: String) throws -> Graph {
        let param = try NCNNParamFile(text: text, file: file)
        var session = NCNNImportSession(file: file)
        for layer in param.layers { try session.add(layer) }
        return try session.finish()
    }

    /// The graph of the `.param` file at `url`, named in errors by its last path component.
    /// - Throws: `NCNNError` when the file cannot be read as UTF-8 text, or as `graph(param:file:)`.
    public static func graph(contentsOf url: URL) throws -> Graph {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw NCNNError(file: url.lastPathComponent, "cannot be read: \(error.localizedDescription)")
        }
        return try graph(param: text, file: url.lastPathComponent)
    }
}

extension NCNNImportSession {
    /// Imports one layer: appends its instructions and binds its tops.
    mutating func add(_ next: NCNNParamFile.Layer) throws {
        layer = next
        switch next.type {
        case "Input": try input()
        case "MemoryData": try memoryData()
        case "Convolution", "ConvolutionDepthWise": try convolution()
        case "InnerProduct": try innerProduct()
        case "Pooling": try pooling()
        case "Split", "Noop": try alias()
        case "Concat": try concat()
        case "Slice": try slice()
        case "Flatten": try flatten()
        case "Reshape": try reshape()
        case "Crop": try crop()
        case "Padding": try padding()
        case "ShuffleChannel": try shuffleChannel()
        case "Eltwise": try eltwise()
        case "BinaryOp": try binaryOp()
        case "Dropout": try dropout()
        case "BatchNorm", "Scale": try channelAffine()
        case "LRN": try localResponseNormalisation()
        case "Softmax": try softmax()
        default:
            guard let output = try elementwise(next.type) else { throw error("layer type \(next.type) is not supported") }
            try setTop(output)
        }
    }
}
