import PulseGraph

/// The coefficients of `MCUCostModel`, in core cycles: few and named, so that the firmware simulator can fit them
/// to instruction counts of pulse's own generated code.
public struct MCUCoefficients: Sendable, Equatable, Codable {
    /// The coefficients in the order of `MCUCostModel.Counts.values`.
    public var perCount: [Double] {
        [cyclesPerAlignedMAC, cyclesPerUnalignedMAC, cyclesPerDepthwiseMAC, cyclesPerDenseMAC, cyclesPerIm2colValue, cyclesPerOutput,
         cyclesPerElement, cyclesPerKernel, flashCyclesPerWeightByte].map(\.value)
            + [(cyclesPerContractionMAC ?? cyclesPerDenseMAC).value, cyclesPerRescale?.value ?? 0, cyclesPerIm2colRow?.value ?? 0,
               cyclesPerTranscendental?.value ?? 0, cyclesPerDivision?.value ?? 0, (cyclesPerElementOutput ?? cyclesPerOutput).value,
               (cyclesPerReducedElement ?? cyclesPerElement).value, (cyclesPerPooledElement ?? cyclesPerElement).value,
               (cyclesPerUnaryOutput ?? cyclesPerElementOutput ?? cyclesPerOutput).value, (cyclesPerMovedValue ?? cyclesPerElement).value,
               cyclesPerMovedRow?.value ?? 0]
    }

    /// Coefficients given in the order of `perCount`: aligned, unaligned, depthwise and dense MACs, im2col values,
    /// outputs, elements, kernels, flash per weight byte, contraction MACs, rescalings, im2col rows, transcendentals,
    /// divisions, element-wise outputs, reduced elements, pooled elements, unary outputs, moved values, moved rows.
    /// - Precondition: `perCount` has those twenty values (`MCUCostModel.Counts().values.count`).
    public init(perCount: [SourcedValue], stallFactor: SourcedValue, pointwiseUsesIm2col: Bool?) {
        precondition(perCount.count == MCUCostModel.Counts().values.count, "MCUCoefficients takes one value per count")
        cyclesPerAlignedMAC = perCount[0]
        cyclesPerUnalignedMAC = perCount[1]
        cyclesPerDepthwiseMAC = perCount[2]
        cyclesPerDenseMAC = perCount[3]
        cyclesPerIm2colValue = perCount[4]
        cyclesPerOutput = perCount[5]
        cyclesPerElement = perCount[6]
        cyclesPerKernel = perCount[7]
        flashCyclesPerWeightByte = perCount[8]
        cyclesPerContractionMAC = perCount[9]
        cyclesPerRescale = perCount[10]
        cyclesPerIm2colRow = perCount[11]
        cyclesPerTranscendental = perCount[12]
        cyclesPerDivision = perCount[13]
        cyclesPerElementOutput = perCount[14]
        cyclesPerReducedElement = perCount[15]
        cyclesPerPooledElement = perCount[16]
        cyclesPerUnaryOutput = perCount[17]
        cyclesPerMovedValue = perCount[18]
        cyclesPerMovedRow = perCount[19]
        self.stallFactor = stallFactor
        self.pointwiseUsesIm2col = pointwiseUsesIm2col
    }

