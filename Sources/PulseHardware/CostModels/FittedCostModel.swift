import PulseGraph

/// One kernel class's linear model, fitted to micro-benchmarks: seconds per sample =
/// `secondsPerCall · calls + secondsPerMAC · work + secondsPerValue · values`, in the quantities
/// `FittedCostModel.quantities` gives for the class (calls per sample, multiply-accumulates done, values moved).
public struct FittedTerms: Sendable, Equatable, Codable {
    /// Fixed seconds per call of the kernel: per tile of samples, or per BLAS call of a matrix-product convolution.
    public var secondsPerCall: SourcedValue
    /// Seconds per multiply-accumulate.
    public var secondsPerMAC: SourcedValue
    /// Seconds per activation value read or written.
    public var secondsPerValue: SourcedValue

    enum CodingKeys: String, CodingKey {
        case secondsPerCall = "seconds_per_call", secondsPerMAC = "seconds_per_mac", secondsPerValue = "seconds_per_value"
    }

    /// Terms with the given values, all from `source`.
    public init(secondsPerCall: Double, secondsPerMAC: Double, secondsPerValue: Double, source: String) {
        self.secondsPerCall = SourcedValue(secondsPerCall, source: source)
        self.secondsPerMAC = SourcedValue(secondsPerMAC, source: source)
        self.secondsPerValue = SourcedValue(secondsPerValue, source: source)
    }
}

/// The coefficients of `FittedCostModel`: terms per kernel class, the fixed cost of one inference call, and the
/// samples one call of a kernel serves.
public struct FittedCoefficients: Sendable, Equatable, Codable {
    /// The processor the terms were measured on (`/proc/cpuinfo`'s model name).
    public var processor: String
    /// Samples per kernel call at large batches (the executor's tile).
    public var samplesPerCall: SourcedValue
    /// Fixed seconds per inference call (copying inputs and outputs, taking an arena), per sample of a tile.
    public var secondsPerInference: SourcedValue
    /// Terms per kernel class (`FittedCostModel.KernelClass` raw values).
    public var classes: [String: FittedTerms]

    /// Coefficients with every field given.
    public init(processor: String, samplesPerCall: SourcedValue, secondsPerInference: SourcedValue, classes: [String: FittedTerms]) {
        self.processor = processor
        self.samplesPerCall = samplesPerCall
        self.secondsPerInference = secondsPerInference
        self.classes = classes
    }

    enum CodingKeys: String, CodingKey {
        case processor, classes
        case samplesPerCall = "samples_per_call", secondsPerInference = "seconds_per_inference"
    }
}

/// Latency on the machine pulse runs on, from linear models of each class of pulse's own inference kernels, fitted
/// to timings of those kernels over a grid of shapes (`pulse profile --calibrate`):
///
///     seconds per sample = Σ_kernels (call · calls + perMAC · work + perValue · values) + inference / tile
///
/// where `tile = min(batch, samplesPerCall)` and calls, work and values are what the class's implementation does
/// per sample (`quantities(of:features:tile:)`). With threads, tiles are spread over them: the sum is divided by
/// `min(threads, ⌈batch / tile⌉)`.
public struct FittedCostModel: CostModel {
    public let target: Target
    /// The coefficients.
    public let coefficients: FittedCoefficients

    /// The model of `target` with `coefficients`.
    public init(target: Target, coefficients: FittedCoefficients) {
        self.target = target
        self.coefficients = coefficients
    }

    /// The kernel classes the terms are kept for: one per implementation the inference program picks.
    public enum KernelClass: String, Sendable, CaseIterable, Codable {
        /// A 1-D dense convolution with 2 to 7 taps, stride 1, output channels a multiple of 8 (Winograd).
        case winograd
        /// A 1-D convolution with one tap, stride 1, no padding (a matrix product).
        case pointwise
        /// A fully connected layer.
        case dense
        /// Another 1-D convolution (unfolded, then one matrix product by BLAS per group).
        case convolution
        /// A depthwise 1-D convolution.
        case depthwise
        /// Element-wise arithmetic.
        case elementwise
        /// Pooling.
        case pooling
        /// A reduction.
        case reduction
        /// A contraction with a constant matrix (the DFT).
        case constantContraction
        /// Everything run by the generic path: 2-D convolutions, contractions of two activations, moves of data.
        case generic
    }

