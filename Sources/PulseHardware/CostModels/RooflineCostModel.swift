import PulseGraph

/// The coefficients of `RooflineCostModel`.
public struct RooflineCoefficients: Sendable, Equatable, Codable {
    /// Multiply-accumulates per cycle per core at peak (the SIMD width times the fused multiply-adds issued per
    /// cycle).
    public var peakMACsPerCycle: SourcedValue
    /// Share of the peak reached by 3 × 3, stride-1 dense convolutions, counted in direct-convolution MACs (a
    /// Winograd kernel can exceed 1).
    public var winogradEfficiency: SourcedValue
    /// Share of the peak reached by other dense and grouped convolutions (im2col and a matrix product).
    public var convolutionEfficiency: SourcedValue
    /// Share of the peak reached by 1 × 1 convolutions.
    public var pointwiseEfficiency: SourcedValue
    /// Share of the peak reached by depthwise convolutions.
    public var depthwiseEfficiency: SourcedValue
    /// Share of the peak reached by fully connected layers and other products with a constant matrix.
    public var denseEfficiency: SourcedValue
    /// Values per cycle of pooling, element-wise arithmetic, reductions and moves of data.
    public var valuesPerCycle: SourcedValue
    /// Main-memory bandwidth, in bytes per second, for kernels whose data exceeds the last-level cache.
    public var memoryBytesPerSecond: SourcedValue
    /// Fixed cycles per kernel: the call, set-up, and the threads' synchronisation.
    public var cyclesPerKernel: SourcedValue

    enum CodingKeys: String, CodingKey {
        case peakMACsPerCycle = "peak_macs_per_cycle", winogradEfficiency = "winograd_efficiency"
        case convolutionEfficiency = "convolution_efficiency", pointwiseEfficiency = "pointwise_efficiency"
        case depthwiseEfficiency = "depthwise_efficiency", denseEfficiency = "dense_efficiency"
        case valuesPerCycle = "values_per_cycle", memoryBytesPerSecond = "memory_bytes_per_second"
        case cyclesPerKernel = "cycles_per_kernel"
    }
}

/// Latency of float32 kernels on an application core, per kernel (nn-Meter's kernel sum): compute time from the
/// kernel's multiply-accumulates and its class's share of the peak, memory time from the bytes it moves once they
/// exceed the last-level cache, the larger of the two, plus a fixed overhead:
///
///     seconds = max(MACs / (peak · efficiency · threads), bytes / bandwidth if bytes > cache) / clock + c_kernel / clock
///
/// Threads divide the compute time (ideal scaling, an assumption no measurement here checks); memory time and the
/// overhead are not divided. Kernels that do not depend on the input are folded; a reshape costs nothing.
public struct RooflineCostModel: CostModel {
    public let target: Target
    /// The coefficients.
    public let coefficients: RooflineCoefficients

    /// The model of `target` with `coefficients`.
    public init(target: Target, coefficients: RooflineCoefficients) {
        self.target = target
        self.coefficients = coefficients
    }

    /// The classes whose efficiencies the model keeps apart.
    public enum KernelClass: String, Sendable, CaseIterable {
        case winograd, convolution, pointwise, depthwise, dense, memory
    }

    /// The class of `kernel`.
    public static func kernelClass(_ kernel: Kernel) -> KernelClass {
        switch kernel.operation {
        case .convolution(let convolution):
            switch convolution.kind {
            case .depthwise: return .depthwise
            case .pointwise: return convolution.spatialRank == 0 ? .dense : .pointwise
            default:
                let winograd = convolution.groups == 1 && convolution.kernelSize.allSatisfy { $0 == 3 }
                    && convolution.stride.allSatisfy { $0 == 1 } && convolution.dilation.allSatisfy { $0 == 1 }
                return winograd ? .winograd : .convolution
            }
        case .constantContraction, .contraction: return .dense
        case .pooling, .elementwise, .reduction, .dataMove: return .memory
        }
    }

    /// The efficiency of `kernelClass` (nil for `.memory`, which is costed per value).
    public func efficiency(_ kernelClass: KernelClass) -> Double? {
        switch kernelClass {
        case .winograd: return coefficients.winogradEfficiency.value
        case .convolution: return coefficients.convolutionEfficiency.value
        case .pointwise: return coefficients.pointwiseEfficiency.value
        case .depthwise: return coefficients.depthwiseEfficiency.value
        case .dense: return coefficients.denseEfficiency.value
        case .memory: return nil
        }
    }

    public func cost(of kernel: Kernel, features: KernelFeatures, batch: Int, threads: Int) -> KernelCost {
        guard features.dependsOnInput else { return .zero }
        if case .dataMove(.reshape) = kernel.operation { return .zero }
        let c = coefficients
        let clock = target.clockHz.value
        let parallel = Double(max(1, threads))
        let computeCycles: Double
        if let efficiency = efficiency(Self.kernelClass(kernel)) {
            var macs = features.multiplyAccumulates
            if case .convolution(let convolution) = kernel.operation { macs = convolution.multiplyAccumulates }
            computeCycles = Double(macs) / (c.peakMACsPerCycle.value * efficiency * parallel)
        } else {
            var values = Double(features.inputValues + features.outputValues)
            if case .pooling(let pooling) = kernel.operation { values = Double(features.outputValues * (pooling.size + 1)) }
            computeCycles = values / (c.valuesPerCycle.value * parallel)
        }
        let bytes = Double(features.bytesMoved(.float32))
        let cache = target.memory.l2Bytes?.value ?? .infinity
        let memoryCycles = bytes > cache ? bytes / c.memoryBytesPerSecond.value * clock : 0
        return KernelCost(cycles: max(computeCycles, memoryCycles) + c.cyclesPerKernel.value, clockHz: clock)
    }

    /// The im2col buffer of a convolution that is neither pointwise, depthwise nor Winograd: every output position's
    /// window, in float32.
    public func scratchBytes(of kernel: Kernel) -> Int {
        guard kernel.dependsOnInput, Self.kernelClass(kernel) == .convolution, case .convolution(let convolution) = kernel.operation else { return 0 }
        return 4 * convolution.channelsPerGroup * convolution.kernelSize.reduce(1, *) * convolution.outputExtent.reduce(1, *) * convolution.groups
    }
}