    /// Cycles per multiply-accumulate in the dual-MAC (SMLAD) loop of a convolution's matrix product: four
    /// values of a filter row per iteration.
    public var cyclesPerAlignedMAC: SourcedValue
    /// Cycles per multiply-accumulate in the scalar loop over the last `rowLength % 4` values of a filter row.
    public var cyclesPerUnalignedMAC: SourcedValue
    /// Cycles per multiply-accumulate of a depthwise convolution.
    public var cyclesPerDepthwiseMAC: SourcedValue
    /// Cycles per multiply-accumulate of a vector-by-matrix product (fully connected layers, constant matrices).
    public var cyclesPerDenseMAC: SourcedValue
    /// Cycles per value copied and widened to 16 bits into the im2col buffer.
    public var cyclesPerIm2colValue: SourcedValue
    /// Cycles per output value for bias, requantisation (fixed-point multiply and shift), clamp and store.
    public var cyclesPerOutput: SourcedValue
    /// Cycles per value read by element-wise arithmetic and moves of data (and by reductions and pooling windows
    /// where their own terms are absent).
    public var cyclesPerElement: SourcedValue
    /// Cycles per kernel call: argument checks, loop set-up, the call itself.
    public var cyclesPerKernel: SourcedValue
    /// Extra cycles per weight byte read from flash (wait states not hidden by the prefetcher or cache).
    public var flashCyclesPerWeightByte: SourcedValue
    /// What every count above is multiplied by: the stalls, spills and glue code that counting a kernel's inner
    /// loops misses. Fitted to whole-network measurements; 1 is the bare count.
    public var stallFactor: SourcedValue
    /// Cycles per multiply-accumulate of a contraction with a constant matrix (a DFT), when its loop differs from a
    /// fully connected layer's; `cyclesPerDenseMAC` when absent.
    public var cyclesPerContractionMAC: SourcedValue?
    /// Cycles per fixed-point rescaling beyond an output's own (an addition rescales both operands and the sum; a
    /// residual is rescaled before it is added); 0 when absent, as in CMSIS-NN's counts, which fold it into the output.
    public var cyclesPerRescale: SourcedValue?
    /// Cycles per channel row of an im2col copy (the loop over one input channel's taps: pulse's kernels pay it per
    /// channel, so a 1-tap filter pays it per value); 0 when absent.
    public var cyclesPerIm2colRow: SourcedValue?
    /// Extra cycles per value of an exponential, logarithm, sigmoid or tanh beyond any other element-wise function's
    /// (a libm call in float32; a table look-up like the rest in int8); 0 when absent.
    public var cyclesPerTranscendental: SourcedValue?
    /// Extra cycles per value of a division beyond any other binary operation's and its rescaling (a float division
    /// does not pipeline); 0 when absent.
    public var cyclesPerDivision: SourcedValue?
    /// Cycles per output of element-wise, reduction and pooling kernels, when it differs from a matrix product's
    /// (a float output is stored; an int8 one is requantised like any other); `cyclesPerOutput` when absent.
    public var cyclesPerElementOutput: SourcedValue?
    /// Cycles per value read by a reduction, when its loop (a running maximum and sum) differs from element-wise
    /// arithmetic's; `cyclesPerElement` when absent.
    public var cyclesPerReducedElement: SourcedValue?
    /// Cycles per value read by a pooling window, with its bounds check; `cyclesPerElement` when absent.
    public var cyclesPerPooledElement: SourcedValue?
    /// Cycles per output of a unary element-wise function (an int8 table look-up, with no requantisation; a float
    /// loop with no strides), when it differs from a binary one's; `cyclesPerElementOutput` when absent.
    public var cyclesPerUnaryOutput: SourcedValue?
    /// Cycles per value a data move (pad, slice, concatenation, window) writes; `cyclesPerElement` when absent.
    public var cyclesPerMovedValue: SourcedValue?
    /// Cycles per run of contiguous values a data move copies (its loop over the axes outside the moved one's inner
    /// extent: a pad along the last axis pays it per value); 0 when absent.
    public var cyclesPerMovedRow: SourcedValue?
    /// Whether a pointwise convolution copies its input into an im2col column like any other (pulse's generated
    /// code); absent or `false` for CMSIS-NN's fast 1 × 1 path over channel counts divisible by four.
    public var pointwiseUsesIm2col: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case cyclesPerAlignedMAC = "cycles_per_aligned_mac", cyclesPerUnalignedMAC = "cycles_per_unaligned_mac"
        case cyclesPerDepthwiseMAC = "cycles_per_depthwise_mac", cyclesPerDenseMAC = "cycles_per_dense_mac"
        case cyclesPerIm2colValue = "cycles_per_im2col_value", cyclesPerOutput = "cycles_per_output"
        case cyclesPerElement = "cycles_per_element", cyclesPerKernel = "cycles_per_kernel"
        case flashCyclesPerWeightByte = "flash_cycles_per_weight_byte", stallFactor = "stall_factor"
        case cyclesPerContractionMAC = "cycles_per_contraction_mac", cyclesPerRescale = "cycles_per_rescale"
        case pointwiseUsesIm2col = "pointwise_uses_im2col", cyclesPerIm2colRow = "cycles_per_im2col_row"
        case cyclesPerTranscendental = "cycles_per_transcendental", cyclesPerDivision = "cycles_per_division"
        case cyclesPerElementOutput = "cycles_per_element_output", cyclesPerReducedElement = "cycles_per_reduced_element"
        case cyclesPerPooledElement = "cycles_per_pooled_element", cyclesPerUnaryOutput = "cycles_per_unary_output"
        case cyclesPerMovedValue = "cycles_per_moved_value", cyclesPerMovedRow = "cycles_per_moved_row"
    }
}

