import Foundation
import Testing
import PulseGraph
@testable import PulseEngine

@Suite struct InferenceProgramTests {
    /// `F(m, r)` reproduces the direct correlation `y_i = Σ_k g_k d_{i+k}` for every filter length it supports.
    @Test(arguments: 2...7)
    func winogradTransformComputesCorrelation(_ taps: Int) throws {
        let transform = try #require(WinogradTransform(taps: taps))
        #expect(transform.outputs == 9 - taps && transform.points == 8)
        var generator = SeededGenerator(seed: UInt64(taps))
        let g = (0..<taps).map { _ in Double.random(in: -1...1, using: &generator) }
        let d = (0..<8).map { _ in Double.random(in: -1...1, using: &generator) }
        let transformedFilter = (0..<8).map { xi in (0..<taps).reduce(0.0) { $0 + transform.filterTransform[xi * taps + $1] * g[$1] } }
        let transformedInput = (0..<8).map { xi in (0..<8).reduce(0.0) { $0 + Double(transform.inputTransform[xi * 8 + $1]) * d[$1] } }
        for i in 0..<transform.outputs {
            let winograd = (0..<8).reduce(0.0) { $0 + Double(transform.outputTransform[i * 8 + $1]) * transformedFilter[$1] * transformedInput[$1] }
            let direct = (0..<taps).reduce(0.0) { $0 + g[$1] * d[i + $1] }
            #expect(abs(winograd - direct) < 1e-5, "output \(i): \(winograd) against \(direct)")
        }
        #expect(WinogradTransform(taps: 1) == nil && WinogradTransform(taps: 8) == nil)
    }

