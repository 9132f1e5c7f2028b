import PulseGraph

/// What one kernel costs on a target, for one sample.
public struct KernelCost: Sendable, Equatable {
    /// Core clock cycles.
    public var cycles: Double
    /// Latency, in seconds.
    public var seconds: Double

    /// A cost of `cycles` at `clockHz`.
    public init(cycles: Double, clockHz: Double) {
        self.cycles = cycles
        self.seconds = cycles / clockHz
    }

    /// No cost: a reshape, or a kernel folded before inference.
    public static let zero = KernelCost(cycles: 0, clockHz: 1)
}

/// Maps each kernel of a plan to its latency on one target.
public protocol CostModel: Sendable {
    /// The target the model describes.
    var target: Target { get }

    /// The cost of `kernel`, whose features are `features`, for one sample, in a batch of `batch`, on `threads`
    /// threads.
    func cost(of kernel: Kernel, features: KernelFeatures, batch: Int, threads: Int) -> KernelCost

    /// Scratch bytes `kernel` needs beside the arena (an im2col buffer), per call.
    func scratchBytes(of kernel: Kernel) -> Int

    /// Seconds per sample spent outside the kernels by one inference call.
    func inferenceOverhead(batch: Int, threads: Int) -> Double
}

extension CostModel {
    /// The cost of `kernel` of `plan` for one sample, in a batch of `batch`, on `threads` threads.
    public func cost(of kernel: Kernel, in plan: KernelPlan, batch: Int, threads: Int) -> KernelCost {
        cost(of: kernel, features: KernelFeatures(kernel, in: plan), batch: batch, threads: threads)
    }

    public func scratchBytes(of kernel: Kernel) -> Int { 0 }
    public func inferenceOverhead(batch: Int, threads: Int) -> Double { 0 }
}

extension Target {
    /// The cost model the target's coefficients describe.
    public var model: any CostModel {
        switch costModel {
        case .mcu(let coefficients), .generatedC(let coefficients): return MCUCostModel(target: self, coefficients: coefficients)
        case .roofline(let coefficients): return RooflineCostModel(target: self, coefficients: coefficients)
        case .fitted(let coefficients): return FittedCostModel(target: self, coefficients: coefficients)
        }
    }
}