/// Latency of kernels from counts of their loops. Two codes are modelled: CMSIS-NN's int8 kernels on a Cortex-M
/// (below), and pulse's own generated C (`pointwiseUsesIm2col`: every convolution copies its input into a column),
/// int8 on a Cortex-M4 or float32 on an application core (a `generatedC` target), each with coefficients fitted
/// to what that code executes. The loop structure of CMSIS-NN's kernels:
///
/// - **Convolution** (`arm_convolve_s8`): each output pixel's window is copied into an im2col buffer as 16-bit
///   values (`rowLength = channels / groups × taps` values), then a matrix product runs two output channels by
///   two pixels at a time, four values of a row per SMLAD iteration; the `rowLength % 4` values left run in a
///   scalar loop. Each weight byte is read once per two pixels.
/// - **Pointwise** over `C % 4 == 0` channels (`arm_convolve_1x1_s8_fast`) skips the im2col copy.
/// - **Depthwise** (`arm_depthwise_conv_s8_opt`): an im2col copy per multiply-accumulate, then dual MACs.
/// - **Fully connected** and constant matrices (`arm_nn_vec_mat_mult_t_s8`): each weight byte read once.
/// - Every output value is requantised; pooling, element-wise and moves cost per value read.
///
///     cycles = stall · (aligned · c_aligned + unaligned · c_unaligned + im2col · c_im2col + outputs · c_output
///                     + weightBytes · c_flash + c_kernel)
///
/// Kernels that do not depend on the input are folded and cost nothing; a reshape costs nothing.
public struct MCUCostModel: CostModel {
    public let target: Target
    /// The coefficients.
    public let coefficients: MCUCoefficients

    /// The model of `target` with `coefficients`.
    public init(target: Target, coefficients: MCUCoefficients) {
        self.target = target
        self.coefficients = coefficients
    }

    /// What a kernel does, counted in the units of the coefficients.
    /// Each is per sample; a coefficient of `MCUCoefficients` multiplies each.
    public struct Counts: Sendable, Equatable {
        /// Multiply-accumulates in whole groups of four of a filter row, and in the rest of it.
        public var alignedMACs = 0.0
        public var unalignedMACs = 0.0
        /// Multiply-accumulates of depthwise convolutions, and of fully connected layers.
        public var depthwiseMACs = 0.0
        public var denseMACs = 0.0
        /// Values copied into im2col columns.
        public var im2colValues = 0.0
        /// Outputs of matrix products (convolutions and contractions): requantised, or a dot product's tail, and stored.
        public var outputs = 0.0
        /// Values read by element-wise arithmetic.
        public var elements = 0.0
        /// Kernel calls (1, or 0 for a folded kernel or a reshape).
        public var kernels = 0.0
        /// Weight bytes read from flash.
        public var weightBytes = 0.0
        /// Multiply-accumulates of contractions with a constant matrix.
        public var contractionMACs = 0.0
        /// Fixed-point rescalings beyond each output's own.
        public var rescales = 0.0
        /// Channel rows copied into im2col columns (one per input channel and output position).
        public var im2colRows = 0.0
        /// Values of exponentials, logarithms, sigmoids and tanhs.
        public var transcendentals = 0.0
        /// Values of divisions.
        public var divisions = 0.0
        /// Outputs of binary element-wise, reduction and pooling kernels (`outputs` counts those of matrix products).
        public var elementOutputs = 0.0
        /// Values read by reductions.
        public var reducedElements = 0.0
        /// Values read by pooling windows.
        public var pooledElements = 0.0
        /// Outputs of unary element-wise functions (`elementOutputs` counts binary ones).
        public var unaryOutputs = 0.0
        /// Values written by data moves.
        public var movedValues = 0.0
        /// Runs of contiguous values data moves write: their values over the extent of the axes after the moved one.
        public var movedRows = 0.0

        /// No work at all.
        public init() {}

        /// The counts in the order of `MCUCoefficients.perCount`: aligned, unaligned, depthwise and dense MACs,
        /// im2col values, outputs, elements, kernels, weight bytes, contraction MACs, rescalings, im2col rows, transcendentals,
        /// divisions, element-wise outputs, reduced elements, pooled elements, unary outputs, moved values, moved rows.
        public var values: [Double] {
            [alignedMACs, unalignedMACs, depthwiseMACs, denseMACs, im2colValues, outputs, elements, kernels, weightBytes, contractionMACs, rescales,
             im2colRows, transcendentals, divisions, elementOutputs, reducedElements, pooledElements, unaryOutputs, movedValues, movedRows]
        }
    }

