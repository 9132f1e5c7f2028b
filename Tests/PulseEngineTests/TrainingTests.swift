import Foundation
import Testing
import PulseGraph
@testable import PulseEngine

@Suite struct TrainingTests {
    /// A TCN of the baseline's shape (convolutions, a residual connection, affine normalisation, pooling, a dense
    /// head) with smooth activations, so that no kink spoils the finite differences.
    @Test func wholeModelGradientMatchesFiniteDifferences() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [3, 16], layer: "input")
        var y = try Conv1d("conv0", inputChannels: 3, outputChannels: 4, kernelSize: 3)(x, in: &graph)
        y = try graph.append(.tanh, [y], layer: "conv0")
        let branch = try Conv1d("conv1", inputChannels: 4, outputChannels: 4, kernelSize: 3, dilation: 2, padding: .causal)(y, in: &graph)
        y = try graph.append(.add, [y, try graph.append(.sigmoid, [branch], layer: "conv1")], layer: "residual")
        y = try DepthwiseConv1d("depthwise", channels: 4, kernelSize: 3)(y, in: &graph)
        y = try ChannelAffine("norm", channels: 4)(y, in: &graph)
        y = try Pool1d("pool", kind: .mean, size: 4)(y, in: &graph)
        y = try graph.append(.reshape(shape: [16]), [y], layer: "flatten")
        graph.outputs = [try Dense("head", inputs: 16, outputs: 2)(y, in: &graph)]
        try GradientTests.check(graph, batch: 3, tolerance: 2e-2, step: 5e-3)
    }

    @Test(arguments: [Loss.l1, .huber(delta: 0.5), .softmaxCrossEntropy])
    func lossGradientMatchesFiniteDifferences(_ loss: Loss) {
        var generator = SeededGenerator(seed: 4)
        let predictions = Tensor(shape: [2, 5], scalars: (0..<10).map { _ in Float.random(in: -2...2, using: &generator) })
        var targetValues = (0..<10).map { _ in Float.random(in: 0...1, using: &generator) }
        if loss == .softmaxCrossEntropy {
            for row in 0..<2 {
                let sum = targetValues[(row * 5)..<(row * 5 + 5)].reduce(0, +)
                for i in (row * 5)..<(row * 5 + 5) { targetValues[i] /= sum }
            }
        }
        let targets = Tensor(shape: [2, 5], scalars: targetValues)
        let gradient = loss.evaluate(predictions: predictions, targets: targets).gradient
        for i in 0..<10 {
            var up = predictions
            var down = predictions
            up.scalars[i] += 1e-3
            down.scalars[i] -= 1e-3
            let numeric = (loss.evaluate(predictions: up, targets: targets).value - loss.evaluate(predictions: down, targets: targets).value) / 2e-3
            #expect(abs(numeric - gradient.scalars[i]) < 1e-2, "\(loss) [\(i)]")
        }
    }

    /// Fits `y = 2 x₀ − x₁ + 0.5` with a dense layer.
    func fitLine<O: Optimiser>(_ optimiser: O, seed: UInt64) throws -> (loss: Float, parameters: [String: Tensor]) {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [2], layer: "in")
        graph.outputs = [try Dense("fit", inputs: 2, outputs: 1)(x, in: &graph)]
        var generator = SeededGenerator(seed: 11)
        let inputs = (0..<64).map { _ in [Float.random(in: -1...1, using: &generator), Float.random(in: -1...1, using: &generator)] }
        let targets = inputs.map { [2 * $0[0] - $0[1] + 0.5] }
        var trainer = Trainer(executor: try Executor(graph: graph, parameters: graph.initialParameters(seed: seed)), optimiser: optimiser,
                              loss: Loss.huber(delta: 1), schedule: LearningRateSchedule(peak: 0.05, warmupSteps: 5, totalSteps: 400),
                              batchSize: 8, seed: seed)
        var loss: Float = .infinity
        for _ in 0..<50 { loss = try trainer.epoch(inputs: inputs, targets: targets) }
        return (loss, trainer.executor.parameters)
    }

    @Test func adamAndSGDFitALine() throws {
        let adam = try fitLine(Adam(), seed: 3)
        #expect(adam.loss < 1e-3)
        let weights = try #require(adam.parameters["fit.weight"]).scalars
        #expect(abs(weights[0] - 2) < 0.05 && abs(weights[1] + 1) < 0.05)
        #expect(try fitLine(SGD(momentum: 0.9), seed: 3).loss < 1e-3)
    }

    @Test func sameSeedGivesTheSameModel() throws {
        let first = try fitLine(Adam(weightDecay: 0.01), seed: 21).parameters
        let second = try fitLine(Adam(weightDecay: 0.01), seed: 21).parameters
        let other = try fitLine(Adam(weightDecay: 0.01), seed: 22).parameters
        #expect(first == second)
        #expect(first != other)
    }

    @Test func scheduleWarmsUpThenDecays() {
        let schedule = LearningRateSchedule(peak: 1, warmupSteps: 10, totalSteps: 110, floor: 0.1)
        #expect(schedule.rate(at: 0) == 0.1)
        #expect(schedule.rate(at: 9) == 1)
        #expect(abs(schedule.rate(at: 60) - 0.55) < 1e-5)
        #expect(abs(schedule.rate(at: 110) - 0.1) < 1e-6)
    }
}
