import PulseGraph

/// What a model holds on a target in one number format, and whether it fits the target's limits.
public struct MemoryReport: Sendable, Equatable {
    /// The number format.
    public var dataType: DataType
    /// Bytes of the activation arena for one sample (the memory plan's placement).
    public var arenaBytes: Int
    /// Bytes of the activations alive at the busiest step: a lower bound on any arena.
    public var peakLiveBytes: Int
    /// Bytes of parameters and folded constants.
    public var parameterBytes: Int
    /// Bytes of the largest scratch buffer a kernel needs beside the arena.
    public var scratchBytes: Int
    /// Why the model does not fit the target's limits; empty when it fits.
    public var overLimits: [String]

    /// Whether the model fits every limit of the target.
    public var fits: Bool { overLimits.isEmpty }

    /// The memory of `plan` with `memory`'s arena in `dataType`, checked against `target`'s limits: on a
    /// microcontroller activations and scratch go to SRAM and parameters to flash; with main memory, everything
    /// goes there.
    public init(plan: KernelPlan, memory: MemoryPlan, dataType: DataType, model: any CostModel) {
        self.dataType = dataType
        arenaBytes = memory.arenaBytes(batch: 1, dataType: dataType)
        peakLiveBytes = memory.peakLiveElementsPerSample * dataType.bytes
        parameterBytes = memory.parameterBytes(dataType: dataType)
        let scratchScale = dataType == model.target.dataType ? 1.0 : Double(dataType.bytes) / Double(model.target.dataType.bytes)
        scratchBytes = Int((Double(plan.kernels.map(model.scratchBytes).max() ?? 0) * scratchScale).rounded(.up))
        var over: [String] = []
        let limits = model.target.memory
        let working = arenaBytes + scratchBytes
        if let sram = limits.sramBytes?.value, Double(working) > sram {
            over.append("activations \(arenaBytes) B + scratch \(scratchBytes) B exceed SRAM \(Int(sram)) B")
        }
        if let flash = limits.flashBytes?.value, Double(parameterBytes) > flash {
            over.append("parameters \(parameterBytes) B exceed flash \(Int(flash)) B")
        }
        if let ram = limits.ramBytes?.value, Double(working + parameterBytes) > ram {
            over.append("activations, scratch and parameters \(working + parameterBytes) B exceed RAM \(Int(ram)) B")
        }
        overLimits = over
    }
}
