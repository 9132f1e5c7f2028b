/// Mini-batch training of a graph with one input and one output: shuffles with a seeded generator, takes a loss
/// gradient through `Executor.gradients`, and steps an optimiser under a learning-rate schedule. The same seed,
/// data and settings give the same parameters.
public struct Trainer<O: Optimiser> {
    public var executor: Executor
    public var optimiser: O
    public var loss: Loss
    public var schedule: LearningRateSchedule
    public var batchSize: Int
    private var generator: SeededGenerator
    public private(set) var step = 0

    public init(executor: Executor, optimiser: O, loss: Loss, schedule: LearningRateSchedule, batchSize: Int, seed: UInt64) {
        self.executor = executor
        self.optimiser = optimiser
        self.loss = loss
        self.schedule = schedule
        self.batchSize = batchSize
        self.generator = SeededGenerator(seed: seed)
    }

    /// One pass over `samples` (inputs of the graph's input shape, targets of its output shape) in a shuffled order.
    /// `augment`, when given, transforms each batch's inputs in place before the step (its generator is seeded too).
    /// - Returns: the mean training loss of the epoch.
    /// - Throws: `GraphError` when the data do not fit the graph.
    public mutating func epoch(
        inputs: [[Float]], targets: [[Float]],
        augment: ((inout [Float], inout SeededGenerator) -> Void)? = nil
    ) throws -> Float {
        guard let input = executor.graph.inputs.first, executor.graph.outputs.count == 1 else {
            throw GraphError("the trainer needs a graph with one input and one output")
        }
        let outputShape = executor.graph.instructions[executor.graph.outputs[0]].shape
        var order = Array(inputs.indices)
        order.shuffle(using: &generator)
        var total: Float = 0
        var batches = 0
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let members = order[start..<min(start + batchSize, order.count)]
            var batchInputs: [Float] = []
            var batchTargets: [Float] = []
            for member in members {
                var sample = inputs[member]
                augment?(&sample, &generator)
                batchInputs += sample
                batchTargets += targets[member]
            }
            let x = Tensor(shape: [members.count] + input.shape, scalars: batchInputs)
            let y = Tensor(shape: [members.count] + outputShape, scalars: batchTargets)
            let evaluation = try executor.evaluate([input.name: x])
            let (value, gradient) = loss.evaluate(predictions: evaluation.outputs[0], targets: y)
            let gradients = try executor.gradients(evaluation, outputGradients: [gradient])
            optimiser.step(&executor.parameters, gradients: gradients, learningRate: schedule.rate(at: step))
            step += 1
            total += value
            batches += 1
        }
        return batches > 0 ? total / Float(batches) : 0
    }
}
