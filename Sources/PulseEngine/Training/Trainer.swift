import PulseGraph
/// Mini-batch training of a graph with one input and one output: shuffles with a seeded generator, takes a loss
/// gradient through `Executor.gradients`, and steps an optimiser under a learning-rate schedule. Each batch is
/// split over `threads` threads (data-parallel) and their gradients summed. The same seed, data, settings and
/// thread count give the same parameters.
///
/// With a `teacher`, each step also runs the teacher on the same augmented inputs and hands its outputs to the
/// loss (`DistillationLoss`). Parameters named in `frozen` keep their values.
public struct Trainer<O: Optimiser> {
    public var executor: Executor
    public var optimiser: O
    public var loss: any TrainingLoss
    public var schedule: LearningRateSchedule
    public var batchSize: Int
    public var threads: Int
    /// A model whose outputs on each batch go to the loss; it is not trained.
    public var teacher: Executor?
    /// Parameters that are not trained.
    public var frozen: Set<String>
    private var generator: SeededGenerator
    public private(set) var step = 0

    /// A trainer of `executor`'s parameters (its graph must have one input and one output).
    public init(executor: Executor, optimiser: O, loss: any TrainingLoss, schedule: LearningRateSchedule, batchSize: Int, seed: UInt64,
                threads: Int = 2, teacher: Executor? = nil, frozen: Set<String> = []) {
        self.executor = executor
        self.optimiser = optimiser
        self.loss = loss
        self.schedule = schedule
        self.batchSize = batchSize
        self.threads = max(1, threads)
        self.teacher = teacher
        self.frozen = frozen
        self.generator = SeededGenerator(seed: seed)
    }

    /// One pass over `samples` (inputs of the graph's input shape, targets of its output shape) in a shuffled order.
    /// `augment`, when given, transforms each sample (its index, input and target) in place before the step, with the
    /// trainer's seeded generator.
    /// - Returns: the mean training loss of the epoch.
    /// - Throws: `GraphError` when the data do not fit the graph.
    public mutating func epoch(
        inputs: [[Float]], targets: [[Float]],
        augment: ((Int, inout [Float], inout [Float], inout SeededGenerator) -> Void)? = nil
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
                var target = targets[member]
                augment?(member, &sample, &target, &generator)
                batchInputs += sample
                batchTargets += target
            }
            let (value, gradients) = try lossAndGradients(inputs: batchInputs, targets: batchTargets, count: members.count,
                                                          input: input, outputShape: outputShape)
            optimiser.step(&executor.parameters, gradients: gradients, learningRate: schedule.rate(at: step))
            step += 1
            total += value
            batches += 1
        }
        return batches > 0 ? total / Float(batches) : 0
    }

    /// The batch's mean loss and its gradients, the batch split into `threads` parts evaluated concurrently.
    private func lossAndGradients(inputs: [Float], targets: [Float], count: Int, input: (name: String, shape: [Int]),
                                  outputShape: [Int]) throws -> (Float, [String: Tensor]) {
        let parts = min(threads, count)
        let inputWidth = input.shape.reduce(1, *)
        let outputWidth = outputShape.reduce(1, *)
        let (executor, loss, teacher, frozen) = (self.executor, self.loss, self.teacher, self.frozen)
        let pieces = try concurrentParts(count: count, parts: parts) { range -> (Float, [String: Tensor]) in
            let share = Float(range.count) / Float(count)
            let x = Tensor(shape: [range.count] + input.shape, scalars: Array(inputs[(range.lowerBound * inputWidth)..<(range.upperBound * inputWidth)]))
            let y = Tensor(shape: [range.count] + outputShape, scalars: Array(targets[(range.lowerBound * outputWidth)..<(range.upperBound * outputWidth)]))
            let evaluation = try executor.evaluate([input.name: x])
            let taught = try teacher?.infer([input.name: x])[0]
            var (value, gradient) = loss.evaluate(predictions: evaluation.outputs[0], targets: y, teacher: taught)
            for i in gradient.scalars.indices { gradient.scalars[i] *= share }
            let gradients = try executor.gradients(evaluation, outputGradients: [gradient])
            return (value * share, frozen.isEmpty ? gradients : gradients.filter { !frozen.contains($0.key) })
        }
        var total = pieces[0]
        for piece in pieces.dropFirst() {
            total.0 += piece.0
            for (name, gradient) in piece.1 {
                guard var sum = total.1[name] else { continue }
                for i in sum.scalars.indices { sum.scalars[i] += gradient.scalars[i] }
                total.1[name] = sum
            }
        }
        return total
    }
}
