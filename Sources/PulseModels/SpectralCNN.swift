import Foundation
import PulseGraph

/// The baseline neural estimator, a 1-D CNN over PPG and accelerometer spectra in the spirit of DeepPPG
/// (Reiss et al. 2019) and the BAMI authors, written entirely in graph instructions:
///
/// 1. Spectra: each channel of the `[4, 256]` input window is tapered (Hann) and projected on cosines and sines
///    at the output's rates (two `contract`s with constant matrices: a DFT evaluated at `bins.count` frequencies),
///    giving power `re² + im²`, scaled per channel to a maximum of 1.
/// 2. A convolution over the frequency axis (4 → `width` channels), then residual blocks of dilated
///    convolutions, then a pointwise convolution to one channel: a logit per rate bin.
///
/// The output is a distribution over `bins` (softmax of the logits) that `NeuralEstimator` follows across
/// windows with a `RateTracker`, as BeliefPPG does.
public struct SpectralCNN: Sendable, Equatable {
    public var input: ModelInput
    public var bins: RateBins
    public var width: Int
    public var kernelSize: Int
    public var dilations: [Int]

    /// 30–240 BPM in 1.875 BPM bins (1/32 Hz), 32 channels, kernel 5, dilations 1, 2, 4, 8.
    public static let baseline = SpectralCNN(
        input: .standard, bins: RateBins(firstBpm: 30, binBpm: 1.875, count: 113), width: 32, kernelSize: 5, dilations: [1, 2, 4, 8])

    public init(input: ModelInput, bins: RateBins, width: Int, kernelSize: Int, dilations: [Int]) {
        self.input = input
        self.bins = bins
        self.width = width
        self.kernelSize = kernelSize
        self.dilations = dilations
    }

    /// The instruction graph: input `ModelFile.inputName` of `input.shape`, output the logits `[bins.count]`.
    public func graph() throws -> Graph {
        var graph = Graph()
        let x = try graph.append(.input(name: ModelFile.inputName), shape: input.shape, layer: "input")
        var y = try SpectrumFrontEnd(input: input, bins: bins)(x, in: &graph)
        y = try Conv1d("conv0", inputChannels: input.channels, outputChannels: width, kernelSize: kernelSize)(y, in: &graph)
        y = try graph.append(.relu, [y], layer: "conv0")
        for (index, dilation) in dilations.enumerated() {
            y = try ResidualBlock("block\(index + 1)", channels: width, kernelSize: kernelSize, dilation: dilation)(y, in: &graph)
        }
        y = try Conv1d("head", inputChannels: width, outputChannels: 1, kernelSize: 1)(y, in: &graph)
        graph.outputs = [try graph.append(.reshape(shape: [bins.count]), [y], layer: "head")]
        return graph
    }
}
