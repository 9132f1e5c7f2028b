import Testing
import PulseEngine
import PulseGraph
@testable import PulseHardware

/// The host model's kernel classes name the implementation the engine's inference program picks.
@Suite struct HostKernelClassTests {
    static let implementations: [FittedCostModel.KernelClass: Set<String>] = [
        .winograd: ["WinogradConvolution"], .pointwise: ["PointwiseStep", "BLASConvolutionStep"], .dense: ["DenseStep"],
        .convolution: ["BLASConvolutionStep"], .depthwise: ["BLASConvolutionStep"], .elementwise: ["ElementwiseStep"],
        .pooling: ["PoolingStep"], .reduction: ["ReductionStep"], .constantContraction: ["ConstantContractionStep"], .generic: ["GenericStep"],
    ]

    @Test func classesMatchTheEnginesChoice() throws {
        var graph = Graph()
        var y = try graph.append(.input(name: "x"), shape: [4, 128], layer: "input")
        let basis = try graph.append(.const(Tensor(shape: [64, 128], repeating: 0.01)), layer: "dft")
        y = try graph.append(.contract(spec: try ContractSpec("ft,ct->cf")), [basis, y], layer: "dft")
        y = try graph.append(.mul, [y, y], layer: "power")
        y = try Conv1d("winograd", inputChannels: 4, outputChannels: 16, kernelSize: 5)(y, in: &graph)
        y = try graph.append(.relu, [y], layer: "winograd")
        y = try Conv1d("wide", inputChannels: 16, outputChannels: 16, kernelSize: 9)(y, in: &graph)
        y = try Conv1d("odd", inputChannels: 16, outputChannels: 12, kernelSize: 3)(y, in: &graph)
        y = try Conv1d("grouped", inputChannels: 12, outputChannels: 12, kernelSize: 3, groups: 3)(y, in: &graph)
        y = try DepthwiseConv1d("depthwise", channels: 12, kernelSize: 3)(y, in: &graph)
        y = try Conv1d("pointwise", inputChannels: 12, outputChannels: 8, kernelSize: 1)(y, in: &graph)
        y = try Pool1d("pool", kind: .max, size: 2)(y, in: &graph)
        let peak = try graph.append(.reduce(kind: .max, axes: [1]), [y], layer: "peak")
        y = try graph.append(.reshape(shape: [8 * 32]), [y], layer: "flatten")
        y = try Dense("dense", inputs: 256, outputs: 10)(y, in: &graph)
        y = try graph.append(.slice(axis: 0, start: 0, count: 8), [y], layer: "slice")
        graph.outputs = [try graph.append(.add, [y, peak], layer: "sum")]
        let executor = try Executor(graph: graph, parameters: graph.initialParameters(seed: 1))
        let plan = KernelPlan(graph: graph)
        let timings = try executor.kernelTimings(batch: 1, repeats: 1)
        var seen = Set<FittedCostModel.KernelClass>()
        for timing in timings {
            let kernelClass = FittedCostModel.kernelClass(plan.kernels[timing.kernel])
            seen.insert(kernelClass)
            #expect(Self.implementations[kernelClass]?.contains(timing.implementation) == true,
                    "kernel \(timing.kernel) (\(plan.kernels[timing.kernel].layer)) is \(kernelClass) but ran as \(timing.implementation)")
            #expect(timing.secondsPerSample > 0)
        }
        #expect(seen.count >= 9, "classes covered: \(seen)")
    }
}
