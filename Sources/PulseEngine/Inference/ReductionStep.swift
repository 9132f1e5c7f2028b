import PulseGraph

/// A sum, mean or maximum over the trailing axes of an arena value (the spectrum's peak per channel).
struct ReductionStep: InferenceKernel {
    let kind: Primitive.ReduceKind
    let input: InstructionID
    let output: InstructionID
    /// Values reduced into each output value, and output values per sample.
    let size: Int, groups: Int

    /// The step for `kernel`, or `nil` when its axes are not the trailing ones.
    init?(_ kernel: Kernel, graph: Graph) {
        guard case .reduction(let kind, let axes) = kernel.operation, kernel.dependsOnInput, let input = kernel.inputs.first else { return nil }
        let shape = graph.instructions[input.index].shape
        guard axes.sorted() == Array((shape.count - axes.count)..<shape.count) else { return nil }
        self.kind = kind
        self.input = input
        self.output = kernel.output
        self.size = axes.reduce(1) { $0 * shape[$1] }
        self.groups = shape.reduce(1, *) / size
    }

    var scratchElements: Int { 0 }

    func run(_ arena: Arena, scratch: UnsafeMutablePointer<Float>) throws {
        let x = arena.pointer(input)
        let y = arena.pointer(output)
        for group in 0..<(arena.batch * groups) {
            let values = x + group * size
            switch kind {
            case .sum, .mean:
                var sum: Float = 0
                for i in 0..<size { sum += values[i] }
                y[group] = kind == .mean ? sum / Float(size) : sum
            case .max:
                var largest = values[0]
                for i in 1..<max(size, 1) where largest < values[i] { largest = values[i] }
                y[group] = largest
            }
        }
    }
}