    /// The class of `kernel`: the implementation the inference program runs it with.
    public static func kernelClass(_ kernel: Kernel) -> KernelClass {
        switch kernel.operation {
        case .convolution(let planned):
            if planned.spatialRank == 0 && planned.groups == 1 { return .dense }
            guard let convolution = planned.alongLastAxis else { return .generic }
            if convolution.kind == .depthwise { return .depthwise }
            let taps = convolution.kernelSize[0]
            if convolution.groups == 1, convolution.stride == [1], convolution.outputChannels % 8 == 0, (2...7).contains(taps) { return .winograd }
            if convolution.groups == 1, taps == 1, convolution.stride == [1], convolution.padBefore == [0], convolution.padAfter == [0] {
                return .pointwise
            }
            return .convolution
        case .elementwise: return .elementwise
        case .pooling: return .pooling
        case .reduction: return .reduction
        case .constantContraction: return .constantContraction
        case .contraction, .dataMove: return .generic
        }
    }

    /// Samples per kernel call for a batch of `batch`.
    public func tile(batch: Int) -> Double { min(Double(max(batch, 1)), coefficients.samplesPerCall.value) }

    /// How many threads share a batch of `batch`.
    public func parallelism(batch: Int, threads: Int) -> Double {
        let tiles = (Double(max(batch, 1)) / coefficients.samplesPerCall.value).rounded(.up)
        return max(1, min(Double(max(threads, 1)), tiles))
    }

    public func cost(of kernel: Kernel, features: KernelFeatures, batch: Int, threads: Int) -> KernelCost {
        guard features.dependsOnInput else { return .zero }
        if case .dataMove(.reshape) = kernel.operation { return .zero }
        guard let terms = coefficients.classes[Self.kernelClass(kernel).rawValue] else { return .zero }
        let quantities = Self.quantities(of: kernel, features: features, tile: tile(batch: batch))
        let seconds = terms.seconds(quantities) / parallelism(batch: batch, threads: threads)
        return KernelCost(cycles: seconds * target.clockHz.value, clockHz: target.clockHz.value)
    }

    /// What the implementation of `kernel`'s class does per sample, on tiles of `tile` samples:
    /// - a matrix-product convolution (`convolution`, `depthwise`) makes one BLAS call per group and sample, does
    ///   the convolution's multiply-accumulates, and writes its unfolded input (`channels · taps · outputs` values,
    ///   none when one tap reads the input as it is) and its output (the input is read as it is unfolded);
    /// - a dense layer also reads its weights once per tile;
    /// - a Winograd convolution `F(9 − r, r)` multiplies 8 transformed values per tile of `9 − r` outputs for each
    ///   pair of input channels (padded to a multiple of 8) and output channels, and transforms 8 values per tile
    ///   and channel on the way in and out;
    /// - every other kernel is called once per tile, does its multiply-accumulates and moves its input and output.
    public static func quantities(of kernel: Kernel, features: KernelFeatures, tile: Double) -> FittedTerms.Quantities {
        let moved = Double(features.inputValues + features.outputValues)
        let plain = FittedTerms.Quantities(calls: 1 / tile, work: Double(features.multiplyAccumulates), values: moved)
        let kernelClass = kernelClass(kernel)
        if kernelClass == .dense {
            return FittedTerms.Quantities(calls: 1 / tile, work: plain.work, values: moved + Double(features.parameterValues) / tile)
        }
        guard case .convolution(let planned) = kernel.operation, let convolution = planned.alongLastAxis else { return plain }
        let (taps, outputs) = (convolution.kernelSize[0], convolution.outputExtent[0])
        switch kernelClass {
        case .winograd:
            let perTile = 9 - taps
            let dilation = max(convolution.dilation[0], 1)
            let tiles = (0..<min(dilation, outputs)).reduce(0) { total, phase in
                total + ((outputs - phase + dilation - 1) / dilation + perTile - 1) / perTile
            }
            let paddedChannels = (convolution.inputChannels + 7) / 8 * 8
            return FittedTerms.Quantities(calls: 1 / tile, work: Double(paddedChannels * convolution.outputChannels * 8 * tiles),
                                          values: Double((paddedChannels + convolution.outputChannels) * 8 * tiles))
        case .convolution, .depthwise:
            let unfolds = !(taps == 1 && convolution.stride == [1] && convolution.padBefore == [0] && convolution.padAfter == [0])
            let unfolded = unfolds ? convolution.inputChannels * taps * outputs : 0
            return FittedTerms.Quantities(calls: Double(convolution.groups), work: Double(features.multiplyAccumulates),
                                          values: Double(unfolded + features.outputValues))
        default:
            return plain
        }
    }

    /// Seconds per sample of one inference call, outside the kernels.
    public func inferenceOverhead(batch: Int, threads: Int) -> Double {
        coefficients.secondsPerInference.value / tile(batch: batch) / parallelism(batch: batch, threads: threads)
    }
}
