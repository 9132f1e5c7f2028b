import Testing
import PulseEngine
import PulseGraph

@Suite struct DistillationTests {
    static func random(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -2...2) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: range, using: &generator) }
    }

    @Test(arguments: [Float(1), 2, 4])
    func gradientMatchesFiniteDifferences(_ temperature: Float) {
        let loss = DistillationLoss(label: .softmaxCrossEntropy, teacherWeight: 0.6, temperature: temperature)
        let predictions = Tensor(shape: [2, 5], scalars: Self.random(10, seed: 1))
        let teacher = Tensor(shape: [2, 5], scalars: Self.random(10, seed: 2))
        var labels = Self.random(10, seed: 3, in: 0.1...1)
        for row in 0..<2 {
            let sum = labels[(row * 5)..<(row * 5 + 5)].reduce(0, +)
            for i in (row * 5)..<(row * 5 + 5) { labels[i] /= sum }
        }
        let targets = Tensor(shape: [2, 5], scalars: labels)
        let gradient = loss.evaluate(predictions: predictions, targets: targets, teacher: teacher).gradient
        for i in 0..<10 {
            var (up, down) = (predictions, predictions)
            up.scalars[i] += 1e-3
            down.scalars[i] -= 1e-3
            let numeric = (loss.evaluate(predictions: up, targets: targets, teacher: teacher).value
                - loss.evaluate(predictions: down, targets: targets, teacher: teacher).value) / 2e-3
            #expect(abs(numeric - gradient.scalars[i]) < 1e-2, "T \(temperature) [\(i)]")
        }
    }

    @Test func teacherTermVanishesWhenTheStudentAgreesAndWithoutATeacher() {
        let logits = Tensor(shape: [3, 4], scalars: Self.random(12, seed: 5))
        let targets = Tensor(shape: [3, 4], repeating: 0.25)
        let pure = DistillationLoss(label: .softmaxCrossEntropy, teacherWeight: 1, temperature: 3)
        #expect(pure.evaluate(predictions: logits, targets: targets, teacher: logits).gradient.scalars.allSatisfy { abs($0) < 1e-6 })
        let label = Loss.softmaxCrossEntropy.evaluate(predictions: logits, targets: targets)
        let untaught = pure.evaluate(predictions: logits, targets: targets, teacher: nil)
        #expect(untaught.value == label.value && untaught.gradient == label.gradient)
    }

    /// A dense layer trained towards a teacher with its bias frozen: the bias keeps its value, the weight moves
    /// towards the teacher's.
    @Test func frozenParametersKeepTheirValuesAndTheTeacherTeaches() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [3], layer: "in")
        graph.outputs = [try Dense("dense", inputs: 3, outputs: 4)(x, in: &graph)]
        let student = graph.initialParameters(seed: 1)
        let teacherParameters = graph.initialParameters(seed: 2)
        let teacher = try Executor(graph: graph, parameters: teacherParameters)
        let inputs = (0..<32).map { Self.random(3, seed: UInt64(10 + $0)) }
        let targets = inputs.map { _ in [Float](repeating: 0.25, count: 4) }
        var trainer = Trainer(executor: try Executor(graph: graph, parameters: student), optimiser: Adam(),
                              loss: DistillationLoss(label: .softmaxCrossEntropy, teacherWeight: 1, temperature: 1),
                              schedule: LearningRateSchedule(peak: 0.05, warmupSteps: 2, totalSteps: 400), batchSize: 8, seed: 3,
                              teacher: teacher, frozen: ["dense.bias"])
        let first = try trainer.epoch(inputs: inputs, targets: targets)
        var last = first
        for _ in 0..<60 { last = try trainer.epoch(inputs: inputs, targets: targets) }
        #expect(trainer.executor.parameters["dense.bias"] == student["dense.bias"])
        #expect(last < first)
        func distance(_ a: [String: Tensor]) -> Float {
            zip(a["dense.weight"]?.scalars ?? [], teacherParameters["dense.weight"]?.scalars ?? []).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        #expect(distance(trainer.executor.parameters) < distance(student))
    }
}
