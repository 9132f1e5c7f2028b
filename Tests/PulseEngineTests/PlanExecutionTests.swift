import Foundation
import Testing
import PulseGraph
@testable import PulseEngine

/// The executor runs every kernel of the plan: fast kernels agree with the generic path, values and gradients.
@Suite struct PlanExecutionTests {
    static func compare(_ graph: Graph, batch: Int = 3, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let parameters = graph.initialParameters(seed: seed)
        let fast = try Executor(graph: graph, parameters: parameters)
        let generic = try Executor(graph: graph, parameters: parameters, fusing: false)
        let inputs = Dictionary(uniqueKeysWithValues: graph.inputs.map { input in
            (input.name, Tensor(shape: [batch] + input.shape, scalars: (0..<(batch * input.shape.reduce(1, *))).map { _ in
                Float.random(in: -1...1, using: &generator)
            }))
        })
        let (fastEvaluation, genericEvaluation) = (try fast.evaluate(inputs), try generic.evaluate(inputs))
        for (a, b) in zip(fastEvaluation.outputs, genericEvaluation.outputs) {
            #expect(a.shape == b.shape)
            for (x, y) in zip(a.scalars, b.scalars) { #expect(abs(x - y) < 1e-4) }
        }
        let seeds = genericEvaluation.outputs.map { output in
            Tensor(shape: output.shape, scalars: output.scalars.map { _ in Float.random(in: -1...1, using: &generator) })
        }
        let fastGradients = try fast.gradients(fastEvaluation, outputGradients: seeds)
        for (name, gradient) in try generic.gradients(genericEvaluation, outputGradients: seeds) {
            let other = try #require(fastGradients[name])
            for (x, y) in zip(other.scalars, gradient.scalars) { #expect(abs(x - y) < 1e-3 * max(1, abs(y)), "\(name)") }
        }
    }

    /// Convolutions (the last trial depthwise) with a residual add and a clipped activation fused, in a chain whose
    /// input gradient matters.
    @Test(arguments: 0..<6)
    func residualAndClipFuseExactly(_ trial: Int) throws {
        var graph = Graph()
        let source = try graph.append(.input(name: "x"), shape: [5, 24], layer: "in")
        let scale = try graph.append(.param(name: "in.scale"), shape: [5, 24], layer: "in")
        let x = try graph.append(.mul, [source, scale], layer: "in")
        let y = trial == 5
            ? try DepthwiseConv1d("a", channels: 5, kernelSize: 3, dilation: 2)(x, in: &graph)
            : try Conv1d("a", inputChannels: 5, outputChannels: 5, kernelSize: 3 + trial % 3, dilation: 1 + trial % 2)(x, in: &graph)
        let sum = try graph.append(.add, trial % 2 == 0 ? [x, y] : [y, x], layer: "a")
        let activated = try graph.append(trial < 3 ? .clip(lower: -0.5, upper: 0.7) : .relu, [sum], layer: "a")
        graph.outputs = [try Conv1d("b", inputChannels: 5, outputChannels: 3, kernelSize: 1)(activated, in: &graph)]
        let plan = KernelPlan(graph: graph)
        guard case .convolution(let first) = plan.kernels[1].operation else { Issue.record("\(plan.kernels.map(\.kind))"); return }
        #expect(first.residual == InstructionID(x) && first.activation != nil)
        try Self.compare(graph, seed: UInt64(trial))
    }

    /// Two convolutions summed run as two fused kernels, as the generic path computes them.
    @Test func twoConvolutionsSummedRun() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [8, 24], layer: "input")
        let a = try Conv1d("a", inputChannels: 8, outputChannels: 8, kernelSize: 3)(x, in: &graph)
        let b = try Conv1d("b", inputChannels: 8, outputChannels: 8, kernelSize: 5)(x, in: &graph)
        graph.outputs = [try graph.append(.relu, [try graph.append(.add, [a, b], layer: "sum")], layer: "sum")]
        try Self.compare(graph, seed: 9)
        let executor = try Executor(graph: graph, parameters: graph.initialParameters(seed: 9))
        let input = ["x": Tensor(shape: [3, 8, 24], repeating: 0.5)]
        let expected = try Executor(graph: graph, parameters: graph.initialParameters(seed: 9), fusing: false).run(input)[0]
        for (value, reference) in zip(try executor.infer(input)[0].scalars, expected.scalars) {
            #expect(abs(value - reference) <= 1e-4 * max(1, abs(reference)))
        }
    }

    /// Grouped, depthwise (also written as a grouped convolution with a stride), 2-D and dense forms run (through
    /// the generic path where no fast kernel exists yet).
    @Test func everyConvolutionFormRuns() throws {
        let layers: [(any Layer, [Int])] = [
            (Conv1d("c", inputChannels: 6, outputChannels: 9, kernelSize: 3, stride: 2, groups: 3), [6, 21]),
            (DepthwiseConv1d("c", channels: 4, kernelSize: 5, dilation: 2), [4, 30]),
            (Conv1d("c", inputChannels: 5, outputChannels: 5, kernelSize: 4, dilation: 2, stride: 2, padding: .causal, groups: 5), [5, 31]),
            (Conv2d("c", inputChannels: 3, outputChannels: 4, kernelSize: (3, 2), stride: (2, 1), padding: (1, 1, 0, 1)), [3, 9, 7]),
            (Conv2d("c", inputChannels: 4, outputChannels: 6, kernelSize: (2, 3), dilation: (2, 1), groups: 2), [4, 6, 8]),
            (Dense("c", inputs: 10, outputs: 3), [10]),
            // 1-D convolutions written as 2-D ones over a height of 1, as ONNX files hold them.
            (Conv2d("c", inputChannels: 4, outputChannels: 8, kernelSize: (1, 5), dilation: (1, 2), padding: (0, 0, 4, 4)), [4, 1, 30]),
            (Conv2d("c", inputChannels: 4, outputChannels: 4, kernelSize: (1, 3), stride: (1, 2), groups: 4), [4, 1, 17]),
        ]
        for (number, (layer, shape)) in layers.enumerated() {
            var graph = Graph()
            let x = try graph.append(.input(name: "x"), shape: shape, layer: "in")
            graph.outputs = [try graph.append(.relu, [try layer(x, in: &graph)], layer: "c")]
            try Self.compare(graph, seed: UInt64(40 + number))
            if shape.count == 2 || shape.dropLast().last == 1 {
                // 1-D forms (grouped, depthwise and height-1 2-D included) run on a fast kernel, not instruction by
                // instruction.
                let steps = try Executor(graph: graph, parameters: graph.initialParameters(seed: 1)).steps
                #expect(steps.contains { if case .instructions = $0 { return false } else { return true } }, "form \(number)")
            }
        }
    }
}