    /// A network shaped like the baseline: a constant contraction, element-wise spectrum arithmetic, a peak
    /// reduction, convolutions of 8 → 32 channels with dilations 1–8 in residual blocks, and a pointwise head.
    static func baselineLike(channels: Int = 32, taps: Int = 5) throws -> Graph {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 64], layer: "input")
        var generator = SeededGenerator(seed: 3)
        let basis = Tensor(shape: [40, 64], scalars: (0..<(40 * 64)).map { _ in Float.random(in: -1...1, using: &generator) })
        let cosine = try graph.append(.const(basis), layer: "spectrum")
        let taper = try graph.append(.const(Tensor(shape: [1, 64], repeating: 0.5)), layer: "spectrum")
        let tapered = try graph.append(.mul, [x, taper], layer: "spectrum")
        let real = try graph.append(.contract(spec: try ContractSpec("ft,ct->cf")), [cosine, tapered], layer: "spectrum")
        let power = try graph.append(.mul, [real, real], layer: "spectrum")
        let peak = try graph.append(.reduce(kind: .max, axes: [1]), [power], layer: "spectrum")
        let floor = try graph.append(.const(Tensor(shape: [1], scalars: [1e-6])), layer: "spectrum")
        let divisor = try graph.append(.reshape(shape: [4, 1]), [try graph.append(.add, [peak, floor], layer: "spectrum")], layer: "spectrum")
        var y = try graph.append(.div, [power, divisor], layer: "spectrum")
        y = try Conv1d("conv0", inputChannels: 4, outputChannels: 8, kernelSize: taps)(y, in: &graph)
        y = try graph.append(.relu, [y], layer: "conv0")
        y = try Conv1d("widen", inputChannels: 8, outputChannels: channels, kernelSize: taps)(y, in: &graph)
        y = try graph.append(.relu, [y], layer: "widen")
        for (index, dilation) in [1, 2, 4, 8].enumerated() {
            y = try ResidualBlock("block\(index)", channels: channels, kernelSize: taps, dilation: dilation)(y, in: &graph)
        }
        y = try Conv1d("head", inputChannels: channels, outputChannels: 1, kernelSize: 1)(y, in: &graph)
        graph.outputs = [try graph.append(.reshape(shape: [40]), [y], layer: "head")]
        return graph
    }

    static func compareWithGenericPath(_ graph: Graph, batches: [Int], threads: [Int], tolerance: Float = 1e-4) throws {
        let parameters = graph.initialParameters(seed: 11)
        let fast = try Executor(graph: graph, parameters: parameters)
        let generic = try Executor(graph: graph, parameters: parameters, fusing: false)
        var generator = SeededGenerator(seed: 12)
        for batch in batches {
            let inputs = Dictionary(uniqueKeysWithValues: graph.inputs.map { input in
                (input.name, Tensor(shape: [batch] + input.shape, scalars: (0..<(batch * input.shape.reduce(1, *))).map { _ in
                    Float.random(in: -1...1, using: &generator)
                }))
            })
            let expected = try generic.run(inputs)
            for threadCount in threads {
                let actual = try fast.infer(inputs, threads: threadCount)
                for (a, e) in zip(actual, expected) {
                    #expect(a.shape == e.shape)
                    let scale = e.scalars.reduce(Float(0)) { max($0, abs($1)) }
                    let error = zip(a.scalars, e.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
                    #expect(error <= tolerance * max(scale, 1), "batch \(batch), \(threadCount) threads: error \(error), scale \(scale)")
                }
            }
        }
    }

    @Test(arguments: [3, 5, 7])
    func arenaProgramMatchesGenericPath(_ taps: Int) throws {
        let graph = try Self.baselineLike(taps: taps)
        let program = try Executor(graph: graph, parameters: graph.initialParameters(seed: 11)).inferenceProgram()
        // Every convolution with several taps runs by Winograd, the head on the channels-last values; the rest through arena kernels without the generic path.
        #expect(program.kernels.filter { $0 is WinogradConvolution }.count == 10)
        #expect(program.kernels.contains { $0 is PointwiseStep })
        #expect(!program.kernels.contains { $0 is GenericStep })
        try Self.compareWithGenericPath(graph, batches: [1, 8, 19], threads: [1, 2])
    }

    /// A TCN held as 2-D convolutions over `[C, 1, L]` (ONNX's usual form) runs on the same fast kernels.
    @Test func heightOneConvolutionsRunByWinograd() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 1, 64], layer: "input")
        var y = try Conv2d("a", inputChannels: 4, outputChannels: 16, kernelSize: (1, 3), dilation: (1, 2), padding: (0, 0, 2, 2))(x, in: &graph)
        y = try graph.append(.relu, [y], layer: "a")
        y = try Conv2d("b", inputChannels: 16, outputChannels: 16, kernelSize: (1, 5), padding: (0, 0, 2, 2))(y, in: &graph)
        y = try Conv2d("c", inputChannels: 16, outputChannels: 2, kernelSize: (1, 1))(y, in: &graph)
        graph.outputs = [y]
        let program = try Executor(graph: graph, parameters: graph.initialParameters(seed: 3)).inferenceProgram()
        #expect(program.kernels.filter { $0 is WinogradConvolution }.count == 2)
        #expect(!program.kernels.contains { $0 is GenericStep })
        try Self.compareWithGenericPath(graph, batches: [1, 9], threads: [1, 2])
    }

    /// Pooling (mean and maximum, with zero padding) and dense layers run in the arena, as the generic path does.
    @Test func poolingAndDenseLayersRunInTheArena() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [3, 20], layer: "input")
        var y = try Pool1d("mean", kind: .mean, size: 3, stride: 2)(x, in: &graph)
        let padded = try graph.append(.pad(axis: 1, before: 1, after: 2), [y], layer: "max")
        let windows = try graph.append(.window(axis: 1, size: 3, stride: 1, dilation: 2), [padded], layer: "max")
        y = try graph.append(.reduce(kind: .max, axes: [1]), [windows], layer: "max")
        y = try graph.append(.reshape(shape: [3 * 8]), [y], layer: "flatten")
        // Sixteen outputs take the transposed-weight product (several samples) or the row-wise one (one sample);
        // five take BLAS.
        y = try Dense("wide", inputs: 24, outputs: 16)(y, in: &graph)
        y = try Dense("dense", inputs: 16, outputs: 5)(y, in: &graph)
        graph.outputs = [try graph.append(.relu, [y], layer: "dense")]
        let program = try Executor(graph: graph, parameters: graph.initialParameters(seed: 4)).inferenceProgram()
        #expect(program.kernels.filter { $0 is PoolingStep }.count == 2 && program.kernels.filter { $0 is DenseStep }.count == 2)
        #expect(!program.kernels.contains { $0 is GenericStep })
        try Self.compareWithGenericPath(graph, batches: [1, 11], threads: [1, 2])
    }

    /// Pooling between Winograd convolutions reads their channels-last output and writes channels-last for the next
    /// convolution, channels-first for a flattening reader.
    @Test func poolingBetweenConvolutionsStaysChannelsLast() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [8, 40], layer: "input")
        var y = try Conv1d("a", inputChannels: 8, outputChannels: 16, kernelSize: 3, dilation: 2)(x, in: &graph)
        y = try Pool1d("poolA", kind: .mean, size: 2)(y, in: &graph)
        y = try Conv1d("b", inputChannels: 16, outputChannels: 16, kernelSize: 5)(y, in: &graph)
        y = try Pool1d("poolB", kind: .max, size: 3, stride: 2)(y, in: &graph)
        y = try graph.append(.reshape(shape: [16 * 9]), [y], layer: "flatten")
        graph.outputs = [try Dense("dense", inputs: 16 * 9, outputs: 4)(y, in: &graph)]
        let program = try Executor(graph: graph, parameters: graph.initialParameters(seed: 6)).inferenceProgram()
        let pools = program.kernels.compactMap { $0 as? PoolingStep }
        #expect(pools.map(\.inputLayout) == [.channelsLast, .channelsLast] && pools.map(\.outputLayout) == [.channelsLast, .channelsFirst])
        try Self.compareWithGenericPath(graph, batches: [1, 10], threads: [1, 2])
    }

    @Test func graphsWithoutFastKernelsStillRun() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [6, 21], layer: "input")
        var y = try Conv1d("grouped", inputChannels: 6, outputChannels: 9, kernelSize: 3, stride: 2, groups: 3)(x, in: &graph)
        y = try graph.append(.tanh, [y], layer: "grouped")
        y = try Pool1d("pool", kind: .mean, size: 2)(y, in: &graph)
        let sliced = try graph.append(.slice(axis: 1, start: 1, count: 3), [y], layer: "slice")
        let shifted = try graph.append(.shift(axis: 1, amount: 1), [sliced], layer: "shift")
        graph.outputs = [try graph.append(.concat(axis: 1), [sliced, shifted], layer: "join"), y]
        try Self.compareWithGenericPath(graph, batches: [1, 13], threads: [1, 2])
    }

    /// New parameters make a new program: inference never runs stale weights.
    @Test func changedParametersAreUsed() throws {
        let graph = try Self.baselineLike()
        var executor = try Executor(graph: graph, parameters: graph.initialParameters(seed: 1))
        let input = ["x": Tensor(shape: [2, 4, 64], repeating: 0.25)]
        let before = try executor.infer(input)[0]
        executor.parameters = graph.initialParameters(seed: 2)
        let after = try executor.infer(input)[0]
        let expected = try Executor(graph: graph, parameters: graph.initialParameters(seed: 2), fusing: false).run(input)[0]
        #expect(before.scalars != after.scalars)
        for (a, e) in zip(after.scalars, expected.scalars) { #expect(abs(a - e) <= 1e-4 * max(1, abs(e))) }
    }
}
