import Foundation
import PulseGraph

/// Fits some of a roofline target's coefficients to measured whole-network latencies, by least squares on the
/// logarithm of predicted over measured latency (so that every network weighs the same whatever its size):
/// coordinate descent, each coefficient by golden-section search over its `range`, until no sweep improves.
public struct RooflineFit {
    /// A coefficient the fit may change, with the range it searches.
    public struct FreeCoefficient {
        /// The coefficient's name in reports.
        public var name: String
        /// Where the coefficient lives: one value written to every place listed.
        public var keyPaths: [WritableKeyPath<RooflineCoefficients, SourcedValue>]
        /// The values searched.
        public var range: ClosedRange<Double>

        /// A free coefficient.
        public init(_ name: String, _ keyPaths: WritableKeyPath<RooflineCoefficients, SourcedValue>..., range: ClosedRange<Double>) {
            self.name = name
            self.keyPaths = keyPaths
            self.range = range
        }
    }

    /// The coefficients fitted for the ncnn measurements: one efficiency for the matrix-product convolutions
    /// (im2col and pointwise), one for Winograd convolutions, one for depthwise ones, and the memory bandwidth.
    public static var ncnnCoefficients: [FreeCoefficient] { [
        FreeCoefficient("winograd_efficiency", \.winogradEfficiency, range: 0.05...4),
        FreeCoefficient("convolution_efficiency = pointwise_efficiency", \.convolutionEfficiency, \.pointwiseEfficiency, range: 0.02...2),
        FreeCoefficient("depthwise_efficiency", \.depthwiseEfficiency, range: 0.01...2),
        FreeCoefficient("memory_bytes_per_second", \.memoryBytesPerSecond, range: 2e8...3e10),
    ] }

    /// The target whose coefficients are fitted.
    public var target: Target
    /// The coefficients searched.
    public var free: [FreeCoefficient]

    /// A fit of `free` coefficients of `target`, which must use a roofline model.
    public init(target: Target, free: [FreeCoefficient]) {
        self.target = target
        self.free = free
    }

    /// Seconds per sample the model gives `plan` with `coefficients`.
    public func predictedSeconds(_ plan: KernelPlan, _ coefficients: RooflineCoefficients) -> Double {
        predictedSeconds(plan.kernels.map { ($0, KernelFeatures($0, in: plan)) }, coefficients)
    }

    /// Seconds per sample of kernels whose features are already known.
    private func predictedSeconds(_ kernels: [(Kernel, KernelFeatures)], _ coefficients: RooflineCoefficients) -> Double {
        let model = RooflineCostModel(target: target, coefficients: coefficients)
        let threads = Int(target.threads.value)
        return kernels.reduce(0) { $0 + model.cost(of: $1.0, features: $1.1, batch: 1, threads: threads).seconds }
    }

    /// The coefficients that best fit `measurements` (plans with measured seconds), starting from `start`; each
    /// fitted constant's source says what it was fitted to.
    public func fitted(_ measurements: [(name: String, plan: KernelPlan, seconds: Double)], start: RooflineCoefficients) -> RooflineCoefficients {
        var coefficients = start
        let networks = measurements.map { measurement in
            (kernels: measurement.plan.kernels.map { ($0, KernelFeatures($0, in: measurement.plan)) }, seconds: measurement.seconds)
        }
        func loss(_ candidate: RooflineCoefficients) -> Double {
            networks.reduce(0) { total, network in
                let ratio = log(predictedSeconds(network.kernels, candidate) / network.seconds)
                return total + ratio * ratio
            }
        }
        var best = loss(coefficients)
        for _ in 0..<40 {
            let before = best
            for coefficient in free {
                var (low, high) = (log(coefficient.range.lowerBound), log(coefficient.range.upperBound))
                let ratio = (5.0.squareRoot() - 1) / 2
                func value(_ x: Double) -> Double {
                    var candidate = coefficients
                    for keyPath in coefficient.keyPaths { candidate[keyPath: keyPath].value = exp(x) }
                    return loss(candidate)
                }
                for _ in 0..<40 {
                    let (a, b) = (high - ratio * (high - low), low + ratio * (high - low))
                    if value(a) < value(b) { high = b } else { low = a }
                }
                let x = (low + high) / 2
                let candidate = value(x)
                if candidate < best {
                    for keyPath in coefficient.keyPaths { coefficients[keyPath: keyPath].value = exp(x) }
                    best = candidate
                }
            }
            if before - best < 1e-9 { break }
        }
        let names = measurements.map(\.name).joined(separator: ", ")
        for keyPath in free.flatMap(\.keyPaths) {
            coefficients[keyPath: keyPath].source =
                "fitted (pulse profile --fit) to the published single-thread latencies of \(names) on this device (COSTMODELS.md)"
        }
        return coefficients
    }
}
