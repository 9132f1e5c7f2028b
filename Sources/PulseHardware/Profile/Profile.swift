import PulseGraph

/// The operator complexity analysis of a model on a target: every kernel and every layer with its
/// multiply-accumulates, parameters, latency, energy, memory at that point, share of the total and rank, and
/// whether the model fits the target.
public struct Profile: Sendable {
    /// One kernel of the plan.
    public struct KernelEntry: Sendable, Equatable {
        /// Position in the kernel plan.
        public var index: Int
        /// The layer that emitted the kernel.
        public var layer: String
        /// The kernel's class.
        public var kind: KernelKind
        /// Multiply-accumulates per sample.
        public var multiplyAccumulates: Int
        /// Parameter and constant values the kernel reads.
        public var parameterValues: Int
        /// The model's latency and cycles per sample.
        public var cost: KernelCost
        /// Bytes of activations alive while the kernel runs, in the target's number format.
        public var liveBytes: Int
        /// Share of the model's latency.
        public var share: Double
        /// 1 for the slowest kernel.
        public var rank: Int
    }

    /// The kernels of one layer (the instructions' layer tag), summed.
    public struct LayerEntry: Sendable, Equatable {
        /// The layer's name.
        public var layer: String
        /// Positions of its kernels in the plan.
        public var kernels: [Int]
        /// Multiply-accumulates per sample.
        public var multiplyAccumulates: Int
        /// Trainable values the layer declares.
        public var parameterValues: Int
        /// Latency per sample, in seconds.
        public var seconds: Double
        /// Core cycles per sample.
        public var cycles: Double
        /// The most activation bytes alive during the layer.
        public var liveBytes: Int
        /// Share of the model's latency.
        public var share: Double
        /// 1 for the slowest layer.
        public var rank: Int
        /// Seconds per million multiply-accumulates: how much slower than the model's average the layer computes
        /// (infinite for a layer with no arithmetic but some latency).
        public var secondsPerMegaMAC: Double
    }

    /// The target costed on.
    public let target: Target
    /// Samples per call.
    public let batch: Int
    /// Threads used.
    public let threads: Int
    /// Every kernel, in plan order.
    public let kernels: [KernelEntry]
    /// Every layer, in the order layers first appear.
    public let layers: [LayerEntry]
    /// Latency per sample, in seconds, kernels and call overhead.
    public let seconds: Double
    /// Core cycles per sample.
    public let cycles: Double
    /// Multiply-accumulates per sample.
    public let multiplyAccumulates: Int
    /// Trainable values.
    public let parameterValues: Int
    /// Memory in the target's number format, then in the other one.
    public let memory: [MemoryReport]

    /// Energy per sample in joules, where the target gives its power.
    public var joules: Double? { target.powerWatts.map { $0.value * seconds } }

    /// The memory report in the target's number format.
    public var targetMemory: MemoryReport { memory[0] }

    /// Energy of `seconds` on the target, where it gives its power.
    public func joules(_ seconds: Double) -> Double? { target.powerWatts.map { $0.value * seconds } }

    /// Costs `plan` on `target` for batches of `batch` on `threads` threads (the target's default when nil).
    public init(plan: KernelPlan, target: Target, batch: Int = 1, threads: Int? = nil) {
        let model = target.model
        let threads = threads ?? Int(target.threads.value)
        let memory = MemoryPlan(plan: plan)
        let graph = plan.graph
        let bytes = target.dataType.bytes
        var live = [Int](repeating: 0, count: plan.kernels.count + 2)
        for buffer in memory.buffers {
            for step in buffer.firstStep...min(buffer.lastStep, live.count - 1) { live[step] += buffer.elementsPerSample * bytes }
        }
        var entries = plan.kernels.enumerated().map { index, kernel in
            let features = KernelFeatures(kernel, in: plan)
            return KernelEntry(index: index, layer: kernel.layer, kind: kernel.kind, multiplyAccumulates: features.multiplyAccumulates,
                               parameterValues: features.parameterValues, cost: model.cost(of: kernel, features: features, batch: batch, threads: threads),
                               liveBytes: live[index + 1], share: 0, rank: 0)
        }
        let overhead = model.inferenceOverhead(batch: batch, threads: threads)
        let kernelSeconds = entries.reduce(0) { $0 + $1.cost.seconds }
        let total = kernelSeconds + overhead
        for (rank, index) in entries.indices.sorted(by: { entries[$0].cost.seconds > entries[$1].cost.seconds }).enumerated() {
            entries[index].rank = rank + 1
            entries[index].share = total > 0 ? entries[index].cost.seconds / total : 0
        }
        var order: [String] = []
        var grouped: [String: [Int]] = [:]
        for entry in entries {
            if grouped[entry.layer] == nil { order.append(entry.layer) }
            grouped[entry.layer, default: []].append(entry.index)
        }
        var declared: [String: Int] = [:]
        for instruction in graph.instructions {
            if case .param = instruction.primitive { declared[instruction.layer, default: 0] += instruction.shape.reduce(1, *) }
        }
        let totalMACs = entries.reduce(0) { $0 + $1.multiplyAccumulates }
        let averageSecondsPerMegaMAC = totalMACs > 0 ? kernelSeconds / Double(totalMACs) * 1e6 : 0
        var layers = order.map { layer -> LayerEntry in
            let members = grouped[layer] ?? []
            let macs = members.reduce(0) { $0 + entries[$1].multiplyAccumulates }
            let seconds = members.reduce(0) { $0 + entries[$1].cost.seconds }
            return LayerEntry(
                layer: layer, kernels: members, multiplyAccumulates: macs, parameterValues: declared[layer] ?? 0, seconds: seconds,
                cycles: members.reduce(0) { $0 + entries[$1].cost.cycles }, liveBytes: members.map { entries[$0].liveBytes }.max() ?? 0,
                share: total > 0 ? seconds / total : 0, rank: 0,
                secondsPerMegaMAC: macs > 0 ? seconds / Double(macs) * 1e6 : (seconds > 0 ? .infinity : averageSecondsPerMegaMAC))
        }
        for (rank, index) in layers.indices.sorted(by: { layers[$0].seconds > layers[$1].seconds }).enumerated() { layers[index].rank = rank + 1 }
        self.target = target
        self.batch = batch
        self.threads = threads
        self.kernels = entries
        self.layers = layers
        self.seconds = total
        self.cycles = total * target.clockHz.value
        self.multiplyAccumulates = totalMACs
        self.parameterValues = graph.parameterCount
        let other: DataType = target.dataType == .int8 ? .float32 : .int8
        self.memory = [target.dataType, other].map { MemoryReport(plan: plan, memory: memory, dataType: $0, model: model) }
    }

    /// The layers that compute least efficiently: the `count` with the most latency per multiply-accumulate among
    /// those over 5 % of the latency, slowest first. These are the search's first candidates.
    public func leastEfficientLayers(_ count: Int = 3) -> [LayerEntry] {
        Array(layers.filter { $0.share >= 0.05 }.sorted { ($0.secondsPerMegaMAC, $0.seconds) > ($1.secondsPerMegaMAC, $1.seconds) }.prefix(count))
    }
}
