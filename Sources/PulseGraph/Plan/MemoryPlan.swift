/// Where every activation of a kernel plan lives: one arena, with offsets assigned once from the values'
/// lifetimes, reused by every call.
///
/// Every activation scales with the batch, so the plan is made per sample: a value of `n` values per sample at
/// offset `o` occupies `[o · batch, (o + n) · batch)` of an arena of `arenaElementsPerSample · batch` values. A
/// reshape shares its operand's buffer. An element-wise kernel writes over an operand of its output's shape
/// when that operand is read for the last time there (`inPlace`). Buffers are placed greedily, largest first, at
/// the lowest offset that overlaps no buffer alive at the same time (as TensorFlow Lite's planner does).
///
/// Values that do not depend on the input (computed from parameters and constants only) are the same for every
/// sample; they are counted in `constantElements`, outside the arena.
public struct MemoryPlan: Sendable, Equatable {
    /// A stretch of the arena holding one or more values (a value and its reshapes, or an in-place chain) over
    /// consecutive steps.
    public struct Buffer: Sendable, Equatable {
        /// The values stored here, in the order they are made.
        public var values: [InstructionID]
        /// Values per sample.
        public var elementsPerSample: Int
        /// Offset in the arena, in values per sample.
        public var offsetPerSample: Int
        /// The step that writes the buffer first: 0 for the model's inputs, `k + 1` for kernel `k`.
        public var firstStep: Int
        /// The last step that reads the buffer; one past the last kernel for the model's outputs.
        public var lastStep: Int
    }

    /// The arena's buffers.
    public let buffers: [Buffer]
    /// The buffer of each activation, by instruction.
    public let bufferIndex: [InstructionID: Int]
    /// Values per sample the arena holds.
    public let arenaElementsPerSample: Int
    /// The most values per sample alive at one step: a lower bound on any arena (the placement's quality is
    /// `arenaElementsPerSample` against it).
    public let peakLiveElementsPerSample: Int
    /// Values of the trainable parameters and constants the plan reads.
    public let parameterElements: Int
    /// Values computed from parameters and constants only, kept once for all samples.
    public let constantElements: Int

    /// Plans the arena of `plan`.
    /// - Parameter inPlace: whether element-wise kernels may write over an operand read for the last time.
    public init(plan: KernelPlan, inPlace: Bool = true) {
        let graph = plan.graph
        let steps = plan.kernels.count + 1
        var lastUse: [InstructionID: Int] = [:]
        for (position, kernel) in plan.kernels.enumerated() {
            for input in kernel.inputs { lastUse[input] = position + 1 }
        }
        for output in plan.outputs { lastUse[output] = steps }
        var buffers: [Buffer] = []
        var bufferIndex: [InstructionID: Int] = [:]
        func lastStep(of buffer: Buffer) -> Int { buffer.values.map { lastUse[$0] ?? buffer.firstStep }.max() ?? buffer.firstStep }
        for input in plan.inputs {
            bufferIndex[input] = buffers.count
            buffers.append(Buffer(values: [input], elementsPerSample: graph.instructions[input.index].shape.reduce(1, *),
                                  offsetPerSample: 0, firstStep: 0, lastStep: 0))
        }
        var constantElements = 0
        for (position, kernel) in plan.kernels.enumerated() {
            let step = position + 1
            let count = kernel.outputShape.reduce(1, *)
            guard kernel.dependsOnInput else {
                constantElements += count
                continue
            }
            var shared: Int?
            if case .dataMove(.reshape) = kernel.operation, let input = kernel.inputs.first, let index = bufferIndex[input] {
                shared = index
            } else if inPlace, case .elementwise = kernel.operation {
                // The operand must be read last here, have the output's shape, and share its buffer with no other
                // operand (which would be read after being overwritten).
                shared = kernel.inputs.lazy.filter { input in
                    guard let index = bufferIndex[input], graph.instructions[input.index].shape == kernel.outputShape,
                          kernel.inputs.allSatisfy({ $0 == input || bufferIndex[$0] != index }) else { return false }
                    return lastStep(of: buffers[index]) == step
                }.compactMap { bufferIndex[$0] }.first
            }
            if let shared {
                buffers[shared].values.append(kernel.output)
                bufferIndex[kernel.output] = shared
            } else {
                bufferIndex[kernel.output] = buffers.count
                buffers.append(Buffer(values: [kernel.output], elementsPerSample: count, offsetPerSample: 0, firstStep: step, lastStep: step))
            }
        }
        for index in buffers.indices { buffers[index].lastStep = lastStep(of: buffers[index]) }
        var live = [Int](repeating: 0, count: steps + 1)
        for buffer in buffers {
            for step in buffer.firstStep...buffer.lastStep { live[step] += buffer.elementsPerSample }
        }
        var placed: [Int] = []
        var arena = 0
        for index in buffers.indices.sorted(by: { (buffers[$0].elementsPerSample, -$0) > (buffers[$1].elementsPerSample, -$1) }) {
            let buffer = buffers[index]
            let overlapping = placed.filter { other in
                buffers[other].firstStep <= buffer.lastStep && buffer.firstStep <= buffers[other].lastStep
            }.map { (start: buffers[$0].offsetPerSample, end: buffers[$0].offsetPerSample + buffers[$0].elementsPerSample) }
                .sorted { $0.start < $1.start }
            var offset = 0
            for range in overlapping where range.start < offset + buffer.elementsPerSample {
                offset = max(offset, range.end)
            }
            buffers[index].offsetPerSample = offset
            arena = max(arena, offset + buffer.elementsPerSample)
            placed.append(index)
        }
        self.buffers = buffers
        self.bufferIndex = bufferIndex
        self.arenaElementsPerSample = arena
        self.peakLiveElementsPerSample = live.max() ?? 0
        self.parameterElements = Set(plan.kernels.flatMap(\.parameters)).reduce(0) { $0 + graph.instructions[$1.index].shape.reduce(1, *) }
        self.constantElements = constantElements
    }

    /// The arena's offset of activation `value` for a batch of `batch`, in values, or `nil` when it is not stored
    /// (it lives inside a fused kernel or does not depend on the input).
    public func offset(of value: InstructionID, batch: Int) -> Int? {
        bufferIndex[value].map { buffers[$0].offsetPerSample * batch }
    }

    /// Bytes of the arena for a batch of `batch` in `dataType`.
    public func arenaBytes(batch: Int = 1, dataType: DataType = .float32) -> Int {
        arenaElementsPerSample * batch * dataType.bytes
    }

    /// Bytes of the parameters and folded constants in `dataType`: what goes to flash on a microcontroller.
    public func parameterBytes(dataType: DataType = .float32) -> Int {
        (parameterElements + constantElements) * dataType.bytes
    }
}
