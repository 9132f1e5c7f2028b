import Foundation
import Testing
import PulseGraph
@testable import PulseEngine

@Suite struct ExecutorTests {
    func random(_ shape: [Int], _ generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) })
    }

    @Test func contractMatchesALoopedSum() throws {
        var generator = SeededGenerator(seed: 1)
        let a = random([3, 4, 2], &generator)
        let b = random([4, 2, 5], &generator)
        let (values, shape) = try contract(ContractSpec("oik,ikt->ot"), left: a.scalars, leftShape: a.shape, right: b.scalars, rightShape: b.shape)
        #expect(shape == [3, 5])
        for o in 0..<3 {
            for t in 0..<5 {
                var sum: Float = 0
                for i in 0..<4 { for k in 0..<2 { sum += a.scalars[(o * 4 + i) * 2 + k] * b.scalars[(i * 2 + k) * 5 + t] } }
                #expect(abs(values[o * 5 + t] - sum) < 1e-5)
            }
        }
    }

    @Test func windowUnfoldsAsDocumented() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [1, 7], layer: "in")
        graph.outputs = [try graph.append(.window(axis: 1, size: 3, stride: 2, dilation: 2), [x], layer: "w")]
        let output = try Executor(graph: graph, parameters: [:]).run(["x": Tensor(shape: [1, 1, 7], scalars: [0, 1, 2, 3, 4, 5, 6])])[0]
        // count = (7 − 2·2 − 1) / 2 + 1 = 2; out[k, t] = x[2t + 2k].
        #expect(output.shape == [1, 1, 3, 2])
        #expect(output.scalars == [0, 2, 2, 4, 4, 6])
    }

    /// The fused convolution kernel gives the generic path's values and gradients on random shapes and settings.
    @Test(arguments: 0..<12)
    func fusedConvolutionMatchesGenericPath(_ trial: Int) throws {
        var generator = SeededGenerator(seed: UInt64(100 + trial))
        let channels = Int.random(in: 1...6, using: &generator)
        let outputs = Int.random(in: 1...7, using: &generator)
        let kernel = Int.random(in: 1...5, using: &generator)
        let dilation = Int.random(in: 1...3, using: &generator)
        let stride = trial % 3 == 0 ? 2 : 1
        let length = Int.random(in: 20...40, using: &generator)
        let padding: Conv1d.Padding = [.same, .causal, .valid][trial % 3]
        let withRelu = trial % 2 == 0
        var graph = Graph()
        let source = try graph.append(.input(name: "x"), shape: [channels, length], layer: "in")
        // A parameter in front of the convolution, so that its input gradient is compared too.
        let scale = try graph.append(.param(name: "in.scale"), shape: [channels, length], layer: "in")
        let x = try graph.append(.mul, [source, scale], layer: "in")
        var y = try Conv1d("conv", inputChannels: channels, outputChannels: outputs, kernelSize: kernel, dilation: dilation,
                           stride: stride, padding: padding)(x, in: &graph)
        if withRelu { y = try graph.append(.relu, [y], layer: "conv") }
        graph.outputs = [y]
        let parameters = graph.initialParameters(seed: UInt64(trial))
        let fusedExecutor = try Executor(graph: graph, parameters: parameters)
        let genericExecutor = try Executor(graph: graph, parameters: parameters, fusing: false)
        #expect(fusedExecutor.steps.contains { if case .convolution = $0 { return true } else { return false } })
        let input = random([3, channels, length], &generator)
        let fusedEvaluation = try fusedExecutor.evaluate(["x": input])
        let genericEvaluation = try genericExecutor.evaluate(["x": input])
        let (fused, generic) = (fusedEvaluation.outputs[0], genericEvaluation.outputs[0])
        #expect(fused.shape == generic.shape)
        for (a, b) in zip(fused.scalars, generic.scalars) { #expect(abs(a - b) < 1e-4) }
        let seed = random(generic.shape, &generator)
        let fusedGradients = try fusedExecutor.gradients(fusedEvaluation, outputGradients: [seed])
        let genericGradients = try genericExecutor.gradients(genericEvaluation, outputGradients: [seed])
        for (name, gradient) in genericGradients {
            let other = try #require(fusedGradients[name])
            for (a, b) in zip(other.scalars, gradient.scalars) { #expect(abs(a - b) < 1e-3 * max(1, abs(b)), "\(name)") }
        }
    }

    @Test func inferenceOnTwoThreadsMatchesOne() throws {
        let (graph, parameters) = try SmallTCN.make()
        let executor = try Executor(graph: graph, parameters: parameters)
        var generator = SeededGenerator(seed: 9)
        let input = random([7, 4, 32], &generator)
        let one = try executor.infer(["x": input])[0]
        let two = try executor.infer(["x": input], threads: 2)[0]
        #expect(one == two)
    }

    @Test func costsFollowTheShapes() throws {
        let (graph, _) = try SmallTCN.make()
        // conv0: 4 → 8 channels, kernel 3 over 32 samples: 8·4·3·32 contract MACs, then bias add and ReLU.
        let conv0 = try #require(graph.costByLayer.first { $0.layer == "conv0" }).cost
        #expect(conv0.multiplyAccumulates == 8 * 4 * 3 * 32 + 2 * 8 * 32)
        #expect(conv0.parameterBytes == 4 * (8 * 4 * 3 + 8))
        #expect(graph.parameterCount == graph.parameters.reduce(0) { $0 + $1.shape.reduce(1, *) })
        #expect(graph.multiplyAccumulates == graph.costByLayer.reduce(0) { $0 + $1.cost.multiplyAccumulates })
    }

    @Test func badGraphsAreRefused() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [2, 5], layer: "in")
        #expect(throws: GraphError.self) { try graph.append(.window(axis: 1, size: 9, stride: 1, dilation: 1), [x], layer: "w") }
        #expect(throws: GraphError.self) { try graph.append(.contract(spec: ContractSpec("ab,bc->ad")), [x, x], layer: "c") }
        #expect(throws: GraphError.self) { try graph.append(.reshape(shape: [3, 3]), [x], layer: "r") }
        #expect(throws: GraphError.self) { try graph.append(.relu, [7], layer: "r") }
        graph.outputs = [x]
        #expect(throws: GraphError.self) {
            var parameterised = graph
            let p = try parameterised.append(.param(name: "w"), shape: [2, 5], layer: "p")
            parameterised.outputs = [p]
            _ = try Executor(graph: parameterised, parameters: [:])
        }
    }
}

/// A small TCN used by several tests: conv (4 → 8), a residual block, pooling, dense head to 3 outputs.
enum SmallTCN {
    static func make(seed: UInt64 = 5) throws -> (Graph, [String: Tensor]) {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 32], layer: "input")
        var y = try Conv1d("conv0", inputChannels: 4, outputChannels: 8, kernelSize: 3)(x, in: &graph)
        y = try graph.append(.relu, [y], layer: "conv0")
        y = try ResidualBlock("block1", channels: 8, kernelSize: 3, dilation: 2)(y, in: &graph)
        y = try ChannelAffine("norm1", channels: 8)(y, in: &graph)
        y = try Pool1d("pool1", kind: .mean, size: 4)(y, in: &graph)
        y = try graph.append(.reshape(shape: [64]), [y], layer: "flatten")
        y = try Dense("head", inputs: 64, outputs: 3)(y, in: &graph)
        graph.outputs = [y]
        return (graph, graph.initialParameters(seed: seed))
    }
}