    /// The counts of `kernel`; all zero for a kernel folded before inference or a reshape. With
    /// `pointwiseUsesIm2col`, pointwise convolutions count their im2col copy too.
    public static func counts(of kernel: Kernel, features: KernelFeatures, pointwiseUsesIm2col: Bool = false) -> Counts {
        var counts = Counts()
        guard features.dependsOnInput else { return counts }
        if case .dataMove(.reshape) = kernel.operation { return counts }
        let macs = Double(features.multiplyAccumulates)
        let outputs = Double(features.outputValues)
        counts.kernels = 1
        switch kernel.operation {
        case .convolution(let convolution):
            let macs = Double(convolution.multiplyAccumulates)
            let pixels = Double(convolution.outputExtent.reduce(1, *))
            switch convolution.kind {
            case .depthwise:
                counts.depthwiseMACs = macs
                counts.im2colValues = macs
                counts.im2colRows = pixels * Double(convolution.inputChannels)
                counts.weightBytes = macs
            case _ where convolution.spatialRank == 0:
                counts.denseMACs = macs
                counts.weightBytes = macs
            default:
                let rowLength = convolution.channelsPerGroup * convolution.kernelSize.reduce(1, *)
                let alignedShare = Double(rowLength / 4 * 4) / Double(rowLength)
                counts.alignedMACs = macs * alignedShare
                counts.unalignedMACs = macs * (1 - alignedShare)
                let fastPointwise = !pointwiseUsesIm2col && convolution.kind == .pointwise && convolution.inputChannels % 4 == 0
                if !fastPointwise {
                    counts.im2colValues = pixels * Double(rowLength * convolution.groups)
                    counts.im2colRows = pixels * Double(convolution.inputChannels)
                }
                counts.weightBytes = macs / 2
            }
            counts.outputs = outputs
            if convolution.residual != nil { counts.rescales = outputs }
        case .constantContraction:
            counts.contractionMACs = macs
            counts.weightBytes = macs
            counts.outputs = outputs
        case .contraction:
            counts.unalignedMACs = macs
            counts.outputs = outputs
        case .elementwise(let primitive):
            switch primitive {
            case .add, .sub, .mul, .div: counts.elementOutputs = outputs
            default: counts.unaryOutputs = outputs
            }
            switch primitive {
            case .add, .sub:
                counts.elements = 2 * outputs
                counts.rescales = 2 * outputs
            case .mul:
                counts.elements = 2 * outputs
            case .div:
                counts.elements = 2 * outputs
                counts.rescales = outputs
                counts.divisions = outputs
            case .exp, .log, .sigmoid, .tanh:
                counts.elements = outputs
                counts.transcendentals = outputs
            default:
                counts.elements = outputs
            }
        case .reduction:
            counts.reducedElements = Double(features.inputValues)
            counts.elementOutputs = outputs
        case .pooling(let pooling):
            counts.pooledElements = outputs * Double(pooling.size)
            counts.elementOutputs = outputs
        case .dataMove(let primitive):
            counts.movedValues = outputs
            let axis: Int
            switch primitive {
            case .pad(let a, _, _), .slice(let a, _, _), .concat(let a), .window(let a, _, _, _), .shift(let a, _): axis = a
            default: axis = kernel.outputShape.count - 1
            }
            let inner = kernel.outputShape.dropFirst(min(axis + 1, kernel.outputShape.count)).reduce(1, *)
            counts.movedRows = outputs / Double(max(1, inner))
        }
        return counts
    }

    public func cost(of kernel: Kernel, features: KernelFeatures, batch: Int, threads: Int) -> KernelCost {
        let counts = Self.counts(of: kernel, features: features, pointwiseUsesIm2col: coefficients.pointwiseUsesIm2col ?? false)
        let cycles = zip(counts.values, coefficients.perCount).reduce(0) { $0 + $1.0 * $1.1 }
        return KernelCost(cycles: cycles * coefficients.stallFactor.value, clockHz: target.clockHz.value)
    }

    /// The im2col buffers: with `pointwiseUsesIm2col` (pulse's kernels), one column of a filter row for every
    /// convolution, in 16-bit values for int8 and in the target's type otherwise; otherwise CMSIS-NN's, two 16-bit columns of a convolution (none for the fast pointwise path) and
    /// one of a depthwise convolution.
    public func scratchBytes(of kernel: Kernel) -> Int {
        guard kernel.dependsOnInput, case .convolution(let convolution) = kernel.operation else { return 0 }
        let rowLength = convolution.channelsPerGroup * convolution.kernelSize.reduce(1, *)
        if coefficients.pointwiseUsesIm2col == true { return (target.dataType == .int8 ? 2 : target.dataType.bytes) * rowLength }
        guard convolution.spatialRank > 0 else { return 0 }
        switch convolution.kind {
        case .depthwise: return 2 * convolution.inputChannels * convolution.kernelSize.reduce(1, *)
        case .pointwise where convolution.inputChannels % 4 == 0: return 0
        default: return 2 * 2 * rowLength
        }
    }
}
