import PulseGraph

/// The coefficients of `MCUCostModel`, in core cycles: few and named, so that the firmware simulator can fit them
/// to instruction counts of pulse's own generated code.
public struct MCUCoefficients: Sendable, Equatable, Codable {
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
    /// Cycles per value read by pooling, element-wise arithmetic, reductions and moves of data.
    public var cyclesPerElement: SourcedValue
    /// Cycles per kernel call: argument checks, loop set-up, the call itself.
    public var cyclesPerKernel: SourcedValue
    /// Extra cycles per weight byte read from flash (wait states not hidden by the prefetcher or cache).
    public var flashCyclesPerWeightByte: SourcedValue
    /// What every count above is multiplied by: the stalls, spills and glue code that counting a kernel's inner
    /// loops misses. Fitted to whole-network measurements; 1 is the bare count.
    public var stallFactor: SourcedValue

    enum CodingKeys: String, CodingKey {
        case cyclesPerAlignedMAC = "cycles_per_aligned_mac", cyclesPerUnalignedMAC = "cycles_per_unaligned_mac"
        case cyclesPerDepthwiseMAC = "cycles_per_depthwise_mac", cyclesPerDenseMAC = "cycles_per_dense_mac"
        case cyclesPerIm2colValue = "cycles_per_im2col_value", cyclesPerOutput = "cycles_per_output"
        case cyclesPerElement = "cycles_per_element", cyclesPerKernel = "cycles_per_kernel"
        case flashCyclesPerWeightByte = "flash_cycles_per_weight_byte", stallFactor = "stall_factor"
    }
}

/// Latency of int8 kernels on a Cortex-M, following the loop structure of CMSIS-NN's kernels:
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

    public func cost(of kernel: Kernel, features: KernelFeatures, batch: Int, threads: Int) -> KernelCost {
        guard features.dependsOnInput else { return .zero }
        if case .dataMove(.reshape) = kernel.operation { return .zero }
        let c = coefficients
        let macs = Double(features.multiplyAccumulates)
        let outputs = Double(features.outputValues)
        var cycles = c.cyclesPerKernel.value
        switch kernel.operation {
        case .convolution(let convolution):
            let macs = Double(convolution.multiplyAccumulates)
            let pixels = Double(convolution.outputExtent.reduce(1, *))
            switch convolution.kind {
            case .depthwise:
                cycles += macs * (c.cyclesPerDepthwiseMAC.value + c.cyclesPerIm2colValue.value + c.flashCyclesPerWeightByte.value)
            case _ where convolution.spatialRank == 0:
                cycles += macs * (c.cyclesPerDenseMAC.value + c.flashCyclesPerWeightByte.value)
            default:
                let rowLength = convolution.channelsPerGroup * convolution.kernelSize.reduce(1, *)
                let alignedShare = Double(rowLength / 4 * 4) / Double(rowLength)
                cycles += macs * alignedShare * c.cyclesPerAlignedMAC.value + macs * (1 - alignedShare) * c.cyclesPerUnalignedMAC.value
                let fastPointwise = convolution.kind == .pointwise && convolution.inputChannels % 4 == 0
                if !fastPointwise { cycles += pixels * Double(rowLength * convolution.groups) * c.cyclesPerIm2colValue.value }
                cycles += macs / 2 * c.flashCyclesPerWeightByte.value
            }
            cycles += outputs * c.cyclesPerOutput.value
        case .constantContraction:
            cycles += macs * (c.cyclesPerDenseMAC.value + c.flashCyclesPerWeightByte.value) + outputs * c.cyclesPerOutput.value
        case .contraction:
            cycles += macs * c.cyclesPerUnalignedMAC.value + outputs * c.cyclesPerOutput.value
        case .elementwise:
            cycles += Double(features.inputValues) * c.cyclesPerElement.value + outputs * c.cyclesPerOutput.value
        case .pooling(let pooling):
            cycles += outputs * (Double(pooling.size) * c.cyclesPerElement.value + c.cyclesPerOutput.value)
        case .reduction:
            cycles += Double(features.inputValues) * c.cyclesPerElement.value + outputs * c.cyclesPerOutput.value
        case .dataMove:
            cycles += outputs * c.cyclesPerElement.value
        }
        return KernelCost(cycles: cycles * c.stallFactor.value, clockHz: target.clockHz.value)
    }

    /// CMSIS-NN's buffers: two 16-bit im2col columns of a convolution (none for the fast pointwise path), one of a
    /// depthwise convolution.
    public func scratchBytes(of kernel: Kernel) -> Int {
        guard kernel.dependsOnInput, case .convolution(let convolution) = kernel.operation, convolution.spatialRank > 0 else { return 0 }
        let rowLength = convolution.channelsPerGroup * convolution.kernelSize.reduce(1, *)
        switch convolution.kind {
        case .depthwise: return 2 * convolution.inputChannels * convolution.kernelSize.reduce(1, *)
        case .pointwise where convolution.inputChannels % 4 == 0: return 0
        default: return 2 * 2 * rowLength
        }
    }
}
