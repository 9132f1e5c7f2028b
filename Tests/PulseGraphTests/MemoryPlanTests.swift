import Testing
import PulseGraph

@Suite struct MemoryPlanTests {
    /// Buffers alive at the same step never share arena space, and every activation has a buffer.
    static func checkPlacement(_ memory: MemoryPlan, _ plan: KernelPlan) {
        for (i, a) in memory.buffers.enumerated() {
            #expect(a.offsetPerSample >= 0 && a.offsetPerSample + a.elementsPerSample <= memory.arenaElementsPerSample)
            for b in memory.buffers[(i + 1)...] where a.firstStep <= b.lastStep && b.firstStep <= a.lastStep {
                let disjoint = a.offsetPerSample + a.elementsPerSample <= b.offsetPerSample || b.offsetPerSample + b.elementsPerSample <= a.offsetPerSample
                #expect(disjoint, "buffers of \(a.values) and \(b.values) overlap while both are alive")
            }
        }
        for kernel in plan.kernels where kernel.dependsOnInput {
            #expect(memory.bufferIndex[kernel.output] != nil)
        }
        #expect(memory.arenaElementsPerSample >= memory.peakLiveElementsPerSample)
    }

    @Test func buffersOfAChainAreReused() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [4, 100], layer: "input")
        var y = x
        for index in 0..<6 {
            y = try Conv1d("conv\(index)", inputChannels: 4, outputChannels: 4, kernelSize: 3)(y, in: &graph)
            y = try graph.append(.relu, [y], layer: "conv\(index)")
        }
        graph.outputs = [try graph.append(.reshape(shape: [400]), [y], layer: "flatten")]
        let plan = KernelPlan(graph: graph)
        let memory = MemoryPlan(plan: plan)
        Self.checkPlacement(memory, plan)
        // A chain needs two buffers of 400 values at any time (the operand and the result), not seven.
        #expect(memory.peakLiveElementsPerSample == 800)
        #expect(memory.arenaElementsPerSample == 800)
        #expect(memory.arenaBytes(batch: 64) == 800 * 64 * 4)
        #expect(memory.arenaBytes(batch: 1, dataType: .int8) == 800)
        // The reshape shares its operand's buffer.
        #expect(memory.bufferIndex[plan.outputs[0]] == memory.bufferIndex[plan.kernels[plan.kernels.count - 2].output])
        #expect(memory.parameterElements == 6 * (4 * 4 * 3 + 4))
    }

    @Test func elementwiseKernelsWriteInPlaceOnlyOverDeadOperands() throws {
        var graph = Graph()
        let x = try graph.append(.input(name: "x"), shape: [8], layer: "input")
        let a = try graph.append(.exp, [x], layer: "a")
        let b = try graph.append(.tanh, [a], layer: "b")
        let c = try graph.append(.add, [a, b], layer: "c")
        graph.outputs = [c]
        let plan = KernelPlan(graph: graph)
        let memory = MemoryPlan(plan: plan)
        Self.checkPlacement(memory, plan)
        let buffer = { (index: Int) in memory.bufferIndex[InstructionID(index)] }
        // `a` is read again by `c`, so `b` gets its own buffer; `c` can overwrite `a` or `b`, both dead after it.
        #expect(buffer(b) != buffer(a))
        #expect(buffer(c) == buffer(a) || buffer(c) == buffer(b))
        let separate = MemoryPlan(plan: plan, inPlace: false)
        Self.checkPlacement(separate, plan)
        #expect(separate.buffers.count == 4)
    }

    @Test func randomGraphsArePlacedWithoutOverlap() throws {
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<20 {
            var graph = Graph()
            var values = [try graph.append(.input(name: "x"), shape: [3, 16], layer: "input")]
            for step in 0..<12 {
                let a = values[Int.random(in: 0..<values.count, using: &generator)]
                let b = values[Int.random(in: 0..<values.count, using: &generator)]
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: values.append(try graph.append(.add, [a, b], layer: "l\(step)"))
                case 1: values.append(try graph.append(.relu, [a], layer: "l\(step)"))
                case 2:
                    let y = try Conv1d("c\(step)", inputChannels: 3, outputChannels: 3, kernelSize: 3)(a, in: &graph)
                    values.append(y)
                default: values.append(try graph.append(.reshape(shape: [3, 16]), [a], layer: "l\(step)"))
                }
            }
            graph.outputs = [values[values.count - 1], values[Int.random(in: 1..<values.count, using: &generator)]]
            let plan = KernelPlan(graph: graph)
            KernelPlanTests.checkCoverage(plan)
            Self.checkPlacement(MemoryPlan(plan: plan), plan)
        }
    }
}
